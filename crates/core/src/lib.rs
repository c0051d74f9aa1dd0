//! CouponDesk's core: the domain rules, the SQLite store, CSV import and export, code
//! generation, and the use cases (`Desk`) that the Tauri shell and the CLI call.
//!
//! Nothing here knows about Tauri or the UI; every public type the UI sees derives
//! `ts_rs::TS` so its TypeScript twin is generated, never hand-copied.

pub mod api;
pub mod api_error;
pub mod desk;
pub mod domain;
pub mod error_codes;
pub mod export;
pub mod generate;
pub mod hub;
pub mod import;
pub mod print;
pub mod proc_mem;
pub mod progress;
pub mod search_index;
pub mod store;
pub mod sync;
pub(crate) mod test_hooks;

pub use api_error::{ApiError, ErrorCode};
pub use desk::{Desk, DeskError};
pub use error_codes::all_error_codes;
