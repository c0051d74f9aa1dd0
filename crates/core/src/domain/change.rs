//! Change records: what happened to the shop's data that some platform may need to
//! hear of, in the shop's own words. The store appends one in the same transaction as
//! the change itself (`store::changes`); the sync layer's router turns it into the
//! platforms' operations (`sync::router`). Nothing here names a platform or a wire
//! format: which platform hears of what is the router's business.
//!
//! What must stay true: a record is self-contained. The router may run long after the
//! change (at the start of the next sync run), when the row it describes has changed
//! again, so each record carries the data as it was when the change was made.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::lifecycle::CodeStatus;
use super::template::TemplateDraft;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    /// A template was created or edited; `draft` is what it now says (boxed: it is
    /// many times larger than the other records).
    TemplateSaved {
        template: i64,
        draft: Box<TemplateDraft>,
    },
    /// A batch was linked to a template; `codes` is how many codes the batch holds.
    BatchLinked {
        template: i64,
        batch: i64,
        ticket_type: String,
        title: String,
        codes: u64,
        /// The batch number a platform's console gave the batch's file, when staff typed it.
        platform_batch: Option<String>,
    },
    /// A code that an outside channel activated changed status at this shop (redeemed,
    /// redemption undone, disabled): see `announces`.
    CodeStatusChanged {
        code: String,
        batch: i64,
        status: CodeStatus,
    },
    /// A bonus was made, with the terms it was made with.
    BonusCreated {
        code: String,
        amount_fen: i64,
        min_amount_fen: i64,
        expired_at: Option<DateTime<Utc>>,
        xname: String,
        product_sku: Option<String>,
        enabled: bool,
    },
    /// A bonus was given to a customer (by phone number).
    BonusGranted {
        code: String,
        customer: String,
    },
    BonusDisabled {
        code: String,
    },
    /// A voucher was sold; `id` is the local voucher id.
    VoucherSold {
        id: i64,
        name: String,
        price_fen: i64,
    },
}

impl Change {
    /// Whether a code's move out of `before` is a change record. Only active codes
    /// are: a code becomes active only when an outside channel (e-Buy) activated it, and
    /// that channel must then hear of what the shop did to it so it cannot be used
    /// twice. Issued codes are the shop's alone, so redeeming one records nothing (the
    /// counter's hot path stays one transaction with no extra row).
    pub fn announces(before: CodeStatus) -> bool {
        before == CodeStatus::Active
    }

    /// The batch a record is about, when it is about one (the outbox's filter).
    pub fn batch(&self) -> Option<i64> {
        match self {
            Change::BatchLinked { batch, .. } | Change::CodeStatusChanged { batch, .. } => {
                Some(*batch)
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_active_codes_announce_their_moves() {
        let announced: Vec<_> = CodeStatus::ALL
            .into_iter()
            .filter(|s| Change::announces(*s))
            .collect();
        assert_eq!(announced, vec![CodeStatus::Active]);
    }

    #[test]
    fn records_round_trip_through_json() {
        let c = Change::CodeStatusChanged {
            code: "ABCD1234".into(),
            batch: 3,
            status: CodeStatus::Redeemed,
        };
        let text = serde_json::to_string(&c).expect("to json");
        assert!(text.contains("\"kind\":\"code_status_changed\""), "{text}");
        let back: Change = serde_json::from_str(&text).expect("from json");
        assert_eq!(back, c);
        assert_eq!(back.batch(), Some(3));
    }
}
