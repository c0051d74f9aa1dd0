//! The command surface, defined once (`table.rs`) and used by every front end:
//! - the Tauri shell registers one `#[tauri::command]` per entry (src-tauri's
//!   `tauri_commands!`), each calling `api::<name>::run`;
//! - the development HTTP server (`coupondesk serve`) answers `POST /api/<name>` through
//!   `call_json` / `call_job_json`;
//! - the TypeScript side (names, argument names and order, result types) is generated from
//!   the same entries by `ts::command_table_ts` into ui/src/lib/backend/bindings/commands.ts.
//!
//! Per entry this module builds `api::<name>::{Args, Output, run}` (jobs: also `Progress`),
//! where `Args` deserialises the camelCase object both surfaces receive.

mod call_error;
pub mod path_rules;
mod table;
pub mod ts;

use std::any::Any;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::api_error::FieldError;
use crate::desk::counter_any::{CounterCheck, CounterOutcome, CounterRequest};
use crate::desk::hub::HubStatus;
use crate::desk::hub_audit::{HubAuditQuery, HubAuditReport};
use crate::desk::hub_counter::HubPushReport;
use crate::desk::hub_relay::PlatformDeskStatus;
use crate::desk::window::WindowMemory;
use crate::desk::{AppInfo, BatchQuery, DeskResult};
use crate::domain::audit::{AuditEntry, AuditQuery, AuditVerdict};
use crate::domain::bonus::{Bonus, BonusCreation, BonusDraft, BonusQuery, BonusRunDisabled};
use crate::domain::close::{CloseQuery, DailyClose};
use crate::domain::customer::{Customer, CustomerDraft, CustomerProfile};
use crate::domain::lifecycle::CodeStatus;
use crate::domain::logo::LogoImage;
use crate::domain::offline::OfflinePolicy;
use crate::domain::print::PrintRequest;
use crate::domain::reconcile::{ReconItem, ReconItemsQuery, Reconciliation};
use crate::domain::redeem::{Redemption, Settings};
use crate::domain::report::{
    Dashboard, DashboardQuery, Report, ReportQuery, ReportRow, ReportRowsQuery,
};
use crate::domain::staff::{Role, Session, StaffDraft, StaffMember};
use crate::domain::template::{Template, TemplateDraft};
use crate::domain::voucher::{Voucher, VoucherDraft, VoucherQuery};
use crate::domain::{Batch, Page, PageRequest};
use crate::export::{ExportOptions, ExportProgress, ExportReport};
use crate::generate::{GenerateProgress, GenerateReport, GenerateRequest};
use crate::hub::audit::HubAuditEntry;
use crate::import::{ImportOptions, ImportPreview, ImportProgress, ImportReport, ImportTarget};
use crate::progress::Throttled;
use crate::store::backup::{BackupFile, BackupReport};
use crate::store::bonuses::BonusRef;
use crate::store::codes::{CodeQuery, CodeRow};
use crate::store::hub_claims::HubConflict;
use crate::store::hub_offline_uses::HubUseKind;
use crate::store::hub_use_conflicts::HubUseConflict;
use crate::store::redemptions::UndoTarget;
use crate::store::templates::TemplateQuery;
use crate::sync::engine::RunOptions;
use crate::sync::{
    ActivationReport, ActivationRequest, ConnectionTest, CredentialStore, OutboxItem, OutboxQuery,
    Platform, PlatformSettings, PlatformSettingsInput, SyncReport, SyncStatus,
};
use crate::{ApiError, Desk};

pub use call_error::CallError;

/// How long "Test connection" waits for each platform request.
pub const CONNECTION_TEST_TIMEOUT: Duration = Duration::from_secs(10);

