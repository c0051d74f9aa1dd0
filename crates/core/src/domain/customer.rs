//! The shop's customers, known by their mobile number: the one register that bonuses
//! (granted to a customer) and vouchers (sold to a customer) share.
//!
//! A customer's phone is a mainland China mobile number: 11 digits starting with 13-19.
//! People type it with spaces or dashes ("138 1234 5678", "138-1234-5678") and with the
//! country code ("+86 138...", "86138..."); all of these become the bare 11 digits.
//! Landlines and foreign numbers are refused: a customer is someone the shop can text.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::api_error::FieldError;

/// A validated mobile number: exactly 11 ASCII digits, `1[3-9]\d{9}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Phone(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("a mobile number is required")]
    Empty,
    #[error(
        "not a mainland mobile number: type the 11 digits starting with 13-19, e.g. \
         138 1234 5678 (landlines are not accepted)"
    )]
    Invalid,
}

impl Phone {
    pub fn parse(text: &str) -> Result<Phone, PhoneError> {
        let compact: String = text
            .trim()
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '\u{3000}'))
            .collect();
        if compact.is_empty() {
            return Err(PhoneError::Empty);
        }
        let digits = compact
            .strip_prefix("+86")
            .or_else(|| compact.strip_prefix("0086"))
            .or_else(|| {
                (compact.len() == 13)
                    .then(|| compact.strip_prefix("86"))
                    .flatten()
            })
            .unwrap_or(&compact);
        let b = digits.as_bytes();
        let ok = b.len() == 11
            && b.iter().all(u8::is_ascii_digit)
            && b[0] == b'1'
            && (b'3'..=b'9').contains(&b[1]);
        if ok {
            Ok(Phone(digits.to_owned()))
        } else {
            Err(PhoneError::Invalid)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// As a form error on `field`.
    pub fn field_error(field: &str, e: PhoneError) -> FieldError {
        let code = match e {
            PhoneError::Empty => "required",
            PhoneError::Invalid => "invalid",
        };
        FieldError::new(field, code, e.to_string())
    }
}

impl std::fmt::Display for Phone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// At most this many characters in a customer's name.
pub const NAME_MAX: usize = 32;

/// Trims a customer's name and checks its length.
pub fn clean_name(name: &str, field: &str) -> Result<String, FieldError> {
    let n = name.trim();
    if n.chars().count() > NAME_MAX {
        return Err(FieldError::new(
            field,
            "too_long",
            format!("at most {NAME_MAX} characters"),
        ));
    }
    Ok(n.to_owned())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Customer {
    #[ts(type = "number")]
    pub id: i64,
    /// 11 digits.
    pub phone: String,
    /// May be empty.
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One customer's page: who they are and, newest first, their bonuses, vouchers and
/// redemptions (each a first page of at most `PROFILE_ROWS`, with its total).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CustomerProfile {
    pub customer: Customer,
    pub bonuses: crate::domain::Page<crate::domain::bonus::Bonus>,
    pub vouchers: crate::domain::Page<crate::domain::voucher::Voucher>,
    pub redemptions: crate::domain::Page<crate::domain::redeem::Redemption>,
}

/// Rows of each list on a customer's page (the lists' own pages have the rest).
pub const PROFILE_ROWS: u32 = 50;

/// Adds a customer, or renames the one with this phone.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CustomerDraft {
    pub phone: String,
    #[serde(default)]
    pub name: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_mobiles_in_the_ways_people_type_them() {
        for ok in [
            "13812345678",
            " 138 1234 5678 ",
            "138-1234-5678",
            "+86 138 1234 5678",
            "+8613812345678",
            "8613812345678",
            "0086 13812345678",
            "19912345678",
        ] {
            let p = Phone::parse(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
            assert_eq!(p.as_str().len(), 11, "{ok}");
        }
        assert_eq!(
            Phone::parse("+86 138-1234-5678").map(|p| p.to_string()),
            Ok("13812345678".to_owned())
        );
    }

    #[test]
    fn refuses_landlines_short_long_and_foreign_numbers() {
        assert_eq!(Phone::parse(""), Err(PhoneError::Empty));
        assert_eq!(Phone::parse(" - "), Err(PhoneError::Empty));
        for bad in [
            "010-12345678",
            "02112345678",
            "12812345678",
            "1381234567",
            "138123456789",
            "+1 4155552671",
            "1381234567a",
            "８6１３８１２３４５６７８",
            "86 1381234567",
        ] {
            assert_eq!(Phone::parse(bad), Err(PhoneError::Invalid), "{bad}");
        }
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            clean_name("  王小明 ", "name").ok(),
            Some("王小明".to_owned())
        );
        assert!(clean_name(&"名".repeat(33), "name").is_err());
    }
}

