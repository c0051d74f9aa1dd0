//! The use cases: the one place the Tauri shell and the CLI call into. Each method is one
//! user action; the work it does is in `store`, `import`, `export` and `generate`.
//!
//! A `Desk` holds one SQLite connection for short actions (behind a mutex, so the shell can
//! share the Desk across threads); long work (import, generate, export, index) opens its own
//! connection so the window stays responsive while it runs.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::domain::batch::BatchFieldError;
use crate::domain::page::PageError;
use crate::domain::staff::Permission;
use crate::domain::{Batch, BatchName, Page, PageRequest, TicketType};
use crate::export::{ExportError, ExportOptions, ExportProgress, ExportReport};
use crate::generate::{GenerateError, GenerateProgress, GenerateReport, GenerateRequest};
use crate::import::run::Indexing;
use crate::import::ImportError;
use crate::import::{ImportOptions, ImportPreview, ImportProgress, ImportReport, ImportTarget};
use crate::progress::{CancelToken, Jobs};
use crate::store::bonuses::BonusError;
use crate::store::codes::{CodeQuery, CodeRow};
use crate::store::customers::CustomerError;
use crate::store::redemptions::RedeemError;
use crate::store::settings::SettingsError;
use crate::store::templates::TemplateError;
use crate::store::vouchers::VoucherError;
use crate::store::{self, StoreError};

mod audit;
mod backup;
mod bonuses;
mod close;
mod counter;
pub mod counter_any;
mod customer_profile;
pub mod hub;
pub mod hub_audit;
pub mod hub_audit_export;
mod hub_bonuses;
pub mod hub_counter;
mod hub_lease;
pub mod hub_pull;
mod hub_records;
pub mod hub_relay;
mod hub_session;
mod hub_staff;
mod hub_vouchers;
mod import_guard;
mod print;
mod reconcile;
mod reports;
mod run_issues;
pub mod session;
mod staff;
mod sync;
mod templates;
mod vouchers;
pub mod window;

