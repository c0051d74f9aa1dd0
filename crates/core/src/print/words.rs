//! The few words a PDF prints, in the language asked (zh-CN, the default, or English).
//! The UI's i18n table is TypeScript; these are the core's own, kept together here.

use chrono::NaiveDate;

use crate::domain::print::PrintLang;

pub struct Words {
    pub close_title: &'static str,
    pub day: &'static str,
    pub zone: &'static str,
    pub terminal: &'static str,
    pub by_template: &'static str,
    pub by_staff: &'static str,
    pub by_kind: &'static str,
    pub col_count: &'static str,
    pub col_discount: &'static str,
    pub col_order: &'static str,
    pub total: &'static str,
    pub none: &'static str,
    pub printed_at: &'static str,
    pub page: &'static str,
    pub coupon: &'static str,
    pub bonus: &'static str,
    pub voucher: &'static str,
}

const ZH: Words = Words {
    close_title: "日结",
    day: "日期",
    zone: "时区",
    terminal: "终端",
    by_template: "按模板",
    by_staff: "按员工",
    by_kind: "按类型",
    col_count: "笔数",
    col_discount: "优惠金额（元）",
    col_order: "订单金额（元）",
    total: "合计",
    none: "当日无核销",
    printed_at: "打印时间",
    page: "页",
    coupon: "优惠券",
    bonus: "红包",
    voucher: "兑换券",
};

const EN: Words = Words {
    close_title: "Daily close",
    day: "Day",
    zone: "Zone",
    terminal: "Terminal",
    by_template: "By template",
    by_staff: "By staff member",
    by_kind: "By kind",
    col_count: "Uses",
    col_discount: "Discount (yuan)",
    col_order: "Order value (yuan)",
    total: "Total",
    none: "No uses on this day",
    printed_at: "Printed",
    page: "Page",
    coupon: "Coupons",
    bonus: "Bonuses",
    voucher: "Vouchers",
};

pub fn words(lang: PrintLang) -> &'static Words {
    match lang {
        PrintLang::ZhCn => &ZH,
        PrintLang::En => &EN,
    }
}

/// A template's dates on a label: `有效期 2026-12-01 至 2026-12-31`.
pub fn valid_between(lang: PrintLang, first: NaiveDate, last: NaiveDate) -> String {
    match lang {
        PrintLang::ZhCn => format!("有效期 {first} 至 {last}"),
        PrintLang::En => format!("Valid {first} to {last}"),
    }
}

/// A fixed term counted from each code's issue, within the template's dates.
pub fn valid_term(
    lang: PrintLang,
    start_after_days: u32,
    valid_days: u32,
    last: NaiveDate,
) -> String {
    match lang {
        PrintLang::ZhCn if start_after_days == 0 => {
            format!("领取当日起{valid_days}天有效，最晚 {last}")
        }
        PrintLang::ZhCn => {
            format!("领取{start_after_days}天后起{valid_days}天有效，最晚 {last}")
        }
        PrintLang::En => {
            format!("Valid {valid_days} days from day {start_after_days} after issue, until {last}")
        }
    }
}
