//! Exchange vouchers (spec 003): a service sold to a customer ("全屋打扫", 288.00 yuan),
//! used once at the counter.
//!
//! A voucher follows the one lifecycle (`lifecycle::CodeStatus`): sold `active`, then
//! `redeemed` when used, which is final; spec 003's `valid` is "not used yet". Spec 003's
//! `price` is a float on the wire; here it is fen.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::customer::{clean_name, Phone};
use super::money::MAX_FEN;
use super::page::PageRequest;
use crate::api_error::FieldError;

pub const NAME_MAX: usize = 64;
pub const INTRODUCTION_MAX: usize = 2000;

/// What staff fill in to sell a voucher.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct VoucherDraft {
    /// The customer's mobile number, any common format.
    pub customer: String,
    /// Used only when the phone is new to the register.
    #[serde(default)]
    pub customer_name: String,
    /// The service's name.
    pub name: String,
    #[ts(type = "number")]
    pub price_fen: i64,
    /// The package it belongs to, if any.
    #[serde(default)]
    #[ts(type = "number | null")]
    pub pkg: Option<i64>,
    #[serde(default)]
    pub introduction: String,
    /// Spec 003: "currently true by default".
    #[serde(default = "yes")]
    pub paid: bool,
}

fn yes() -> bool {
    true
}

impl VoucherDraft {
    /// Trims the text fields and reports every broken rule at once; returns the phone.
    pub fn normalise_and_validate(&mut self) -> Result<Phone, Vec<FieldError>> {
        self.name = self.name.trim().to_owned();
        self.introduction = self.introduction.trim().to_owned();
        let mut e = Vec::new();
        let phone = Phone::parse(&self.customer)
            .map_err(|err| e.push(Phone::field_error("customer", err)))
            .ok();
        match clean_name(&self.customer_name, "customerName") {
            Ok(n) => self.customer_name = n,
            Err(f) => e.push(f),
        }
        if self.name.is_empty() {
            e.push(FieldError::new(
                "name",
                "required",
                "name the service the voucher is for",
            ));
        } else if self.name.chars().count() > NAME_MAX {
            e.push(FieldError::new(
                "name",
                "too_long",
                format!("at most {NAME_MAX} characters"),
            ));
        }
        if !(0..=MAX_FEN).contains(&self.price_fen) {
            e.push(FieldError::new(
                "priceFen",
                "out_of_range",
                "the price must be 0.00 to 1,000,000.00 yuan",
            ));
        }
        if self.pkg.is_some_and(|p| p <= 0) {
            e.push(FieldError::new(
                "pkg",
                "out_of_range",
                "a package id is a positive number; leave it empty for none",
            ));
        }
        if self.introduction.chars().count() > INTRODUCTION_MAX {
            e.push(FieldError::new(
                "introduction",
                "too_long",
                format!("at most {INTRODUCTION_MAX} characters"),
            ));
        }
        match phone {
            Some(p) if e.is_empty() => Ok(p),
            _ => Err(e),
        }
    }
}

/// Spec 003's Coupon, with money in fen and who used it at the counter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Voucher {
    #[ts(type = "number")]
    pub id: i64,
    /// The customer's 11-digit phone (spec 003's `customer`, the user name).
    pub customer: String,
    pub customer_name: String,
    #[ts(type = "number | null")]
    pub pkg: Option<i64>,
    /// The service's name.
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    #[ts(type = "number")]
    pub price_fen: i64,
    pub introduction: String,
    /// Not used yet.
    pub valid: bool,
    pub paid: bool,
    pub used_by: Option<String>,
    pub used_terminal: Option<String>,
}

/// Spec 003's query (`name`, `nopkg`), plus one customer's vouchers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct VoucherQuery {
    /// Substring of the service's name.
    #[serde(default)]
    pub name: Option<String>,
    /// Only vouchers outside a package.
    #[serde(default)]
    pub nopkg: bool,
    /// Only this customer's vouchers; any phone format.
    #[serde(default)]
    pub customer: Option<String>,
    /// Some(true): unused only; Some(false): used only.
    #[serde(default)]
    pub valid: Option<bool>,
    #[serde(default)]
    pub page: PageRequest,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> VoucherDraft {
        VoucherDraft {
            customer: "+86 138 1234 5678".into(),
            customer_name: " 王 ".into(),
            name: " 全屋打扫 ".into(),
            price_fen: 28800,
            pkg: None,
            introduction: String::new(),
            paid: true,
        }
    }

    #[test]
    fn a_good_draft_is_trimmed_and_gives_the_phone() {
        let mut d = draft();
        let p = d.normalise_and_validate().expect("valid");
        assert_eq!(p.as_str(), "13812345678");
        assert_eq!(d.name, "全屋打扫");
        assert_eq!(d.customer_name, "王");
    }

    #[test]
    fn every_broken_field_is_reported() {
        let mut d = VoucherDraft {
            customer: "010-12345678".into(),
            name: " ".into(),
            price_fen: -1,
            pkg: Some(0),
            ..draft()
        };
        let fields: Vec<String> = d
            .normalise_and_validate()
            .unwrap_err()
            .into_iter()
            .map(|f| f.field)
            .collect();
        assert_eq!(fields, ["customer", "name", "priceFen", "pkg"]);
    }

    #[test]
    fn paid_defaults_to_true() {
        let d: VoucherDraft =
            serde_json::from_str(r#"{"customer":"13812345678","name":"x","priceFen":1}"#)
                .expect("json");
        assert!(d.paid);
    }
}
