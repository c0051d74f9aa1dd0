//! The chain-mode hub (issue 16, docs/chain-mode.md): one PostgreSQL database shared by
//! all desks of a merchant, each desk still on its own SQLite file.
//!
//! - `connect`: the client (tokio-postgres pooled by deadpool, rustls), the `Hub` value
//!   that owns a one-worker tokio runtime and turns each call into a blocking call with a
//!   deadline; a missed deadline is `HubError::Offline`, never a hang.
//! - `schema`: the hub's versioned migrations (`migrations/NNNN_*.sql`) in the
//!   PostgreSQL schema `coupondesk`, run under an advisory lock.
//! - `url`: the hub's address: a `postgres://` URL, its `sslmode`, and the form that is
//!   stored and shown (never with a password).
//! - `roles`: the per-terminal login roles and the per-hub group role.
//! - `transfer`: the join's bulk upload and download (COPY).
//! - `disables`: a code disabled at a desk, disabled at the hub.
//! - `pull`: pages of the change log by sequence, for a desk's pull.
//! - `bonuses`: red-packet bonuses (made, granted, disabled, used), known by their code.
//! - `records`: templates and batch links (uploads through SECURITY DEFINER functions).
//! - `staff`: staff accounts (name, role, PIN hash, disabled), known by a uid.
//! - `voucher_claims`: a voucher's use claimed at the hub before the desk writes it.
//! - `relay`: the platform desk's exchange: records relayed by the other desks, taken,
//!   confirmed; which desk is the platform desk.
//! - `audit`: every desk's audit trail (one hash chain per terminal): the upload, and
//!   the reads of the hub's verify and list.
//! - `listen`: one LISTEN connection that wakes a desk at each change committed.
//!
//! This layer speaks to the hub only; what the desk's SQLite gets is the desk's business
//! (desk/hub.rs), through the store.

pub mod audit;
pub mod bonuses;
pub mod claims;
pub mod connect;
pub mod disables;
pub mod error;
pub mod listen;
pub mod pull;
pub mod records;
pub mod relay;
pub mod roles;
pub mod schema;
pub mod staff;
pub mod terminals;
pub mod transfer;
pub mod url;
pub mod voucher_claims;

pub use connect::Hub;
pub use error::HubError;
pub use tokio_postgres;
pub use url::{HubUrl, SslMode};
