//! What a connector is to the engine: it turns queued ops into requests to its platform
//! and the platform's answers into one result per op. Connectors never touch the outbox;
//! the engine stores what they return.

use rusqlite::{Connection, OptionalExtension};

use super::http::{CallError, CallErrorKind, Http};
use super::types::{Platform, RemoteSummary};

/// One queued op, as the engine hands it to a connector.
#[derive(Debug, Clone)]
pub struct Op {
    pub id: i64,
    pub op: String,
    pub subject: String,
    pub payload: serde_json::Value,
    pub idem_key: String,
    /// A request carrying this op was sent before (any request of it: an op of several
    /// requests, such as 000's, may have had an earlier one applied).
    pub sent_before: bool,
    /// A request carrying this op may have been applied (a crash mid-request, a lost
    /// answer, a timeout, an answer we could not read): a create is then never sent again
    /// before the read-back rule of docs/sync.md says so (`connectors::readback_rule`).
    pub maybe_applied: bool,
    /// When the last request that may have been applied left (ms).
    pub sent_at: Option<i64>,
    /// Read-backs after the settle time that found nothing.
    pub readbacks: u32,
    /// What the connector noted of its last send (`Refs::note_send`), for its read-back.
    pub send_note: Option<String>,
    /// Batched platforms (e-Buy): the envelope uuid, the same on every re-send.
    pub envelope_uuid: Option<String>,
    pub attempts: u32,
}

/// A local row now known on the platform under an id of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteRef {
    pub kind: &'static str,
    pub local_id: String,
    pub remote_id: String,
}

/// The platform's word on one op.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpResult {
    /// Applied (now or earlier: a read-back found it, or the platform says it already
    /// is so).
    Done {
        code: String,
        message: String,
        remote: Option<RemoteRef>,
    },
    /// A final "no": goes to the conflict inbox.
    Conflict { code: String, message: String },
    /// A passing failure of this op alone: retried later, alone or in a new batch.
    Retry { code: String, message: String },
    /// Not sent: the op waits until `until_ms` (a settle time after a send that may have
    /// been applied). `empty_readback`: a read-back found nothing (counted in the row's
    /// `readbacks`). Not an attempt: nothing failed.
    Wait {
        code: String,
        message: String,
        until_ms: i64,
        empty_readback: bool,
    },
}

impl OpResult {
    pub fn done(code: &str, message: impl Into<String>) -> OpResult {
        OpResult::Done {
            code: code.to_owned(),
            message: message.into(),
            remote: None,
        }
    }
    pub fn conflict(code: impl Into<String>, message: impl Into<String>) -> OpResult {
        OpResult::Conflict {
            code: code.into(),
            message: message.into(),
        }
    }
}

/// Local knowledge a connector may read (which remote id a local row has), the run's
/// settle time, and the one hook through which a connector tells the engine that a
/// request is leaving now (`mark_leaving`).
pub struct Refs<'a> {
    pub conn: &'a Connection,
    pub platform: Platform,
    /// How long after a possibly-applied send a read-back is trusted (ms): longer than the
    /// request timeout, since a platform may apply a request after our timeout fired.
    pub settle_ms: i64,
    /// Set by `mark_leaving`: a request that may apply left during this call, so a later
    /// failure of the same call (a 5xx on the read-back after an import) must not put the
    /// op's `maybe_applied` back to what it was before the call.
    pub left: std::cell::Cell<bool>,
}

impl Refs<'_> {
    fn local(e: rusqlite::Error) -> CallError {
        // A local read that fails (the database busy for too long) must not be taken
        // for "not known": the call is retried instead.
        CallError::new(
            CallErrorKind::BadAnswer,
            format!("could not read the local database ({e}); trying again later"),
        )
    }

    pub fn remote_id(&self, kind: &str, local_id: &str) -> Result<Option<String>, CallError> {
        self.conn
            .query_row(
                "SELECT remote_id FROM remote_refs WHERE platform = ?1 AND kind = ?2 AND local_id = ?3",
                [self.platform.id(), kind, local_id],
                |r| r.get(0),
            )
            .optional()
            .map_err(Refs::local)
    }

    /// How many local rows of `kind` claim the fingerprint `fp`: remote id `fp` or
    /// `fp#N` (a 003 voucher fingerprint claimed by several local vouchers carries an
    /// ordinal suffix).
    pub fn count_claimed(&self, kind: &str, fp: &str) -> Result<u64, CallError> {
        let n: i64 = self
            .conn
            .query_row(
                "SELECT count(*) FROM remote_refs WHERE platform = ?1 AND kind = ?2
                   AND (remote_id = ?3 OR substr(remote_id, 1, length(?3) + 1) = ?3 || '#')",
                [self.platform.id(), kind, fp],
                |r| r.get(0),
            )
            .map_err(Refs::local)?;
        Ok(n.max(0) as u64)
    }

    /// A request carrying `op` leaves now, after a read-back that took time (and, when
    /// `empty_readback`, found nothing): its row says so, committed before the request
    /// leaves, so a settle time counts from the real send and a kill keeps the count.
    pub fn mark_leaving(&self, op: &Op, empty_readback: bool) -> Result<(), CallError> {
        self.left.set(true);
        self.conn
            .execute(
                "UPDATE outbox SET sent = 1, maybe_applied = 1, sent_at = ?2,
                        readbacks = readbacks + ?3
                  WHERE id = ?1",
                rusqlite::params![op.id, crate::store::now_ms(), empty_readback as i64],
            )
            .map(|_| ())
            .map_err(Refs::local)
    }

    /// Commits what the op's read-back will need to know about the send that follows
    /// (e.g. 000: the ticket type's total before the import), before it leaves.
    pub fn note_send(&self, op: &Op, note: &str) -> Result<(), CallError> {
        self.conn
            .execute(
                "UPDATE outbox SET send_note = ?2 WHERE id = ?1",
                rusqlite::params![op.id, note],
            )
            .map(|_| ())
            .map_err(Refs::local)
    }

    pub fn is_mapped(&self, kind: &str, remote_id: &str) -> Result<bool, CallError> {
        self.conn
            .query_row(
                "SELECT 1 FROM remote_refs WHERE platform = ?1 AND kind = ?2 AND remote_id = ?3",
                [self.platform.id(), kind, remote_id],
                |_| Ok(()),
            )
            .optional()
            .map(|found| found.is_some())
            .map_err(Refs::local)
    }
}

pub trait Connector: Send {
    /// How many ops one call may carry (1: one request per op).
    fn batch_limit(&self) -> usize {
        1
    }
    /// Whether the engine may mark the next call's ops sent while this call is in flight
    /// and store this call's answer after the next call left (see engine.rs). Only for a
    /// platform that answers a re-sent call from its store by the call's id, so a call
    /// marked but never sent, or sent twice, is never applied twice or out of order.
    fn pipelines(&self) -> bool {
        false
    }
    /// Ops with the same key may travel in one call (only asked when `batch_limit > 1`).
    fn batch_key(&self, op: &Op) -> String {
        format!("{}|{}", op.op, op.payload)
    }
    /// Sends the ops (one, or a batch) and returns exactly one result per op, in order.
    fn send(
        &mut self,
        http: &mut Http,
        ops: &[Op],
        refs: &Refs<'_>,
    ) -> Result<Vec<OpResult>, CallError>;
    /// Reads the platform's lists and refreshes local statuses and counts. `conn` may be
    /// written (e.g. a bonus used on the platform); no transaction is open, so each write
    /// must be right on its own, and none may be held across a request.
    fn pull(&mut self, http: &mut Http, conn: &Connection) -> Result<RemoteSummary, CallError>;
}