/// Progress of a job reaches a front end at most this often; the last message always does.
pub const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// One entry of the table as the TypeScript generator and the dev server see it.
pub struct CommandInfo {
    /// snake_case, as `invoke` and `POST /api/<name>` take it.
    pub name: &'static str,
    /// The arguments' names as written in the table (snake_case), in order.
    pub args: &'static [&'static str],
    /// Long work: a job id, progress and cancel.
    pub job: bool,
    pub types: fn() -> ts::CommandTypes,
}

fn parse<T: serde::de::DeserializeOwned>(
    command: &str,
    args: serde_json::Value,
) -> Result<T, ApiError> {
    // A body of `null` (or none) means "no arguments".
    let args = if args.is_null() {
        serde_json::Value::Object(Default::default())
    } else {
        args
    };
    serde_json::from_value(args).map_err(|e| {
        ApiError::from(&CallError::BadArguments {
            command: command.to_owned(),
            reason: e.to_string(),
        })
    })
}

/// The path an argument holds, if it is a `PathBuf` or a given `Option<PathBuf>` (the
/// arguments are owned, 'static types, so a downcast tells). `Args::paths` uses it, so a
/// path argument added to the table is checked by the window without anyone listing it.
fn path_of(arg: &dyn Any) -> Option<&Path> {
    if let Some(p) = arg.downcast_ref::<PathBuf>() {
        return Some(p);
    }
    arg.downcast_ref::<Option<PathBuf>>()
        .and_then(|p| p.as_deref())
}

fn answer<T: serde::Serialize>(done: DeskResult<T>) -> Result<serde_json::Value, ApiError> {
    let value = done?;
    serde_json::to_value(value).map_err(|e| {
        ApiError::new(
            crate::error_codes::INTERNAL,
            format!("could not write the answer: {e}"),
        )
    })
}