/// Everything a use case can fail with; each variant keeps its module's error and code.
#[derive(Debug, thiserror::Error)]
pub enum DeskError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Field(#[from] BatchFieldError),
    #[error(transparent)]
    Page(#[from] PageError),
    #[error(transparent)]
    Import(#[from] ImportError),
    #[error(transparent)]
    Generate(#[from] GenerateError),
    #[error(transparent)]
    Export(#[from] ExportError),
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error(transparent)]
    Redeem(#[from] RedeemError),
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error(transparent)]
    Bonus(#[from] BonusError),
    #[error(transparent)]
    Voucher(#[from] VoucherError),
    #[error(transparent)]
    Customer(#[from] CustomerError),
    #[error(transparent)]
    Sync(#[from] crate::sync::SyncError),
    #[error(transparent)]
    Staff(#[from] crate::store::staff::StaffError),
    #[error(transparent)]
    Logo(#[from] crate::domain::logo::LogoError),
    #[error(transparent)]
    Backup(#[from] crate::store::backup::BackupError),
    #[error(transparent)]
    Report(#[from] crate::domain::report::ReportError),
    #[error(transparent)]
    Print(#[from] crate::print::PrintError),
    #[error(transparent)]
    Hub(#[from] crate::hub::HubError),
    #[error(transparent)]
    OfflinePolicy(#[from] crate::domain::offline::OfflinePolicyError),
    #[error(transparent)]
    HubAuditExport(#[from] hub_audit_export::HubAuditExportError),
    #[error("could not find a folder for CouponDesk's data on this computer; pass --db PATH")]
    NoDataDir,
}

crate::error_codes::impl_error_code! {
    DeskError {
        codes { DeskError::NoDataDir => "no_data_dir" }
        wraps {
            Store(StoreError),
            Field(BatchFieldError),
            Page(PageError),
            Import(ImportError),
            Generate(GenerateError),
            Export(ExportError),
            Template(TemplateError),
            Redeem(RedeemError),
            Settings(SettingsError),
            Bonus(BonusError),
            Voucher(VoucherError),
            Customer(CustomerError),
            Sync(crate::sync::SyncError),
            Staff(crate::store::staff::StaffError),
            Logo(crate::domain::logo::LogoError),
            Backup(crate::store::backup::BackupError),
            Report(crate::domain::report::ReportError),
            Print(crate::print::PrintError),
            Hub(crate::hub::HubError),
            OfflinePolicy(crate::domain::offline::OfflinePolicyError),
            HubAuditExport(hub_audit_export::HubAuditExportError),
        }
        fn fields(&self) -> Vec<crate::api_error::FieldError> {
            match self {
                DeskError::Template(e) => e.fields(),
                DeskError::Settings(e) => e.fields(),
                DeskError::Bonus(e) => e.fields(),
                DeskError::Voucher(e) => e.fields(),
                DeskError::Customer(e) => e.fields(),
                DeskError::Sync(e) => e.fields(),
                DeskError::Staff(e) => e.fields(),
                _ => Vec::new(),
            }
        }
    }
}

pub type DeskResult<T> = Result<T, DeskError>;

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct BatchQuery {
    /// Exact ticket_type.
    #[serde(default)]
    pub ticket_type: Option<String>,
    /// Fuzzy (substring) match on the name.
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub page: PageRequest,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AppInfo {
    pub db_path: String,
    pub version: String,
    pub schema_version: u32,
}

pub struct Desk {
    path: PathBuf,
    conn: Mutex<Connection>,
    jobs: Jobs,
    session: Mutex<session::SessionState>,
    /// The hub's pool, when this desk is joined to one (`hub_session`).
    hub: Mutex<hub_session::HubSlot>,
    _checkpointer: store::checkpointer::Checkpointer,
    _undoer: store::run_undo::Undoer,
}

impl Desk {
    /// The database the app and the CLI use when none is named: `coupondesk.sqlite3` in
    /// the OS's per-user data folder.
    pub fn default_db_path() -> DeskResult<PathBuf> {
        let dirs = directories::ProjectDirs::from("com", "CouponDesk", "CouponDesk")
            .ok_or(DeskError::NoDataDir)?;
        Ok(dirs.data_dir().join("coupondesk.sqlite3"))
    }

    /// Opens the database at `path` (creating it only in a folder that exists), migrates
    /// it, and finishes what a killed process left: runs whose owner is gone are taken
    /// out of sight at once and their codes deleted in the background while the Desk is
    /// open (`store::run_undo`).
    pub fn open(path: &Path) -> DeskResult<Desk> {
        Desk::open_creating(path, store::db_file::Creating::InExistingFolder)
    }

    /// As `open`, creating what `creating` allows: the app's own data folder on first
    /// start, or anything `coupondesk init` is asked for.
    pub fn open_creating(path: &Path, creating: store::db_file::Creating) -> DeskResult<Desk> {
        let mut conn = store::open_creating(path, creating)?;
        store::runs::recover_interrupted(&mut conn, path)?;
        // The counter's commits never pay for a checkpoint: see store/checkpointer.rs.
        conn.pragma_update(None, "wal_autocheckpoint", 0)
            .map_err(StoreError::from)?;
        Ok(Desk {
            path: path.to_owned(),
            conn: Mutex::new(conn),
            jobs: Jobs::default(),
            session: Mutex::default(),
            hub: Mutex::default(),
            _checkpointer: store::checkpointer::Checkpointer::start(path),
            // Deletes the codes of the runs just taken out of sight, chunk by chunk.
            _undoer: store::run_undo::Undoer::start(path),
        })
    }

    pub fn db_path(&self) -> &Path {
        &self.path
    }

    /// The long work running under ids the front end chose (`job_cancel`).
    pub fn jobs(&self) -> &Jobs {
        &self.jobs
    }

    /// Stops the job `job_id` at its next safe point; true when it was running.
    pub fn cancel_job(&self, job_id: &str) -> DeskResult<bool> {
        let _who = self.act(Permission::CancelJob)?;
        Ok(self.jobs.cancel(job_id))
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves the connection usable: every action is a
        // transaction that SQLite rolled back.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs a use case whose store functions may record changes for the platforms
    /// (`store::changes`), then routes what it recorded into the outbox, so the Sync
    /// page shows it at once. The use case has committed by then: a routing failure
    /// must not turn it into an error (staff would do it again); its records wait for
    /// the next routing (a later use case that records, the Sync page's reads, the
    /// start of a sync run).
    fn recording<T, E>(&self, f: impl FnOnce(&mut Connection) -> Result<T, E>) -> DeskResult<T>
    where
        DeskError: From<E>,
    {
        let mut conn = self.conn();
        let out = f(&mut conn);
        let recorded = store::changes::take_appended();
        let out = out?;
        if recorded {
            // Err: the records stay and are routed later (see above).
            let _ = crate::sync::router::route_pending(&mut conn);
        }
        Ok(out)
    }

    pub fn info(&self) -> DeskResult<AppInfo> {
        Ok(AppInfo {
            db_path: self.path.display().to_string(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            schema_version: store::migrations::schema_version(&self.conn())?,
        })
    }

    pub fn create_batch(&self, ticket_type: &str, name: &str) -> DeskResult<Batch> {
        let _who = self.act(Permission::CreateBatches)?;
        let ticket_type = TicketType::parse(ticket_type)?;
        let name = BatchName::parse(name)?;
        let mut conn = self.conn();
        Ok(store::batches::create(&mut conn, &ticket_type, &name)?)
    }

    pub fn list_batches(&self, q: &BatchQuery) -> DeskResult<Page<Batch>> {
        let page = q.page.validated()?;
        Ok(store::batches::list(
            &self.conn(),
            q.ticket_type.as_deref(),
            q.name.as_deref(),
            page,
        )?)
    }

    pub fn get_batch(&self, ticket_type: &str) -> DeskResult<Batch> {
        Ok(store::batches::get(&self.conn(), ticket_type)?)
    }

    pub fn list_codes(&self, q: &CodeQuery) -> DeskResult<Page<CodeRow>> {
        q.page.validated()?;
        Ok(store::codes::list(&self.conn(), q)?)
    }

    pub fn preview_import(
        &self,
        file: &Path,
        options: &ImportOptions,
    ) -> DeskResult<ImportPreview> {
        let _who = self.act(Permission::Import)?;
        import_guard::refuse_own_files(file, &self.path)?;
        Ok(crate::import::preview::preview(file, options)?)
    }

    /// Imports codes from a CSV file (see `import::run`); each chunk's codes go into the
    /// search index in the chunk's transaction, so they are searchable when it returns
    /// (`index_after` still catches up whatever an earlier, killed run left unindexed).
    pub fn import_codes(
        &self,
        file: &Path,
        target: &ImportTarget,
        options: &ImportOptions,
        cancel: &CancelToken,
        on_progress: &mut dyn FnMut(ImportProgress),
    ) -> DeskResult<ImportReport> {
        let done = self.import_with(
            file,
            target,
            options,
            (cancel, Indexing::EachChunk),
            on_progress,
        );
        self.index_after(done)
    }

    /// The import alone, the index left to catch up later: for the benchmark that times
    /// the two apart. Front ends call `import_codes`.
    pub fn import_codes_unindexed(
        &self,
        file: &Path,
        target: &ImportTarget,
        options: &ImportOptions,
        cancel: &CancelToken,
        on_progress: &mut dyn FnMut(ImportProgress),
    ) -> DeskResult<ImportReport> {
        self.import_with(
            file,
            target,
            options,
            (cancel, Indexing::Later),
            on_progress,
        )
    }

    fn import_with(
        &self,
        file: &Path,
        target: &ImportTarget,
        options: &ImportOptions,
        (cancel, index): (&CancelToken, Indexing),
        on_progress: &mut dyn FnMut(ImportProgress),
    ) -> DeskResult<ImportReport> {
        let _who = self.act(Permission::Import)?;
        // Before a row is read or a run claimed: nothing is written for a refused file.
        import_guard::refuse_own_files(file, &self.path)?;
        let mut conn = store::open(&self.path)?;
        Ok(crate::import::run::import(
            &mut conn,
            &self.path,
            file,
            target,
            options,
            (cancel, index),
            on_progress,
        )?)
    }

    /// Generates codes (see `generate`); they are in the search index when it returns.
    pub fn generate_codes(
        &self,
        req: &GenerateRequest,
        cancel: &CancelToken,
        on_progress: &mut dyn FnMut(GenerateProgress),
    ) -> DeskResult<GenerateReport> {
        let done = self.generate_codes_unindexed(req, cancel, on_progress);
        self.index_after(done)
    }

    /// The generation alone (benchmarks); front ends call `generate_codes`.
    pub fn generate_codes_unindexed(
        &self,
        req: &GenerateRequest,
        cancel: &CancelToken,
        on_progress: &mut dyn FnMut(GenerateProgress),
    ) -> DeskResult<GenerateReport> {
        let _who = self.act(Permission::Generate)?;
        let mut conn = store::open(&self.path)?;
        Ok(crate::generate::generate(
            &mut conn,
            &self.path,
            req,
            cancel,
            on_progress,
        )?)
    }

    pub fn export_codes(
        &self,
        ticket_type: &str,
        out: &Path,
        opts: &ExportOptions,
        cancel: &CancelToken,
        on_progress: &mut dyn FnMut(ExportProgress),
    ) -> DeskResult<ExportReport> {
        let _who = self.act(Permission::Export)?;
        let conn = store::open(&self.path)?;
        let report =
            crate::export::export_codes(&conn, ticket_type, out, opts, cancel, on_progress)?;
        self.audited_export("codes.export", ticket_type, report)
    }

    /// An export carries customers' data out of the file: who wrote what where is in the
    /// audit trail (after the file is complete; a failed export writes no entry).
    fn audited_export(
        &self,
        action: &str,
        subject: &str,
        report: ExportReport,
    ) -> DeskResult<ExportReport> {
        let detail = serde_json::json!({
            "path": report.path,
            "rows": report.rows,
            "cancelled": report.cancelled,
        });
        store::audit::record_alone(&mut self.conn(), action, subject, &detail)?;
        Ok(report)
    }

    /// The rule after an import or a generation, whatever its outcome (a cancelled or
    /// failed run may have committed chunks): bring the search index up to date, so what
    /// went in is searchable when the action returns. A failure to index does not hide the
    /// run's own answer: searches stay complete without the index (the unindexed tail is
    /// scanned), and the next start or run catches up.
    fn index_after<T>(&self, done: DeskResult<T>) -> DeskResult<T> {
        let _ = self.build_search_index(&CancelToken::new());
        done
    }

    /// Adds codes not yet in the substring search index to it, in chunks; returns how
    /// many it added. Safe to run at any time and from any process.
    pub fn build_search_index(&self, cancel: &CancelToken) -> DeskResult<u64> {
        let mut conn = store::open(&self.path)?;
        Ok(crate::search_index::catch_up(&mut conn, cancel)?)
    }
}

/// Each variant's code, exactly, and listed (`crate::all_error_codes` is built from the lists).
#[cfg(test)]
mod error_code_tests {
    use super::*;
    use crate::error_codes::assert_codes;
    #[test]
    fn every_variant_has_its_code() {
        assert_codes(vec![
            (DeskError::NoDataDir, "no_data_dir"),
            (
                DeskError::Store(StoreError::BatchFull("T1".into())),
                "batch_full",
            ),
            (
                DeskError::Field(BatchFieldError::TypeBad),
                "invalid_batch_type",
            ),
            (DeskError::Import(ImportError::NoDataRows), "no_data_rows"),
            (
                DeskError::Generate(GenerateError::ZeroCount),
                "invalid_generate",
            ),
            (
                DeskError::Template(TemplateError::NotFound(1)),
                "template_not_found",
            ),
            (
                DeskError::Redeem(RedeemError::NotFound(1)),
                "redemption_not_found",
            ),
            (
                DeskError::Bonus(BonusError::NotFound("B1".into())),
                "bonus_not_found",
            ),
            (
                DeskError::Voucher(VoucherError::NotFound(1)),
                "voucher_not_found",
            ),
            (
                DeskError::Customer(CustomerError::NotFound("1".into())),
                "customer_not_found",
            ),
            (
                DeskError::Sync(crate::sync::SyncError::TooManyCodes),
                "too_many_codes",
            ),
        ]);
    }
}