/// A phone number as staff without `SeePhones` see it (cashiers): the first three and the
/// last four digits, 138****8000. Shorter values keep only their last two characters.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    let n = chars.len();
    if n >= 8 {
        let head: String = chars[..3].iter().collect();
        let tail: String = chars[n - 4..].iter().collect();
        format!("{head}****{tail}")
    } else {
        let tail: String = chars[n.saturating_sub(2)..].iter().collect();
        format!("****{tail}")
    }
}

/// Answers that carry customers' phone numbers, masked in place for a cashier.
pub trait MaskPhones {
    fn mask_phones(&mut self);
}

impl MaskPhones for Customer {
    fn mask_phones(&mut self) {
        self.phone = mask_phone(&self.phone);
    }
}

impl<T: MaskPhones> MaskPhones for crate::domain::Page<T> {
    fn mask_phones(&mut self) {
        self.items.iter_mut().for_each(MaskPhones::mask_phones);
    }
}

impl MaskPhones for crate::domain::bonus::Bonus {
    fn mask_phones(&mut self) {
        self.customer = self.customer.as_deref().map(mask_phone);
    }
}

impl MaskPhones for crate::domain::voucher::Voucher {
    fn mask_phones(&mut self) {
        self.customer = mask_phone(&self.customer);
    }
}

impl MaskPhones for CustomerProfile {
    fn mask_phones(&mut self) {
        self.customer.mask_phones();
        self.bonuses.mask_phones();
        self.vouchers.mask_phones();
        self.redemptions.mask_phones();
    }
}

impl MaskPhones for crate::domain::redeem::Redemption {
    fn mask_phones(&mut self) {
        self.customer = self.customer.as_deref().map(mask_phone);
    }
}

/// True for a mainland mobile number as the register keeps it: 11 digits, the first a 1.
fn is_mobile(s: &str) -> bool {
    s.len() == 11 && s.starts_with('1') && s.bytes().all(|b| b.is_ascii_digit())
}

fn mask_in_json(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::String(s) if is_mobile(s) => *s = mask_phone(s),
        serde_json::Value::Array(items) => items.iter_mut().for_each(mask_in_json),
        serde_json::Value::Object(map) => map.values_mut().for_each(mask_in_json),
        _ => {}
    }
}

/// An audit entry names a customer by phone as its subject (`customer.create`) or in its
/// detail (`bonus.grant`, `voucher.sell`): masked wherever a value is a mobile number.
/// The hash stays the stored entry's (verify reads the database, not this view).
impl MaskPhones for crate::domain::audit::AuditEntry {
    fn mask_phones(&mut self) {
        if is_mobile(&self.subject) {
            self.subject = mask_phone(&self.subject);
        }
        mask_in_json(&mut self.detail);
    }
}

#[cfg(test)]
mod mask_tests {
    use super::mask_phone;

    #[test]
    fn phones_keep_three_and_four_digits() {
        assert_eq!(mask_phone("13800138000"), "138****8000");
        assert_eq!(mask_phone("12345"), "****45");
        assert_eq!(mask_phone(""), "****");
    }

    #[test]
    fn audit_entries_mask_mobile_numbers_wherever_they_are() {
        use super::MaskPhones;
        let mut e = crate::domain::audit::AuditEntry {
            id: 1,
            at: chrono::Utc::now(),
            actor: "小张".into(),
            terminal: "t".into(),
            action: "bonus.grant".into(),
            subject: "13800138000".into(),
            detail: serde_json::json!({ "customer": "13912345678", "id": 7, "n": ["13700001111"],
                                        "code": "K7Q2M9XW4TZA" }),
            hash: "h".into(),
        };
        e.mask_phones();
        assert_eq!(e.subject, "138****8000");
        assert_eq!(
            e.detail,
            serde_json::json!({ "customer": "139****5678", "id": 7, "n": ["137****1111"],
                                "code": "K7Q2M9XW4TZA" })
        );
    }
}
