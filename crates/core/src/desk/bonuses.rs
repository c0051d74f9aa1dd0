//! Use cases of red-packet bonuses (spec 002): create many, list by status, show, grant,
//! disable, check and redeem at the counter, export. Also `table_file`, which the other
//! desk exports (vouchers, audit, an import's rejected rows) open their file with.

use std::path::Path;

use chrono::{DateTime, FixedOffset, Utc};

use super::{Desk, DeskResult};
use crate::api_error::FieldError;
use crate::domain::bonus::{
    Bonus, BonusCheck, BonusCreation, BonusDraft, BonusOutcome, BonusQuery, BonusRedeemRequest,
    BonusRunDisabled,
};
use crate::domain::money::format_yuan;
use crate::domain::staff::Permission;
use crate::domain::Page;
use crate::export::words::{self, shop_time};
use crate::export::{self, col, Column, ExportError, ExportOptions, ExportReport, Kind};
use crate::export::{TableFile, TableSpec, Word};
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
        let check = bonuses::check(&self.conn(), req, Utc::now())?;
        // A joined desk asks the hub too (desk/hub_bonuses.rs).
        Ok(match self.linked_hub()? {
            Some(linked) => self.check_bonus_chained(&linked, check),
            None => check,
        })
    }

    /// Redeems the bonus when it is redeemable.
    pub fn redeem_bonus(&self, req: &BonusRedeemRequest) -> DeskResult<BonusOutcome> {
        let _who = self.act(Permission::Redeem)?;
        // A joined desk claims the bonus at the hub first (desk/hub_bonuses.rs).
        match self.linked_hub() {
            Ok(Some(linked)) => return self.redeem_bonus_chained(Some(&linked), req),
            Ok(None) => {}
            // Joined, but the hub cannot be opened here: as if it did not answer.
            Err(_) if self.hub_joined()? => return self.redeem_bonus_chained(None, req),
            Err(e) => return Err(e),
        }
        let _turn = crate::store::counter_lane::CounterTurn::take(&self.path);
        Ok(bonuses::redeem(&mut self.conn(), req, Utc::now())?)
    }

    /// Writes every bonus the query matches (its page ignored) to a CSV file.
    pub fn export_bonuses(
        &self,
        q: &BonusQuery,
        out: &Path,
        opts: &ExportOptions,
    ) -> DeskResult<ExportReport> {
        let _who = self.act(Permission::Export)?;
        let conn = store::open(&self.path)?;
        let (mut file, zone) = table_file(&conn, out, opts, &BONUS_COLUMNS)?;
        let lang = opts.lang;
        bonuses::for_each(&conn, q, Utc::now(), &mut |b: &Bonus| {
            let used_order = b.used_order_fen.map(format_yuan);
            file.row(&[
                &b.id.to_string(),
                &b.code,
                words::bonus_status(b.status).text(lang),
                &format_yuan(b.amount_fen),
                &format_yuan(b.min_amount_fen),
                &time(zone, b.expired_at),
                &b.xname,
                opt(&b.product_sku),
                opt(&b.customer),
                opt(&b.customer_name),
                &time(zone, b.granted_at),
                &time(zone, b.used_at),
                opt(&used_order),
                opt(&b.used_by),
                opt(&b.used_terminal),
                &shop_time(zone, b.created_at),
            ])
            .map_err(super::DeskError::from)
        })?;
        let report = file.finish()?;
        self.audited_export("bonus.export", "bonuses", report)
    }
}

const BONUS_COLUMNS: [Column; 16] = [
    col(Word::Id, Kind::Number),
    col(Word::Code, Kind::Text),
    col(Word::Status, Kind::Text),
    col(Word::AmountYuan, Kind::Money),
    col(Word::MinAmountYuan, Kind::Money),
    col(Word::ExpiredAt, Kind::Time),
    col(Word::Xname, Kind::Text),
    col(Word::ProductSku, Kind::Text),
    col(Word::Customer, Kind::Text),
    col(Word::CustomerName, Kind::Text),
    col(Word::GrantedAt, Kind::Time),
    col(Word::UsedAt, Kind::Time),
    col(Word::UsedOrderYuan, Kind::Money),
    col(Word::UsedBy, Kind::Text),
    col(Word::UsedTerminal, Kind::Text),
    col(Word::CreatedAt, Kind::Time),
];

/// An export file for `columns`, in the format and language of `opts`, times in the
/// shop's zone (which it also returns, for the rows' times).
pub(super) fn table_file(
    conn: &rusqlite::Connection,
    out: &Path,
    opts: &ExportOptions,
    columns: &[Column],
) -> Result<(TableFile, FixedOffset), ExportError> {
    let zone = export::shop_zone(conn)?;
    let spec = TableSpec {
        columns,
        lang: opts.lang,
        zone,
    };
    Ok((TableFile::create(out, opts.format_for(out), &spec)?, zone))
}

/// A time in the shop's zone, or an empty cell.
pub(super) fn time(zone: FixedOffset, t: Option<DateTime<Utc>>) -> String {
    t.map(|t| shop_time(zone, t)).unwrap_or_default()
}

pub(super) fn opt(s: &Option<String>) -> &str {
    s.as_deref().unwrap_or("")
}
