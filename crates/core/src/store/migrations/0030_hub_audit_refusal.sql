-- Local schema version 30: why the last upload of this desk's audit trail stopped
-- before its end (docs/chain-mode.md, "The audit trail at the hub"), so the window can
-- show it: the refusal as JSON (desk::hub_audit::AuditRefusal: the entry, the reason, how
-- far the hub holds this desk's trail, the words). Written by every upload that got an
-- answer: NULL when it went to the end. An upload the hub never answered leaves it as it
-- was (the last answer is still the last word on the trail).
ALTER TABLE hub_link ADD COLUMN audit_refusal TEXT;
