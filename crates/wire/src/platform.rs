//! The five platforms, one enum for the whole workspace: the core's connectors and
//! settings, the simulator's routes and fault switches all name a platform with it.
//! Serialised as its spec id (`p000` .. `p004`), the form stored in SQLite, sent to the
//! UI and taken by the CLI.

use serde::{Deserialize, Serialize};

/// The five remote platforms, by their spec number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum Platform {
    /// 000 "Sense" ticket API: batches of codes as ticket types.
    #[serde(rename = "p000")]
    Sense,
    /// 001 WeChat-card proxy: templates.
    #[serde(rename = "p001")]
    WxCard,
    /// 002 bonus (红包).
    #[serde(rename = "p002")]
    Bonus,
    /// 003 exchange voucher.
    #[serde(rename = "p003")]
    Voucher,
    /// 004 e-Buy e-coupon: code activation.
    #[serde(rename = "p004")]
    Ebuy,
}

impl Platform {
    pub const ALL: [Platform; 5] = [
        Platform::Sense,
        Platform::WxCard,
        Platform::Bonus,
        Platform::Voucher,
        Platform::Ebuy,
    ];

    /// `p000` .. `p004`, as stored and as the CLI takes it.
    pub fn id(self) -> &'static str {
        match self {
            Platform::Sense => "p000",
            Platform::WxCard => "p001",
            Platform::Bonus => "p002",
            Platform::Voucher => "p003",
            Platform::Ebuy => "p004",
        }
    }

    /// Also accepts the short names `sense`, `wxcard`, `bonus`, `voucher`, `ebuy`.
    pub fn parse(s: &str) -> Option<Platform> {
        let s = s.trim().to_ascii_lowercase();
        Platform::ALL
            .into_iter()
            .find(|p| p.id() == s || p.short_name() == s)
    }

    pub fn short_name(self) -> &'static str {
        match self {
            Platform::Sense => "sense",
            Platform::WxCard => "wxcard",
            Platform::Bonus => "bonus",
            Platform::Voucher => "voucher",
            Platform::Ebuy => "ebuy",
        }
    }

    /// The name staff know the platform by, with its spec number (messages, CLI).
    pub fn display_name(self) -> &'static str {
        match self {
            Platform::Sense => "Sense 券码 (000)",
            Platform::WxCard => "WeChat 卡券 (001)",
            Platform::Bonus => "红包 (002)",
            Platform::Voucher => "兑换券 (003)",
            Platform::Ebuy => "e-Buy 电子券 (004)",
        }
    }

    /// What the secret is called on this platform (for forms and messages).
    pub fn secret_name(self) -> &'static str {
        match self {
            Platform::Sense => "access token (X-Le-Sense-AT)",
            Platform::Ebuy => "signing key",
            _ => "bearer token",
        }
    }

    /// The simulator's path prefix: `/p000` .. `/p004`.
    pub fn prefix(self) -> &'static str {
        match self {
            Platform::Sense => "/p000",
            Platform::WxCard => "/p001",
            Platform::Bonus => "/p002",
            Platform::Voucher => "/p003",
            Platform::Ebuy => "/p004",
        }
    }
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_names_and_prefixes_agree() {
        for p in Platform::ALL {
            assert_eq!(Platform::parse(p.id()), Some(p));
            assert_eq!(Platform::parse(&p.short_name().to_uppercase()), Some(p));
            assert_eq!(&p.prefix()[1..], p.id());
            assert_eq!(
                serde_json::to_value(p).expect("json"),
                serde_json::json!(p.id())
            );
        }
        assert_eq!(Platform::parse("p9"), None);
    }
}
