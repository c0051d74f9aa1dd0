// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // First, while this is the only thread: WebKitGTK reads these when it starts.
    coupondesk_app::memory::apply_env_defaults();
    // `coupondesk-app --version` answers without opening a window (the package test runs
    // the installed binary this way; so can an installer or a support person).
    if let Some(line) = coupondesk_app::version_from_args(std::env::args().skip(1)) {
        println!("{line}");
        return;
    }
    coupondesk_app::run();
}
