//! Use cases of red-packet bonuses (spec 002): create many, list by status, show, grant,
//! disable, check and redeem at the counter, export. Also the small CSV writer the bonus
//! and voucher exports share (same rules as `export`: UTF-8 with BOM, formulas
//! neutralised, temporary file renamed at the end).

use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::Instant;

use chrono::{DateTime, Utc};

use super::{Desk, DeskResult};
use crate::api_error::FieldError;
use crate::domain::bonus::{
    Bonus, BonusCheck, BonusCreation, BonusDraft, BonusOutcome, BonusQuery, BonusRedeemRequest,
    BonusRunDisabled,
};
use crate::domain::money::format_yuan;
use crate::domain::staff::Permission;
use crate::domain::Page;
use crate::export::{neutralise, ExportError, ExportReport};
use crate::store::bonuses::{self, BonusError, BonusRef};
use crate::store::{self};

impl Desk {
    /// Creates `draft.quantity` bonuses, each with its own code, in one transaction.
    /// An expiry given as a date (`expires_on`) ends with that day in the shop's zone.
    pub fn create_bonuses(&self, mut draft: BonusDraft) -> DeskResult<BonusCreation> {
        let _who = self.act(Permission::CreateBonuses)?;
        self.recording(|conn| {
            if let Some(day) = draft.expires_on.take() {
                if draft.expired_at.is_some() {
                    return Err(BonusError::InvalidFields(vec![FieldError::new(
                        "expiresOn",
                        "invalid",
                        "give an expiry date or an expiry time, not both",
                    )]));
                }
                let clock = store::settings::clock(&store::settings::get(conn)?);
                draft.expired_at = Some(clock.end_of_day(day));
            }
            bonuses::create(conn, draft, Utc::now())
        })
    }

    /// Spec 002's lists: by status (None: all), optionally one customer's.
    pub fn list_bonuses(&self, q: &BonusQuery) -> DeskResult<Page<Bonus>> {
        let mut q = q.clone();
        q.page = q.page.validated()?;
        let page = bonuses::list(&self.conn(), &q, Utc::now())?;
        self.for_viewer(page)
    }

    pub fn get_bonus(&self, target: BonusRef<'_>) -> DeskResult<Bonus> {
        let b = bonuses::get(&self.conn(), target, Utc::now())?;
        self.for_viewer(b)
    }

    /// Grants an unused bonus to a customer, once; a new phone joins the register under
    /// `customer_name`.
    pub fn grant_bonus(
        &self,
        target: BonusRef<'_>,
        customer: &str,
        customer_name: Option<&str>,
    ) -> DeskResult<Bonus> {
        let _who = self.act(Permission::GrantBonus)?;
        self.recording(|c| bonuses::grant(c, target, customer, customer_name, Utc::now()))
    }

    pub fn disable_bonus(&self, target: BonusRef<'_>) -> DeskResult<Bonus> {
        let _who = self.act(Permission::DisableBonuses)?;
        self.recording(|c| bonuses::disable(c, target, Utc::now()))
    }

    /// Disables a whole create run made by mistake (`BonusCreation::run`); see
    /// `store::bonuses::disable_run`.
    pub fn disable_bonus_run(&self, run: i64) -> DeskResult<BonusRunDisabled> {
        let _who = self.act(Permission::DisableBonuses)?;
        self.recording(|c| bonuses::disable_run(c, run, Utc::now()))
    }

    pub fn check_bonus(&self, req: &BonusRedeemRequest) -> DeskResult<BonusCheck> {
        Ok(bonuses::check(&self.conn(), req, Utc::now())?)
    }

    /// Redeems the bonus when it is redeemable.
    pub fn redeem_bonus(&self, req: &BonusRedeemRequest) -> DeskResult<BonusOutcome> {
        let _who = self.act(Permission::Redeem)?;
        let _turn = crate::store::counter_lane::CounterTurn::take(&self.path);
        Ok(bonuses::redeem(&mut self.conn(), req, Utc::now())?)
    }

