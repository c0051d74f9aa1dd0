//! The pull's hub side (docs/chain-mode.md, "Changes between desks"): pages of the change
//! log by sequence.
//!
//! What must stay true: a page is the changes above a seq in seq order, and seq order is
//! commit order (`log_change` in migration 1), so a desk that has applied everything up
//! to N never later finds a change below N.

use tokio_postgres::GenericClient;

use super::HubError;

/// One change of the hub's log, as a desk applies it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub seq: i64,
    pub kind: ChangeKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeKind {
    /// A code's status changed at the hub (claimed, released): the status it took.
    Code { code: String, status: String },
    /// A batch or codes of it were uploaded by a desk.
    Batch { ticket_type: String, name: String },
    /// A template was created or changed at the hub (`records::put_template`): its uid.
    Template { uid: String },
    /// A batch was linked to a template (None: unlinked) at the hub.
    Link {
        ticket_type: String,
        template_uid: Option<String>,
    },
    /// A customer was added or renamed at the hub: its phone and the hub's name.
    Customer { phone: String, name: String },
    /// A voucher was sold or used (its uid): the hub's row is applied.
    Voucher { uid: String },
    /// A bonus was made, granted, disabled or used (its code): the hub's row is applied.
    Bonus { code: String },
    /// A staff account was made or changed at a desk (its uid): the hub's row is applied.
    Staff { uid: String },
    /// Anything else (a conflict: the uploading desk has it in its inbox).
    Other(String),
}

/// Up to `limit` changes above `after`, oldest first.
pub async fn changes_after(
    c: &impl GenericClient,
    after: i64,
    limit: i64,
) -> Result<Vec<Change>, HubError> {
    let rows = c
        .query(
            "SELECT seq, kind, subject, coalesce(body->>'status', ''),
                    coalesce(body->>'name', ''), body->>'template'
               FROM coupondesk.changes WHERE seq > $1 ORDER BY seq LIMIT $2",
            &[&after, &limit],
        )
        .await
        .map_err(|e| HubError::from_pg(&e))?;
    Ok(rows
        .iter()
        .map(|r| {
            let kind: String = r.get(1);
            let subject: String = r.get(2);
            Change {
                seq: r.get(0),
                kind: match kind.as_str() {
                    "code" => ChangeKind::Code {
                        code: subject,
                        status: r.get(3),
                    },
                    "batch" => ChangeKind::Batch {
                        ticket_type: subject,
                        name: r.get(4),
                    },
                    "template" => ChangeKind::Template { uid: subject },
                    "voucher" => ChangeKind::Voucher { uid: subject },
                    "bonus" => ChangeKind::Bonus { code: subject },
                    "staff" => ChangeKind::Staff { uid: subject },
                    "customer" => ChangeKind::Customer {
                        phone: subject,
                        name: r.get(4),
                    },
                    "link" => ChangeKind::Link {
                        ticket_type: subject,
                        template_uid: r.get(5),
                    },
                    _ => ChangeKind::Other(kind),
                },
            }
        })
        .collect())
}
