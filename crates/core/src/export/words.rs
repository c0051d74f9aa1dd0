//! The words of every exported file, in the UI's two languages: column headers, statuses,
//! yes/no and the reasons an import row was not taken. ONE table, here, so a CSV and an
//! XLSX export say the same thing and the UI has no copy of these words to drift from.
//!
//! What must stay true: every `Word` has both a zh-CN and an English text (the `words!`
//! table cannot compile otherwise), and no text is empty.

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::domain::bonus::BonusStatus;
use crate::domain::reconcile::ItemState;
use crate::domain::CodeStatus;
use crate::import::RowIssueKind;

/// The language of an exported file's words; the UI passes its own. zh-CN by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub enum Lang {
    #[default]
    #[serde(rename = "zh-CN")]
    ZhCn,
    #[serde(rename = "en")]
    En,
}

impl Lang {
    /// As the CLI's `--lang` takes it (and the UI's i18n table names it).
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "zh-CN" | "zh-cn" | "zh" => Some(Lang::ZhCn),
            "en" | "en-US" | "en-GB" => Some(Lang::En),
            _ => None,
        }
    }
}

macro_rules! words {
    ($($name:ident => $zh:literal, $en:literal;)*) => {
        /// One word (or short phrase) of an exported file.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Word { $($name),* }

        impl Word {
            pub const ALL: &'static [Word] = &[$(Word::$name),*];

            pub fn text(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $(
                        (Word::$name, Lang::ZhCn) => $zh,
                        (Word::$name, Lang::En) => $en,
                    )*
                }
            }
        }
    };
}

words! {
    // Column headers.
    Id => "编号", "ID";
    Code => "券码", "Code";
    Status => "状态", "Status";
    Position => "序号", "No.";
    CreatedAt => "创建时间", "Created";
    UpdatedAt => "更新时间", "Updated";
    AmountYuan => "面额(元)", "Amount (yuan)";
    MinAmountYuan => "使用门槛(元)", "Minimum order (yuan)";
    ExpiredAt => "过期时间", "Expires";
    Xname => "名称", "Name";
    ProductSku => "商品SKU", "Product SKU";
    Customer => "顾客手机号", "Customer phone";
    CustomerName => "顾客姓名", "Customer name";
    GrantedAt => "发放时间", "Granted";
    UsedAt => "使用时间", "Used";
    UsedOrderYuan => "订单金额(元)", "Order (yuan)";
    UsedBy => "核销员工", "Used by";
    UsedTerminal => "核销终端", "Used at terminal";
    VoucherName => "兑换券名称", "Voucher";
    PriceYuan => "价格(元)", "Price (yuan)";
    Package => "套餐", "Package";
    Introduction => "说明", "Description";
    Valid => "有效", "Valid";
    Paid => "已付款", "Paid";
    At => "时间", "Time";
    Actor => "操作人", "Staff";
    Terminal => "终端", "Terminal";
    Action => "操作", "Action";
    Subject => "对象", "Subject";
    Detail => "详情", "Detail";
    Hash => "哈希", "Hash";
    // The hub's trail (desk/hub_audit_export.rs): where an entry came from, by the hub's names.
    Store => "门店", "Store";
    HubTerminal => "总部终端", "Hub terminal";
    Row => "行号", "Row";
    Value => "内容", "Value";
    Reason => "原因", "Reason";
    // The redemption report (desk/reports.rs).
    GroupKey => "分组编号", "Group key";
    Uses => "核销次数", "Uses";
    DiscountYuan => "优惠金额(元)", "Discount (yuan)";
    OrderYuan => "订单金额(元)", "Order value (yuan)";
    Total => "合计", "Total";
    // Reconciliation's differing items (desk/reconcile.rs).
    PlatformCol => "平台", "Platform";
    Group => "分组", "Group";
    Item => "项目", "Item";
    LocalId => "本机编号", "Local ID";
    Here => "本机", "Here";
    There => "平台上", "On the platform";
    // Yes and no.
    Yes => "是", "yes";
    No => "否", "no";
    // A code's status (domain::lifecycle).
    CodeIssued => "已发行", "issued";
    CodeActive => "可使用", "active";
    CodeRedeemed => "已核销", "redeemed";
    CodeDisabled => "已停用", "disabled";
    CodeExpired => "已过期", "expired";
    // A bonus's status (spec 002's N01..N03, and disabled).
    BonusUnused => "未使用", "unused";
    BonusUsed => "已使用", "used";
    BonusExpired => "已过期", "expired";
    BonusDisabled => "已停用", "disabled";
    // How an item stands on one side (domain::reconcile::ItemState).
    ItemUnused => "未用", "unused";
    ItemUsed => "已用", "used";
    ItemDisabled => "已停用", "disabled";
    ItemAbsent => "没有", "not there";
    // Why an import row was not taken (import::RowIssueKind).
    IssueEmpty => "券码为空", "the code cell is empty";
    IssueTooShort => "券码少于4个字符", "the code is shorter than 4 characters";
    IssueTooLong => "券码多于64个字符", "the code is longer than 64 characters";
    IssueBadCharacter => "券码含有A-Z、a-z、0-9、-、_以外的字符",
        "the code has a character other than A-Z, a-z, 0-9, '-' or '_'";
    IssueBadFirstCharacter => "券码必须以字母或数字开头", "the code must start with a letter or a digit";
    IssueMissingColumn => "该行没有券码列", "the row has no cell in the code column";
    IssueUnreadable => "该行无法按所选编码读取", "the row is not readable in the chosen encoding";
    IssueDuplicateInFile => "券码在本文件前面已出现", "the code appears earlier in this file";
    IssueDuplicateInDatabase => "券码已在数据库中", "the code is already in the database";
}

