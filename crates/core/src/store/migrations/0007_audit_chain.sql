-- The audit trail gets its terminal and its hash chain (store/audit.rs). Entries already
-- there are chained by the migration's Rust step (audit::chain_existing), then
-- 0007_audit_append_only.sql seals the table. All in one transaction with the version bump.
ALTER TABLE audit_log ADD COLUMN terminal TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN hash TEXT NOT NULL DEFAULT '';
