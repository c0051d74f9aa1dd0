//! The shop's settings, one JSON value per key in the `settings` table. Missing keys read
//! as their defaults, so a fresh database works at once.

use std::collections::BTreeSet;

use chrono::{FixedOffset, Offset};
use rusqlite::{params, Connection, OptionalExtension};

use super::StoreError;
use crate::api_error::FieldError;
use crate::domain::redeem::Settings;
use crate::domain::validity::ShopClock;

const COUNTER_KEY: &str = "counter";

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("some settings need attention: {}", .0.iter().map(|f| format!("{}: {}", f.field, f.message)).collect::<Vec<_>>().join("; "))]
    InvalidFields(Vec<FieldError>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

crate::error_codes::impl_error_code! {
    SettingsError {
        codes { SettingsError::InvalidFields(_) => "invalid_fields" }
        wraps { Store(StoreError) }
        fn fields(&self) -> Vec<FieldError> {
            match self {
                SettingsError::InvalidFields(f) => f.clone(),
                SettingsError::Store(_) => Vec::new(),
            }
        }
    }
}

/// This computer's name, the default name of its counter.
fn host_name() -> String {
    std::fs::read_to_string("/etc/hostname")
        .ok()
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "counter-1".to_owned())
}

pub fn defaults() -> Settings {
    Settings {
        // China Standard Time: the shops this is built for.
        shop_utc_offset_minutes: 8 * 60,
        holidays: Vec::new(),
        terminal: host_name(),
        undo_window_minutes: 10,
        auto_lock_minutes: crate::domain::redeem::default_auto_lock_minutes(),
        sound_on_success: true,
        sound_on_refusal: true,
        redeem_on_first_scan: false,
        shop_name: String::new(),
    }
}

pub fn get(conn: &Connection) -> Result<Settings, StoreError> {
    let json: Option<String> = conn
        .prepare_cached("SELECT value FROM settings WHERE key = ?1")?
        .query_row([COUNTER_KEY], |r| r.get(0))
        .optional()?;
    // A value this build cannot read (written by hand, say) falls back to the defaults
    // rather than locking staff out of the counter.
    Ok(json
        .and_then(|j| serde_json::from_str(&j).ok())
        .unwrap_or_else(defaults))
}

pub fn validate(s: &mut Settings) -> Result<(), Vec<FieldError>> {
    s.terminal = s.terminal.trim().to_owned();
    s.shop_name = s.shop_name.trim().to_owned();
    s.holidays.sort();
    s.holidays.dedup();
    let mut e = Vec::new();
    if !(-12 * 60..=14 * 60).contains(&s.shop_utc_offset_minutes)
        || s.shop_utc_offset_minutes % 15 != 0
    {
        e.push(FieldError::new(
            "shopUtcOffsetMinutes",
            "out_of_range",
            "the shop's zone must be between UTC-12:00 and UTC+14:00, in steps of 15 minutes",
        ));
    }
    if s.terminal.is_empty() {
        e.push(FieldError::new(
            "terminal",
            "required",
            "this field is required",
        ));
    } else if s.terminal.chars().count() > 64 {
        e.push(FieldError::new(
            "terminal",
            "too_long",
            "at most 64 characters",
        ));
    }
    if s.shop_name.chars().count() > 64 {
        e.push(FieldError::new(
            "shopName",
            "too_long",
            "at most 64 characters",
        ));
    }
    if !(1..=240).contains(&s.auto_lock_minutes) {
        e.push(FieldError::new(
            "autoLockMinutes",
            "out_of_range",
            "the desk locks after 1 to 240 idle minutes",
        ));
    }
    if s.undo_window_minutes > 24 * 60 {
        e.push(FieldError::new(
            "undoWindowMinutes",
            "out_of_range",
            "the undo window is 0 (no undo) to 1440 minutes (one day)",
        ));
    }
    if s.holidays.len() > 366 * 5 {
        e.push(FieldError::new(
            "holidays",
            "too_long",
            "at most five years of holidays",
        ));
    }
    if e.is_empty() {
        Ok(())
    } else {
        Err(e)
    }
}

pub fn save(conn: &Connection, mut s: Settings) -> Result<Settings, SettingsError> {
    validate(&mut s).map_err(SettingsError::InvalidFields)?;
    let json = serde_json::to_string(&s).unwrap_or_default();
    let tx = conn.unchecked_transaction()?;
    let before = get(&tx)?;
    if before.shop_utc_offset_minutes != s.shop_utc_offset_minutes {
        // The manager's figures are counted by the shop's days: count them again in
        // the new zone, in this transaction.
        super::reports::rebuild(&tx, clock(&s).offset)?;
    }
    tx.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![COUNTER_KEY, json],
    )?;
    super::audit::record(&tx, "settings.update", COUNTER_KEY, &serde_json::json!(s))?;
    tx.commit().map_err(StoreError::from)?;
    Ok(s)
}

impl From<rusqlite::Error> for SettingsError {
    fn from(e: rusqlite::Error) -> Self {
        SettingsError::Store(e.into())
    }
}

pub fn clock(s: &Settings) -> ShopClock {
    ShopClock {
        // Saved settings are validated, so the fallback to UTC is never taken.
        offset: FixedOffset::east_opt(s.shop_utc_offset_minutes * 60)
            .unwrap_or_else(|| chrono::Utc.fix()),
        holidays: s.holidays.iter().copied().collect::<BTreeSet<_>>(),
    }
}

/// Each variant's code, exactly, and listed (`crate::all_error_codes` is built from the lists).
#[cfg(test)]
mod error_code_tests {
    use super::*;
    use crate::error_codes::assert_codes;
    #[test]
    fn every_variant_has_its_code() {
        assert_codes(vec![
            (SettingsError::InvalidFields(Vec::new()), "invalid_fields"),
            (
                SettingsError::Store(StoreError::BatchNotFound("T1".into())),
                "batch_not_found",
            ),
        ]);
    }
}
