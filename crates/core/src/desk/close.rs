//! The daily close (日结) as data: one shop day's uses per terminal, by template, staff
//! and kind. A read under `Permission::Reports`, like the report it is built from
//! (desk/reports.rs): the same filter, so a close page and the report filtered by that
//! day and terminal always agree.

use super::reports::{filter, range};
use super::{Desk, DeskResult};
use crate::domain::close::{zone_label, CloseQuery, DailyClose, TerminalClose};
use crate::domain::report::{Figures, GroupBy};
use crate::domain::staff::Permission;
use crate::store::reports;
use crate::store::settings;

impl Desk {
    /// The close of the shop's day `q.day`, one entry per terminal (see `DailyClose`).
    pub fn report_close(&self, q: &CloseQuery) -> DeskResult<DailyClose> {
        self.read_as_viewer(Permission::Reports)?;
        let conn = self.conn();
        let s = settings::get(&conn)?;
        let day = range(q.day, q.day);
        let asked = q
            .terminal
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty());
        let mut names: Vec<String> = match asked {
            Some(t) => vec![t.to_owned()],
            None => reports::report(&conn, &filter(&conn, &day)?, GroupBy::Terminal)?
                .0
                .into_iter()
                .map(|g| g.key)
                .collect(),
        };
        if names.is_empty() {
            names.push(s.terminal.clone());
        }
        names.sort();
        let mut total = Figures::default();
        let mut terminals = Vec::with_capacity(names.len());
        for terminal in names {
            let mut tq = day.clone();
            tq.terminal = Some(terminal.clone());
            let f = filter(&conn, &tq)?;
            let (by_template, figures) = reports::report(&conn, &f, GroupBy::Template)?;
            let (by_staff, _) = reports::report(&conn, &f, GroupBy::Staff)?;
            let (by_kind, _) = reports::report(&conn, &f, GroupBy::Kind)?;
            total.add(figures);
            terminals.push(TerminalClose {
                terminal,
                by_template,
                by_staff,
                by_kind,
                total: figures,
            });
        }
        Ok(DailyClose {
            day: q.day,
            shop_name: s.shop_name.clone(),
            zone: zone_label(s.shop_utc_offset_minutes),
            terminals,
            total,
        })
    }
}