macro_rules! define_commands {
    (
        commands { $(
            $name:ident ( $( $(#[$am:meta])* $arg:ident : $ty:ty ),* $(,)? ) -> $ret:ty =
                |$desk:ident| $body:expr ;
        )* }
        jobs { $(
            $jname:ident ( $( $(#[$jam:meta])* $jarg:ident : $jty:ty ),* $(,)? ) -> $jret:ty, $jprog:ty =
                |$jdesk:ident, $jcancel:ident, $jprogress:ident| $jbody:expr ;
        )* }
    ) => {
        $(
            #[doc = concat!("The `", stringify!($name), "` command (see `api/table.rs`).")]
            pub mod $name {
                #[allow(unused_imports)]
                use super::*;

                #[derive(Debug, serde::Deserialize, ts_rs::TS)]
                #[serde(rename_all = "camelCase")]
                pub struct Args { $( $(#[$am])* pub $arg: $ty, )* }

                impl Args {
                    /// The file paths among the arguments (the window checks them, see
                    /// `path_rules`).
                    pub fn paths(&self) -> Vec<&Path> {
                        let args: &[&dyn Any] = &[$( &self.$arg ),*];
                        args.iter().filter_map(|a| path_of(*a)).collect()
                    }
                }

                pub type Output = $ret;

                pub fn run($desk: &Desk, args: Args) -> DeskResult<Output> {
                    let Args { $($arg),* } = args;
                    $body
                }

                pub(super) fn types() -> ts::CommandTypes {
                    ts::CommandTypes::of::<Args, Output, ()>()
                }
            }
        )*
        $(
            #[doc = concat!("The `", stringify!($jname), "` job (see `api/table.rs`).")]
            pub mod $jname {
                #[allow(unused_imports)]
                use super::*;

                #[derive(Debug, serde::Deserialize, ts_rs::TS)]
                #[serde(rename_all = "camelCase")]
                pub struct Args { $( $(#[$jam])* pub $jarg: $jty, )* }

                impl Args {
                    /// The file paths among the arguments (see `path_rules`).
                    pub fn paths(&self) -> Vec<&Path> {
                        let args: &[&dyn Any] = &[$( &self.$jarg ),*];
                        args.iter().filter_map(|a| path_of(*a)).collect()
                    }
                }

                pub type Output = $jret;
                pub type Progress = $jprog;

                /// Runs under `job_id`, so `job_cancel` can stop it; `on_progress` hears at
                /// most every `PROGRESS_EVERY`, and always the last message.
                pub fn run(
                    $jdesk: &Desk,
                    job_id: &str,
                    args: Args,
                    on_progress: &mut dyn FnMut(Progress),
                ) -> DeskResult<Output> {
                    let Args { $($jarg),* } = args;
                    let mut throttled = Throttled::new(PROGRESS_EVERY, on_progress);
                    let done = $jdesk.jobs().run(job_id, |$jcancel| {
                        let $jprogress: &mut dyn FnMut(Progress) = &mut |p| throttled.offer(p);
                        $jbody
                    });
                    throttled.finish();
                    done
                }

                pub(super) fn types() -> ts::CommandTypes {
                    ts::CommandTypes::of::<Args, Output, Progress>()
                }
            }
        )*

        /// Every entry of the table, commands first, in table order.
        pub const COMMANDS: &[CommandInfo] = &[
            $( CommandInfo {
                name: stringify!($name),
                args: &[$(stringify!($arg)),*],
                job: false,
                types: $name::types,
            }, )*
            $( CommandInfo {
                name: stringify!($jname),
                args: &[$(stringify!($jarg)),*],
                job: true,
                types: $jname::types,
            }, )*
        ];

        /// Answers a command from its JSON arguments (the dev server's one entry point).
        /// Jobs are refused here: they answer through `call_job_json`.
        pub fn call_json(
            desk: &Desk,
            command: &str,
            args: serde_json::Value,
        ) -> Result<serde_json::Value, ApiError> {
            match command {
                $( stringify!($name) => answer($name::run(desk, parse(command, args)?)), )*
                _ => Err(ApiError::from(&CallError::UnknownCommand(command.to_owned()))),
            }
        }

        /// Runs a job from its JSON arguments; progress goes to `on_progress` as JSON.
        pub fn call_job_json(
            desk: &Desk,
            command: &str,
            job_id: &str,
            args: serde_json::Value,
            on_progress: &mut dyn FnMut(serde_json::Value),
        ) -> Result<serde_json::Value, ApiError> {
            match command {
                $( stringify!($jname) => {
                    let args = parse(command, args)?;
                    answer($jname::run(desk, job_id, args, &mut |p| {
                        // Progress types are plain data: serialising cannot fail.
                        if let Ok(v) = serde_json::to_value(p) {
                            on_progress(v);
                        }
                    }))
                } )*
                _ => Err(ApiError::from(&CallError::UnknownCommand(command.to_owned()))),
            }
        }
    };
}

crate::command_table!(define_commands);

/// The table entry called `name`, if any.
pub fn command(name: &str) -> Option<&'static CommandInfo> {
    COMMANDS.iter().find(|c| c.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn desk() -> (tempfile::TempDir, Desk) {
        let dir = tempfile::tempdir().expect("tempdir");
        let desk = Desk::open(&dir.path().join("api.sqlite3")).expect("desk");
        (dir, desk)
    }

    #[test]
    fn names_are_unique_and_snake_case() {
        let mut names: Vec<_> = COMMANDS.iter().map(|c| c.name).collect();
        assert!(names
            .iter()
            .all(|n| n.chars().all(|c| c.is_ascii_lowercase() || c == '_')));
        let n = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), n);
        // codes_import, codes_generate, codes_export, codes_print.
        assert_eq!(COMMANDS.iter().filter(|c| c.job).count(), 4);
    }

    #[test]
    fn path_arguments_are_found_whatever_the_command() {
        let preview: import_preview::Args = serde_json::from_value(json!({
            "path": "/a/codes.csv",
            "options": {"encoding": "auto", "header": "auto", "column": null},
        }))
        .expect("args");
        assert_eq!(preview.paths(), [Path::new("/a/codes.csv")]);
        let export: codes_export::Args =
            serde_json::from_value(json!({"ticketType": "T1", "path": "/b/out.csv"}))
                .expect("args");
        assert_eq!(export.paths(), [Path::new("/b/out.csv")]);
        let audit: audit_export::Args =
            serde_json::from_value(json!({"query": {}, "path": "/c/audit.csv"})).expect("args");
        assert_eq!(audit.paths(), [Path::new("/c/audit.csv")]);
        let none: batch_get::Args =
            serde_json::from_value(json!({"ticketType": "/not/a/path"})).expect("args");
        assert!(none.paths().is_empty(), "a String is no path");
        assert!(app_info::Args {}.paths().is_empty());
        assert_eq!(path_of(&Some(PathBuf::from("/d"))), Some(Path::new("/d")));
        assert_eq!(path_of(&None::<PathBuf>), None);
    }

    #[test]
    fn json_calls_reach_the_desk_with_camel_case_arguments() {
        let (_dir, desk) = desk();
        let made = call_json(
            &desk,
            "batch_create",
            json!({"ticketType": "T1", "name": "春节"}),
        )
        .expect("created");
        assert_eq!(made["ticketType"], "T1");
        let again = call_json(
            &desk,
            "batch_create",
            json!({"ticketType": "T2", "name": "春节"}),
        );
        assert_eq!(again.expect_err("taken").code, "batch_name_taken");
        let got = call_json(&desk, "batch_get", json!({"ticketType": "T1"})).expect("got");
        assert_eq!(got["name"], "春节");
    }

    #[test]
    fn bad_arguments_and_unknown_commands_say_so() {
        let (_dir, desk) = desk();
        let bad = call_json(&desk, "batch_create", json!({"ticketType": 5}))
            .expect_err("a number is not a ticket type");
        assert_eq!(bad.code, "invalid_request");
        assert!(bad.message.contains("batch_create"), "{}", bad.message);
        let unknown = call_json(&desk, "redeem_use", json!({})).expect_err("removed");
        assert_eq!(unknown.code, "unknown_command");
        // Jobs only answer as jobs, and commands only as commands.
        let job = call_json(&desk, "codes_export", json!({})).expect_err("a job");
        assert_eq!(job.code, "unknown_command");
        let cmd = call_job_json(&desk, "batch_get", "j", json!({}), &mut |_| {});
        assert_eq!(cmd.expect_err("not a job").code, "unknown_command");
    }

    #[test]
    fn a_job_reports_progress_and_its_result_and_is_then_over() {
        let (dir, desk) = desk();
        let csv = dir.path().join("codes.csv");
        std::fs::write(&csv, "code\nAAAA0001\nAAAA0002\nAAAA0001\nx\n").expect("csv");
        let mut seen = Vec::new();
        let report = call_job_json(
            &desk,
            "codes_import",
            "job-1",
            json!({
                "jobId": "job-1",
                "path": csv,
                "target": {"new": {"ticketType": "IMP1", "name": "导入"}},
                "options": {"encoding": "auto", "header": "auto", "column": null},
            }),
            &mut |p| seen.push(p),
        )
        .expect("imported");
        assert_eq!(
            (&report["imported"], &report["skippedDuplicate"]),
            (&json!(2), &json!(1))
        );
        assert!(
            !seen.is_empty(),
            "the last progress message always goes out"
        );
        assert_eq!(seen.last().map(|p| &p["imported"]), Some(&json!(2)));
        // The rule of Desk: the codes are searchable when the job returns.
        let page = call_json(
            &desk,
            "codes_list",
            json!({"query": {"ticketType": "IMP1", "status": null, "search": "A0002",
                            "page": {"page": 1, "perPage": 10}}}),
        )
        .expect("listed");
        assert_eq!(page["total"], 1);
        let cancelled = call_json(&desk, "job_cancel", json!({"jobId": "job-1"})).expect("ok");
        assert_eq!(cancelled, json!(false));
    }
}
