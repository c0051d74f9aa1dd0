-- The undo of an interrupted or cancelled run happens in chunks (store/run_undo.rs).
-- The run takes its final state at once; while codes it added are still to be deleted,
-- undo_to_seq holds the end (exclusive) of the seqs left, from first_seq up, and
-- undo_indexed_seq the end of those that are in the search index. Both are NULL for
-- every run with nothing left to delete.
ALTER TABLE code_runs ADD COLUMN undo_to_seq INTEGER;
ALTER TABLE code_runs ADD COLUMN undo_indexed_seq INTEGER;
CREATE INDEX code_runs_undoing ON code_runs(batch_id) WHERE undo_to_seq IS NOT NULL;
