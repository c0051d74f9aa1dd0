//! A customer's page: the register entry and what the shop holds for them.

use chrono::Utc;

use super::{Desk, DeskResult};
use crate::domain::bonus::BonusQuery;
use crate::domain::customer::{CustomerProfile, PROFILE_ROWS};
use crate::domain::voucher::VoucherQuery;
use crate::domain::PageRequest;
use crate::store::{bonuses, customers, redemptions, vouchers};

impl Desk {
    /// Read-only, like the lists it gathers; phones masked for a viewer who may not see them.
    pub fn customer_profile(&self, id: i64) -> DeskResult<CustomerProfile> {
        let profile = self.gather_profile(id)?;
        // After the connection is released: `for_viewer` takes it again.
        self.for_viewer(profile)
    }

    fn gather_profile(&self, id: i64) -> DeskResult<CustomerProfile> {
        let conn = self.conn();
        let customer = customers::get_by_id(&conn, id)?;
        let page = PageRequest {
            page: 1,
            per_page: PROFILE_ROWS,
        };
        let phone = Some(customer.phone.clone());
        let bonuses = bonuses::list(
            &conn,
            &BonusQuery {
                status: None,
                customer: phone.clone(),
                run: None,
                page,
            },
            Utc::now(),
        )?;
        let vouchers = vouchers::list(
            &conn,
            &VoucherQuery {
                customer: phone,
                page,
                ..VoucherQuery::default()
            },
        )?;
        let redemptions = redemptions::list_for_customer(&conn, &customer.phone, page)?;
        Ok(CustomerProfile {
            customer,
            bonuses,
            vouchers,
            redemptions,
        })
    }
}
