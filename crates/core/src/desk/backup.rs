//! Use cases of backups (store/backup): back up now, list the daily backups, make the
//! day's automatic one, restore.

use std::path::{Path, PathBuf};

use super::{Desk, DeskResult};
use crate::domain::staff::Permission;
use crate::store::backup::{self, BackupFile, BackupReport, RestoreReport};
use crate::store::{self, audit};

impl Desk {
    /// Copies the database to `out` (a new file unless `overwrite`), on a connection of
    /// its own: the counter's connection stays free while the copy runs. Audited: the
    /// copy carries every customer's data out of the database.
    pub fn backup_to(&self, out: &Path, overwrite: bool) -> DeskResult<BackupReport> {
        let _who = self.act(Permission::Backup)?;
        let conn = store::open(&self.path)?;
        let report = backup::write(&conn, &self.path, out, overwrite)?;
        let detail = serde_json::json!({ "path": report.path, "bytes": report.bytes });
        audit::record_alone(&mut self.conn(), "db.backup", "database", &detail)?;
        Ok(report)
    }

    /// The automatic daily backups, newest first.
    pub fn backup_list(&self) -> DeskResult<Vec<BackupFile>> {
        Ok(backup::list_daily(&self.path)?)
    }

    /// Today's automatic backup (local date) unless it exists, and the rotation; the app
    /// calls it at start-up and hourly. Work of the app, not of a person: not audited.
    pub fn daily_backup(&self) -> DeskResult<Option<PathBuf>> {
        let conn = store::open(&self.path)?;
        let today = chrono::Local::now().date_naive();
        Ok(backup::daily(&conn, &self.path, today)?)
    }

    /// Replaces the database with the backup `file` (see store/backup/restore.rs). Takes
    /// the Desk: its own connections must close first, or the database would count as
    /// in use. The restored database (migrated when older) records who restored what.
    pub fn restore(self, file: &Path) -> DeskResult<RestoreReport> {
        // The guard keeps naming the staff member after the Desk is gone.
        let who = self.act(Permission::Restore)?;
        let db = self.path.clone();
        drop(self);
        let report = backup::restore(&db, file)?;
        let mut conn = store::open(&db)?;
        let detail = serde_json::json!({
            "from": report.from,
            "beforeRestore": report.before_restore,
            "backupSchemaVersion": report.backup_schema_version,
        });
        audit::record_alone(&mut conn, "db.restore", "database", &detail)?;
        drop(who);
        Ok(report)
    }
}
