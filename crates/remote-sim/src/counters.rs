//! What the server did: the counters tests read to prove nothing was applied twice, nothing
//! re-sent after it applied, and whether requests were in flight when clients went away.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What the server did, for tests to prove nothing was applied twice.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counters {
    /// Requests per endpoint pattern, e.g. `"GET /p002/market/bonus/<rid>"`, counted on
    /// arrival (before any fault).
    pub requests: BTreeMap<String, u64>,
    /// Applied changes: operation (e.g. `"p000.create_ticket"`) -> natural or
    /// idempotency key -> how many times it was applied.
    pub applied: BTreeMap<String, BTreeMap<String, u64>>,
    /// State-changing attempts that changed nothing because the change was already made:
    /// operation -> key -> count. A request lands here when it would have changed state
    /// had it been the first: a repeat activation of an active code, a second grant, a
    /// second disable, a second identical PUT, a re-import of a consumed batch, a create
    /// under a taken name, a re-upload of a batch. Separate from `applied`, so a test can
    /// assert that nothing was re-sent under a new request after it was applied.
    /// (e-Buy repeats by the same uuid are not here: they are `replays`.)
    #[serde(default)]
    pub repeats: BTreeMap<String, BTreeMap<String, u64>>,
    /// 004: uuid -> how many repeats were answered from the stored answer.
    pub replays: BTreeMap<String, u64>,
    /// Platform requests, per endpoint pattern, whose client had closed the connection by
    /// the time their answer was ready (or they were dropped): in flight when the client
    /// went away, e.g. after its timeout or a kill -9. Applied or not is in `applied`.
    #[serde(default)]
    pub client_gone: BTreeMap<String, u64>,
    /// Platform requests being handled when this snapshot was taken (read, not yet
    /// answered or dropped); the live value is `SimHandle::in_flight_now()`.
    #[serde(default)]
    pub in_flight: u64,
    /// Injected faults by kind: `error`, `timeout`, `late_apply`, `dropped`,
    /// `rate_limited`, `expired_token`, `used_elsewhere`.
    pub injected: BTreeMap<String, u64>,
}

impl Counters {
    /// How many times `op` was applied for `key`.
    pub fn applied(&self, op: &str, key: &str) -> u64 {
        self.applied
            .get(op)
            .and_then(|m| m.get(key))
            .copied()
            .unwrap_or(0)
    }
    /// How many times `op` was applied in all.
    pub fn applied_total(&self, op: &str) -> u64 {
        self.applied.get(op).map(|m| m.values().sum()).unwrap_or(0)
    }
    /// The highest per-key count over all operations (1 = nothing applied twice).
    pub fn max_applied(&self) -> u64 {
        self.applied
            .values()
            .flat_map(|m| m.values())
            .copied()
            .max()
            .unwrap_or(0)
    }
    /// Requests that reached an endpoint pattern.
    pub fn request_count(&self, endpoint: &str) -> u64 {
        self.requests.get(endpoint).copied().unwrap_or(0)
    }
    /// How many repeated attempts of `op` for `key` changed nothing (see `repeats`).
    pub fn repeats(&self, op: &str, key: &str) -> u64 {
        self.repeats
            .get(op)
            .and_then(|m| m.get(key))
            .copied()
            .unwrap_or(0)
    }
    /// Repeated attempts of `op` in all.
    pub fn repeats_total(&self, op: &str) -> u64 {
        self.repeats.get(op).map(|m| m.values().sum()).unwrap_or(0)
    }
    /// Repeated attempts over all operations (0 = nothing was re-sent after it applied).
    pub fn all_repeats(&self) -> u64 {
        self.repeats.values().flat_map(|m| m.values()).sum()
    }
    /// Requests whose client had gone before their answer was ready, over all endpoints.
    pub fn client_gone_total(&self) -> u64 {
        self.client_gone.values().sum()
    }
    /// Injected faults of a kind.
    pub fn injected_count(&self, kind: &str) -> u64 {
        self.injected.get(kind).copied().unwrap_or(0)
    }
}
