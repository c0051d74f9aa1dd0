//! Shared by the end-to-end tests: a small W3C WebDriver client and the launcher of
//! tauri-driver + the real app window.

pub mod app;
pub mod webdriver;
