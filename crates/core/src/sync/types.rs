//! What the Sync page, the batch page and the CLI see of sync: platforms' settings and
//! state, outbox items, conflicts, run reports, bulk activation. Every type here has a
//! generated TypeScript twin. No type here ever carries a secret: `hasSecret` says only
//! whether one is stored.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The one platform enum lives in `coupondesk-wire`, shared with the simulator.
pub use coupondesk_wire::Platform;

/// A platform's settings as the UI shows them. The secret itself never leaves the core.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PlatformSettings {
    pub platform: Platform,
    pub enabled: bool,
    /// Where the platform's API lives, e.g. `https://api.example.com` or the simulator's
    /// `http://127.0.0.1:8765/p004`; the specs' paths follow it.
    pub base_url: String,
    /// p004 only: appId, brandId, signType, activateInfo's shop number and organisation.
    pub app_id: String,
    pub brand_id: String,
    pub sign_type: String,
    pub shop_no: String,
    pub org: String,
    /// A PEM file of the CA that signed the platform's certificate, trusted beside the
    /// OS's roots (and `SSL_CERT_FILE`); empty: the OS's roots only.
    pub ca_file: String,
    /// Plain `http://` to a host that is not this machine is refused unless this is on
    /// (the token would travel in clear text); the Sync card then shows a warning.
    pub allow_http: bool,
    /// p000 only: the path where this server accepts code uploads (not in spec 000, e.g.
    /// `/ext/batches`); empty: only the documented endpoints are called, and linking a
    /// batch asks for the platform's own batch number.
    pub upload_path: String,
    /// Whether a token / signing key is stored (its value is never sent to the UI).
    pub has_secret: bool,
}

/// What the settings form sends. `secret`: `None` keeps the stored one, `Some("")` is
/// refused (use `clearSecret`), `Some(s)` replaces it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PlatformSettingsInput {
    pub platform: Platform,
    pub enabled: bool,
    pub base_url: String,
    #[serde(default)]
    pub app_id: String,
    #[serde(default)]
    pub brand_id: String,
    #[serde(default)]
    pub sign_type: String,
    #[serde(default)]
    pub shop_no: String,
    #[serde(default)]
    pub org: String,
    #[serde(default)]
    pub ca_file: String,
    #[serde(default)]
    pub allow_http: bool,
    #[serde(default)]
    pub upload_path: String,
    #[serde(default)]
    pub secret: Option<String>,
    #[serde(default)]
    pub clear_secret: bool,
}

/// One platform's line on the Sync page.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PlatformStatus {
    pub platform: Platform,
    pub enabled: bool,
    /// Enabled with a base URL and a secret (and an app id on p004).
    pub configured: bool,
    /// `null` until the first call; then whether the last call got a usable answer (a
    /// refused connection, an untrusted certificate, a refused redirect, a 404, a refused
    /// token, a 5xx or a 429 all make it `false`).
    pub online: Option<bool>,
    #[ts(type = "number")]
    pub queued: u64,
    #[ts(type = "number")]
    pub conflicts: u64,
    pub last_success_at: Option<DateTime<Utc>>,
    /// In plain words, with what to do.
    pub last_error: Option<String>,
    /// What kind of failure it was (`offline`, `timeout`, `lost`, `rate_limited`,
    /// `server`, `auth`, `bad_answer`, `tls`, `setup`), for the UI's words.
    pub last_error_kind: Option<String>,
    pub last_error_at: Option<DateTime<Utc>>,
    /// The queue waits until then (backoff after an error, or the platform's Retry-After).
    pub paused_until: Option<DateTime<Utc>>,
    pub last_pull_at: Option<DateTime<Utc>>,
    pub remote: Option<RemoteSummary>,
    /// Plain `http://` to another machine is allowed: the card warns that the token
    /// travels in clear text.
    pub allow_http: bool,
    /// The last "Test connection", and when.
    pub last_test: Option<ConnectionTest>,
    pub last_test_at: Option<DateTime<Utc>>,
}

/// The verdict of "Test connection" (000's `GET /test`, the cheapest authenticated read
/// elsewhere).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ConnectionVerdict {
    /// The platform answered and accepted our credentials.
    Authorised,
    /// The platform answered but refused the token / signing key.
    TokenRefused,
    /// Nothing answered (no network, wrong address, the platform down, a timeout).
    Unreachable,
    /// A TLS connection could not be made (certificate not trusted, wrong name, expired).
    TlsError,
    /// Sync with it is off or its settings are incomplete (nothing was sent).
    NotConfigured,
    /// The platform answered, but it has no call that proves the credentials without
    /// changing something (e-Buy: every endpoint activates or deactivates codes); the
    /// signing key is proven by the first real activation.
    Reachable,
}

impl ConnectionVerdict {
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionVerdict::Authorised => "authorised",
            ConnectionVerdict::TokenRefused => "token_refused",
            ConnectionVerdict::Unreachable => "unreachable",
            ConnectionVerdict::TlsError => "tls_error",
            ConnectionVerdict::NotConfigured => "not_configured",
            ConnectionVerdict::Reachable => "reachable",
        }
    }
}

/// What "Test connection" found, with the details in plain (English) words; the UI
/// words the verdict itself in the staff's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ConnectionTest {
    pub platform: Platform,
    pub verdict: ConnectionVerdict,
    pub message: String,
}

/// What the last pull counted on the platform (list endpoints).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RemoteSummary {
    /// Items the platform lists (ticket types, templates, bonuses, vouchers).
    #[ts(type = "number")]
    pub items: u64,
    /// Of those, used / redeemed on the platform.
    #[ts(type = "number")]
    pub used: u64,
    /// Local rows whose status the pull changed (e.g. a bonus used on the platform).
    #[ts(type = "number")]
    pub refreshed: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum OutboxState {
    Queued,
    Done,
    Conflict,
    Discarded,
}

