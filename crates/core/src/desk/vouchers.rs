//! Use cases of exchange vouchers (spec 003) and of the customer register they share with
//! bonuses: sell, list, show, use, export; add and search customers.

use std::path::Path;

use chrono::Utc;

use super::bonuses::{opt, table_file, time};
use super::{Desk, DeskError, DeskResult};
use crate::domain::customer::{Customer, CustomerDraft};
use crate::domain::money::format_yuan;
use crate::domain::staff::Permission;
use crate::domain::voucher::{Voucher, VoucherDraft, VoucherQuery};
use crate::domain::{Page, PageRequest};
use crate::export::words::{self, shop_time};
use crate::export::{col, Column, ExportOptions, ExportReport, Kind, Word};
use crate::store::{self, customers, vouchers};

impl Desk {
    /// Sells one voucher; a new phone joins the register.
    pub fn sell_voucher(&self, draft: VoucherDraft) -> DeskResult<Voucher> {
        let _who = self.act(Permission::SellVoucher)?;
        self.recording(|c| vouchers::sell(c, draft, Utc::now()))
    }

    /// Spec 003's query: name substring, `nopkg`, plus customer and used / unused.
    pub fn list_vouchers(&self, q: &VoucherQuery) -> DeskResult<Page<Voucher>> {
        let mut q = q.clone();
        q.page = q.page.validated()?;
        let page = vouchers::list(&self.conn(), &q)?;
        self.for_viewer(page)
    }

    pub fn get_voucher(&self, id: i64) -> DeskResult<Voucher> {
        let v = vouchers::get(&self.conn(), id)?;
        self.for_viewer(v)
    }

    /// Marks the voucher used now; a used voucher is refused (`voucher_already_used`). At
    /// a joined desk the hub is asked first (`hub_vouchers`).
    pub fn use_voucher(&self, id: i64) -> DeskResult<Voucher> {
        let _who = self.act(Permission::UseVoucher)?;
        match self.linked_hub() {
            Ok(Some(linked)) => return self.use_voucher_chained(Some(&linked), id),
            Ok(None) => {}
            // Joined, but the hub cannot be opened here: as if it did not answer.
            Err(_) if self.hub_joined()? => return self.use_voucher_chained(None, id),
            Err(e) => return Err(e),
        }
        Ok(vouchers::use_voucher(&mut self.conn(), id, Utc::now())?)
    }

    /// Writes every voucher the query matches (its page ignored) to a CSV file.
    pub fn export_vouchers(
        &self,
        q: &VoucherQuery,
        out: &Path,
        opts: &ExportOptions,
    ) -> DeskResult<ExportReport> {
        let _who = self.act(Permission::Export)?;
        let conn = store::open(&self.path)?;
        let (mut file, zone) = table_file(&conn, out, opts, &VOUCHER_COLUMNS)?;
        let yes_no = |b: bool| words::yes_no(b).text(opts.lang);
        vouchers::for_each(&conn, q, &mut |v: &Voucher| {
            file.row(&[
                &v.id.to_string(),
                &v.customer,
                &v.customer_name,
                &v.name,
                &format_yuan(v.price_fen),
                &v.pkg.map(|p| p.to_string()).unwrap_or_default(),
                &v.introduction,
                yes_no(v.valid),
                yes_no(v.paid),
                &shop_time(zone, v.created_at),
                &time(zone, v.used_at),
                opt(&v.used_by),
                opt(&v.used_terminal),
            ])
            .map_err(DeskError::from)
        })?;
        let report = file.finish()?;
        self.audited_export("voucher.export", "vouchers", report)
    }

    /// Adds a customer, or renames the one with this phone.
    pub fn add_customer(&self, draft: &CustomerDraft) -> DeskResult<Customer> {
        let _who = self.act(Permission::AddCustomer)?;
        Ok(customers::save(&mut self.conn(), draft)?)
    }

    /// Newest first; `search` is a substring of the phone or the name.
    pub fn list_customers(
        &self,
        search: Option<&str>,
        page: PageRequest,
    ) -> DeskResult<Page<Customer>> {
        let page = page.validated()?;
        let page = customers::list(&self.conn(), search, page)?;
        self.for_viewer(page)
    }

    pub fn get_customer(&self, phone: &str) -> DeskResult<Customer> {
        let c = customers::get(&self.conn(), phone)?;
        self.for_viewer(c)
    }
}

const VOUCHER_COLUMNS: [Column; 13] = [
    col(Word::Id, Kind::Number),
    col(Word::Customer, Kind::Text),
    col(Word::CustomerName, Kind::Text),
    col(Word::VoucherName, Kind::Text),
    col(Word::PriceYuan, Kind::Money),
    col(Word::Package, Kind::Number),
    col(Word::Introduction, Kind::Text),
    col(Word::Valid, Kind::Text),
    col(Word::Paid, Kind::Text),
    col(Word::CreatedAt, Kind::Time),
    col(Word::UsedAt, Kind::Time),
    col(Word::UsedBy, Kind::Text),
    col(Word::UsedTerminal, Kind::Text),
];