    /// Writes every bonus the query matches (its page ignored) to a CSV file.
    pub fn export_bonuses(&self, q: &BonusQuery, out: &Path) -> DeskResult<ExportReport> {
        let _who = self.act(Permission::Export)?;
        let conn = store::open(&self.path)?;
        let mut csv = CsvFile::create(out, &BONUS_HEADER)?;
        bonuses::for_each(&conn, q, Utc::now(), &mut |b: &Bonus| {
            let used_order = b.used_order_fen.map(format_yuan);
            csv.row(&[
                &b.id.to_string(),
                &b.code,
                b.status.as_str(),
                &format_yuan(b.amount_fen),
                &format_yuan(b.min_amount_fen),
                &time(b.expired_at),
                &b.xname,
                opt(&b.product_sku),
                opt(&b.customer),
                opt(&b.customer_name),
                &time(b.granted_at),
                &time(b.used_at),
                opt(&used_order),
                opt(&b.used_by),
                opt(&b.used_terminal),
                &b.created_at.to_rfc3339(),
            ])
            .map_err(super::DeskError::from)
        })?;
        let report = csv.finish()?;
        self.audited_export("bonus.export", "bonuses", report)
    }
}

const BONUS_HEADER: [&str; 16] = [
    "id",
    "code",
    "status",
    "amount_yuan",
    "min_amount_yuan",
    "expired_at",
    "xname",
    "product_sku",
    "customer",
    "customer_name",
    "granted_at",
    "used_at",
    "used_order_yuan",
    "used_by",
    "used_terminal",
    "created_at",
];

pub(super) fn time(t: Option<DateTime<Utc>>) -> String {
    t.map(|t| t.to_rfc3339()).unwrap_or_default()
}

pub(super) fn opt(s: &Option<String>) -> &str {
    s.as_deref().unwrap_or("")
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A CSV file being written: to a temporary file beside `out`, renamed over it by
/// `finish`, so a failed export never leaves half a file.
pub(super) struct CsvFile {
    w: csv::Writer<BufWriter<tempfile::NamedTempFile>>,
    out: String,
    target: std::path::PathBuf,
    rows: u64,
    started: Instant,
}

impl CsvFile {
    pub(super) fn create(out: &Path, header: &[&str]) -> Result<CsvFile, ExportError> {
        let started = Instant::now();
        let path = out.display().to_string();
        let werr = |source| ExportError::Write {
            path: path.clone(),
            source,
        };
        let dir = out
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let tmp = tempfile::NamedTempFile::new_in(dir).map_err(werr)?;
        let mut buffered = BufWriter::with_capacity(64 * 1024, tmp);
        buffered.write_all(BOM).map_err(werr)?;
        let mut f = CsvFile {
            w: csv::Writer::from_writer(buffered),
            out: path.clone(),
            target: out.to_owned(),
            rows: 0,
            started,
        };
        f.write(header)?;
        Ok(f)
    }

    fn err(&self, source: std::io::Error) -> ExportError {
        ExportError::Write {
            path: self.out.clone(),
            source,
        }
    }

    fn write(&mut self, cells: &[&str]) -> Result<(), ExportError> {
        let cells: Vec<_> = cells.iter().map(|c| neutralise(c)).collect();
        self.w
            .write_record(cells.iter().map(|c| c.as_ref()))
            .map_err(|e| {
                let io = match e.into_kind() {
                    csv::ErrorKind::Io(source) => source,
                    other => std::io::Error::other(format!("{other:?}")),
                };
                self.err(io)
            })
    }

    pub(super) fn row(&mut self, cells: &[&str]) -> Result<(), ExportError> {
        self.write(cells)?;
        self.rows += 1;
        Ok(())
    }

    pub(super) fn finish(self) -> Result<ExportReport, ExportError> {
        let werr = |source| ExportError::Write {
            path: self.out.clone(),
            source,
        };
        let buffered = self
            .w
            .into_inner()
            .map_err(|e| werr(std::io::Error::other(e.to_string())))?;
        let tmp = buffered
            .into_inner()
            .map_err(|e| werr(std::io::Error::other(e.to_string())))?;
        tmp.as_file().sync_all().map_err(werr)?;
        tmp.persist(&self.target).map_err(|e| werr(e.error))?;
        Ok(ExportReport {
            path: self.out.clone(),
            rows: self.rows,
            cancelled: false,
            elapsed_ms: self.started.elapsed().as_millis() as u64,
        })
    }
}