pub fn code_status(s: CodeStatus) -> Word {
    match s {
        CodeStatus::Issued => Word::CodeIssued,
        CodeStatus::Active => Word::CodeActive,
        CodeStatus::Redeemed => Word::CodeRedeemed,
        CodeStatus::Disabled => Word::CodeDisabled,
        CodeStatus::Expired => Word::CodeExpired,
    }
}

pub fn bonus_status(s: BonusStatus) -> Word {
    match s {
        BonusStatus::Unused => Word::BonusUnused,
        BonusStatus::Used => Word::BonusUsed,
        BonusStatus::Expired => Word::BonusExpired,
        BonusStatus::Disabled => Word::BonusDisabled,
    }
}

pub fn item_state(s: ItemState) -> Word {
    match s {
        ItemState::Unused => Word::ItemUnused,
        ItemState::Used => Word::ItemUsed,
        ItemState::Disabled => Word::ItemDisabled,
        ItemState::Absent => Word::ItemAbsent,
    }
}

pub fn yes_no(b: bool) -> Word {
    if b {
        Word::Yes
    } else {
        Word::No
    }
}

pub fn issue(k: RowIssueKind) -> Word {
    match k {
        RowIssueKind::Empty => Word::IssueEmpty,
        RowIssueKind::TooShort => Word::IssueTooShort,
        RowIssueKind::TooLong => Word::IssueTooLong,
        RowIssueKind::BadCharacter => Word::IssueBadCharacter,
        RowIssueKind::BadFirstCharacter => Word::IssueBadFirstCharacter,
        RowIssueKind::MissingColumn => Word::IssueMissingColumn,
        RowIssueKind::Unreadable => Word::IssueUnreadable,
        RowIssueKind::DuplicateInFile => Word::IssueDuplicateInFile,
        RowIssueKind::DuplicateInDatabase => Word::IssueDuplicateInDatabase,
    }
}

/// A time as a spreadsheet shows and sorts it, in the shop's zone: `2026-12-07 20:15:03`.
/// The zone is in the column's header (`ShopZone::label`), so the cell stays short.
pub fn shop_time(zone: FixedOffset, t: DateTime<Utc>) -> String {
    t.with_timezone(&zone)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// `UTC+08:00`, `UTC-03:30`, `UTC+00:00`: the zone of a time column, in its header.
pub fn zone_label(zone: FixedOffset) -> String {
    let secs = zone.local_minus_utc();
    let sign = if secs < 0 { '-' } else { '+' };
    let m = secs.unsigned_abs() / 60;
    format!("UTC{sign}{:02}:{:02}", m / 60, m % 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn every_word_has_two_texts_and_they_differ_where_they_should() {
        for w in Word::ALL {
            assert!(!w.text(Lang::ZhCn).is_empty(), "{w:?}");
            assert!(!w.text(Lang::En).is_empty(), "{w:?}");
            // Every zh-CN word is written in Chinese, except the SKU's Latin letters.
            assert!(
                w.text(Lang::ZhCn).chars().any(|c| c > '\u{2E80}'),
                "{w:?} has no Chinese text"
            );
        }
        assert_eq!(Word::Code.text(Lang::ZhCn), "券码");
        assert_eq!(Word::Code.text(Lang::En), "Code");
    }

    #[test]
    fn statuses_map_to_their_words() {
        assert_eq!(code_status(CodeStatus::Redeemed).text(Lang::ZhCn), "已核销");
        assert_eq!(bonus_status(BonusStatus::Unused).text(Lang::En), "unused");
        assert_eq!(yes_no(false).text(Lang::ZhCn), "否");
        // The English reasons are the import report's own sentences, where it has them.
        for k in [RowIssueKind::Empty, RowIssueKind::DuplicateInDatabase] {
            assert_eq!(issue(k).text(Lang::En), k.describe());
        }
    }

    #[test]
    fn lang_parses_the_cli_and_ui_names() {
        assert_eq!(Lang::parse("zh-CN"), Some(Lang::ZhCn));
        assert_eq!(Lang::parse("en"), Some(Lang::En));
        assert_eq!(Lang::parse("fr"), None);
        assert_eq!(
            serde_json::to_string(&Lang::ZhCn).ok().as_deref(),
            Some("\"zh-CN\"")
        );
    }

    #[test]
    fn times_are_in_the_shops_zone_with_the_zone_in_the_header() {
        let t = Utc.with_ymd_and_hms(2026, 12, 7, 16, 30, 5).single();
        let Some(t) = t else { panic!("time") };
        let east = FixedOffset::east_opt(8 * 3600);
        let west = FixedOffset::west_opt(3 * 3600 + 1800);
        let (Some(east), Some(west)) = (east, west) else {
            panic!("zones")
        };
        // Past midnight in the shop: the shop's day, not UTC's.
        assert_eq!(shop_time(east, t), "2026-12-08 00:30:05");
        assert_eq!(shop_time(west, t), "2026-12-07 13:00:05");
        assert_eq!(zone_label(east), "UTC+08:00");
        assert_eq!(zone_label(west), "UTC-03:30");
    }
}
