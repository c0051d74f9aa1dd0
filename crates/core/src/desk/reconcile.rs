//! Reconciliation (对账): per platform and group, the local counts beside the counts the
//! last pull saw, and the differing items, listed and exported. Reads need
//! `Permission::Reports`; the export `Permission::Export`, like every export.
//! Which platforms are compared and what "local" counts is in docs/reports.md.

use std::path::Path;

use chrono::Utc;
use rusqlite::Connection;

use super::bonuses::table_file;
use super::{Desk, DeskError, DeskResult};
use crate::domain::reconcile::{
    disagree, PlatformPull, ReconItem, ReconItemsQuery, ReconRow, Reconciliation, COMPARED,
};
use crate::domain::staff::Permission;
use crate::domain::{Page, PageRequest};
use crate::export::words::item_state;
use crate::export::{col, Column, ExportOptions, ExportReport, Kind, Word};
use crate::store;
use crate::store::reconcile::{self as seen, SeenGroup};
use crate::sync::connectors::sense::IMPORT as SENSE_IMPORT;
use crate::sync::Platform;

const ITEM_COLUMNS: [Column; 6] = [
    col(Word::PlatformCol, Kind::Text),
    col(Word::Group, Kind::Text),
    col(Word::Item, Kind::Text),
    col(Word::LocalId, Kind::Number),
    col(Word::Here, Kind::Text),
    col(Word::There, Kind::Text),
];

impl Desk {
    /// Every compared platform's groups, local beside remote, and each one's last pull.
    pub fn reconciliation(&self) -> DeskResult<Reconciliation> {
        self.read_as_viewer(Permission::Reports)?;
        let conn = self.conn();
        let mut rows = Vec::new();
        let mut pulls = Vec::new();
        for p in COMPARED {
            let pulled = seen::last_pull(&conn, p)?;
            pulls.push(PlatformPull {
                platform: p,
                seen_at: pulled,
            });
            let local = local_groups(&conn, p)?;
            let remote = if pulled.is_some() {
                seen::seen(&conn, p)?
            } else {
                Vec::new()
            };
            let items_known = seen::lists_items(p);
            let mut keys: Vec<(String, String)> = local
                .iter()
                .map(|g| (g.key.clone(), g.label.clone()))
                .chain(remote.iter().map(|(g, _)| (g.key.clone(), g.label.clone())))
                .collect();
            keys.sort();
            keys.dedup_by(|a, b| a.0 == b.0);
            for (key, label) in keys {
                let there = remote.iter().find(|(g, _)| g.key == key);
                let differing = match (there, items_known) {
                    (Some(_), true) => seen::differing_count(&conn, p, Some(&key))?.unwrap_or(0),
                    _ => 0,
                };
                let here = local
                    .iter()
                    .find(|g| g.key == key)
                    .map(|g| g.counts)
                    .unwrap_or_default();
                let remote = there.map(|(g, _)| g.counts);
                rows.push(ReconRow {
                    platform: p,
                    local: here,
                    remote,
                    differs: disagree(here, remote, differing),
                    seen_at: there.map(|(_, at)| *at),
                    items_known,
                    differing,
                    label: if label.is_empty() { key.clone() } else { label },
                    key,
                });
            }
        }
        Ok(Reconciliation { rows, pulls })
    }

    /// One page of the items that differ on one platform (one group, when given). None
    /// before the platform's first pull: there is nothing to compare with.
    pub fn reconciliation_items(&self, q: &ReconItemsQuery) -> DeskResult<Page<ReconItem>> {
        self.read_as_viewer(Permission::Reports)?;
        let page = q.page.validated()?;
        let conn = self.conn();
        if seen::last_pull(&conn, q.platform)?.is_none() {
            return Ok(Page::new(Vec::new(), page, 0));
        }
        let (items, total) = seen::differing(&conn, q.platform, q.key.as_deref(), page)?;
        Ok(Page::new(items, page, total))
    }

    /// Every differing item of one platform (one group, when given) as a CSV or XLSX
    /// file, in `opts`' language.
    pub fn export_reconciliation(
        &self,
        q: &ReconItemsQuery,
        out: &Path,
        opts: &ExportOptions,
    ) -> DeskResult<ExportReport> {
        let _who = self.act(Permission::Export)?;
        let conn = store::open(&self.path)?;
        let (mut file, _zone) = table_file(&conn, out, opts, &ITEM_COLUMNS)?;
        if seen::last_pull(&conn, q.platform)?.is_some() {
            let per_page = crate::domain::page::MAX_PER_PAGE;
            for n in 1.. {
                let page = PageRequest { page: n, per_page };
                let (items, _) = seen::differing(&conn, q.platform, q.key.as_deref(), page)?;
                for i in &items {
                    file.row(&[
                        i.platform.id(),
                        &i.key,
                        &i.item,
                        &i.local_id.map(|id| id.to_string()).unwrap_or_default(),
                        item_state(i.local).text(opts.lang),
                        item_state(i.remote).text(opts.lang),
                    ])
                    .map_err(DeskError::from)?;
                }
                if items.len() < per_page as usize {
                    break;
                }
            }
        }
        let report = file.finish()?;
        self.audited_export("reconciliation.export", "remote_seen_items", report)
    }
}

/// This desk's side of `p`'s groups.
fn local_groups(conn: &Connection, p: Platform) -> DeskResult<Vec<SeenGroup>> {
    Ok(match p {
        Platform::Sense => seen::sense_local(conn, SENSE_IMPORT)?,
        Platform::Bonus => vec![SeenGroup {
            key: String::new(),
            label: String::new(),
            counts: seen::bonus_local(conn, Utc::now().timestamp_millis())?,
        }],
        Platform::Voucher => seen::voucher_local(conn)?,
        _ => Vec::new(),
    })
}
