//! Shared by the end-to-end tests: a small W3C WebDriver client, the launcher of
//! tauri-driver + the real app window, and the UI's message tables.

pub mod app;
pub mod i18n;
pub mod staff;
pub mod webdriver;
pub mod xshot;