impl OutboxState {
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxState::Queued => "queued",
            OutboxState::Done => "done",
            OutboxState::Conflict => "conflict",
            OutboxState::Discarded => "discarded",
        }
    }
    pub fn parse(s: &str) -> Option<OutboxState> {
        [
            OutboxState::Queued,
            OutboxState::Done,
            OutboxState::Conflict,
            OutboxState::Discarded,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

/// One outbox row: a queued action, a result, or a conflict in the inbox.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct OutboxItem {
    #[ts(type = "number")]
    pub id: i64,
    pub platform: Platform,
    /// e.g. `ebuy.activate`, `bonus.create`, `wxcard.create`, `voucher.buy`.
    pub op: String,
    /// What it is about: a code, a bonus code, a template id, ...
    pub subject: String,
    /// The op's data as sent (editable for a conflict).
    #[ts(type = "Record<string, unknown>")]
    pub payload: serde_json::Value,
    pub state: OutboxState,
    pub attempts: u32,
    /// The platform's answer: its result code and message (for a conflict: why it said no).
    pub result_code: Option<String>,
    pub result_message: Option<String>,
    /// Who did the action, and when.
    pub actor: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Filter of the queue/conflict/result lists.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct OutboxQuery {
    #[serde(default)]
    pub platform: Option<Platform>,
    #[serde(default)]
    pub state: Option<OutboxState>,
    /// A batch's ticket type: only that batch's code operations.
    #[serde(default)]
    pub ticket_type: Option<String>,
    #[serde(default)]
    pub page: crate::domain::PageRequest,
}

/// The Sync page's whole state.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SyncStatus {
    pub platforms: Vec<PlatformStatus>,
    #[ts(type = "number")]
    pub queued: u64,
    #[ts(type = "number")]
    pub conflicts: u64,
}

/// What one `sync run` did on one platform.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PlatformRun {
    pub platform: Option<Platform>,
    /// HTTP requests sent (including read-backs and pulls).
    #[ts(type = "number")]
    pub requests: u64,
    /// Operations the platform confirmed.
    #[ts(type = "number")]
    pub done: u64,
    /// Operations it refused for good (now in the conflict inbox).
    #[ts(type = "number")]
    pub conflicts: u64,
    /// Operations that failed for a passing reason and wait for a retry.
    #[ts(type = "number")]
    pub retries: u64,
    /// Still queued when the run stopped.
    #[ts(type = "number")]
    pub remaining: u64,
    /// Why the run stopped early, in plain words (offline, credentials, ...).
    pub stopped: Option<String>,
    /// Set when another process was already syncing this platform.
    pub busy: bool,
    /// The platform is off or not set up: its queue was not run.
    pub skipped: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SyncReport {
    pub platforms: Vec<PlatformRun>,
    /// Operations that wait for platforms that are off or not set up (their queues were
    /// not run): "Sync now" must say so instead of "done".
    #[ts(type = "number")]
    pub not_set_up: u64,
}

impl SyncReport {
    /// Operations left on the platforms that were run (off ones are not counted).
    pub fn remaining(&self) -> u64 {
        self.platforms
            .iter()
            .filter(|p| !p.skipped)
            .map(|p| p.remaining)
            .sum()
    }
}

/// Bulk activation or deactivation from the batch page (or `codes activate`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ActivationRequest {
    pub ticket_type: String,
    /// These codes of the batch; `null` = every code of the batch that can change.
    #[serde(default)]
    pub codes: Option<Vec<String>>,
    /// true: activate on e-Buy (issued -> active); false: deactivate (active -> issued).
    pub activate: bool,
    /// Activation only: the amounts behind the codes (e-Buy's `makeFundsChannel`).
    #[serde(default)]
    #[ts(optional)]
    pub make_funds_channel: Option<FundsChannel>,
}

/// e-Buy's 制码资金 (`makeFundsChannel`) of an activation, in fen; every field optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct FundsChannel {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(type = "number | null", optional)]
    pub merchant_real_amount: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(type = "number | null", optional)]
    pub benefit_amount: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(type = "number | null", optional)]
    pub merchant_custom_benefit: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(type = "number | null", optional)]
    pub merchant_custom_real_amount: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(type = "number | null", optional)]
    pub channel_benefit: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(type = "number | null", optional)]
    pub merchant_benefit: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(type = "number | null", optional)]
    pub discount_amount: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(type = "number | null", optional)]
    pub user_real_amount: Option<i64>,
}

impl FundsChannel {
    /// (field name, amount) of every amount given.
    pub fn amounts(&self) -> [(&'static str, Option<i64>); 8] {
        [
            ("merchantRealAmount", self.merchant_real_amount),
            ("benefitAmount", self.benefit_amount),
            ("merchantCustomBenefit", self.merchant_custom_benefit),
            ("merchantCustomRealAmount", self.merchant_custom_real_amount),
            ("channelBenefit", self.channel_benefit),
            ("merchantBenefit", self.merchant_benefit),
            ("discountAmount", self.discount_amount),
            ("userRealAmount", self.user_real_amount),
        ]
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ActivationReport {
    /// Codes changed locally and queued for e-Buy.
    #[ts(type = "number")]
    pub queued: u64,
    /// Codes left as they were, with why (first 100).
    pub skipped: Vec<ActivationSkip>,
    #[ts(type = "number")]
    pub skipped_total: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ActivationSkip {
    pub code: String,
    /// `unknown`, `not_in_batch`, `already_active`, `not_active` or `final` (redeemed,
    /// disabled, expired: nothing leaves those).
    pub reason: String,
}
