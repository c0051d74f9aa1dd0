//! What the window costs in memory, and the settings that keep it low (measured by
//! `coupondesk-bench startup`; the figures and why each setting is here are in
//! docs/benchmarks.md, "Start-up and memory of the window").
//!
//! They are environment variables because WebKitGTK and glibc read them when they start:
//! `apply_env_defaults` must run first thing in `main`, while the process has one thread
//! (setting the environment while other threads read it is undefined behaviour in C).
//! A variable the user's environment already sets is left as it is, so a support person
//! can turn one setting back without a new build.

/// (name, value) set unless the environment names them already. Measured and left out
/// (within 2 MiB of noise): WEBKIT_DISABLE_DMABUF_RENDERER=1,
/// JSC_useJIT=0, WEBKIT_SKIA_ENABLE_CPU_RENDERING=1; and WebKit's "document viewer"
/// cache model (set through the web context), which made no difference to the growth in
/// a 30-minute soak beside a run without it (docs/benchmarks.md).
///
/// `WEBKIT_DISABLE_COMPOSITING_MODE=1`: no GPU compositing, which on the shop PCs and
/// Xvfb runs on Mesa's software rasteriser (llvmpipe) inside the web process. It takes
/// the idle window from 288 to 210 MiB PSS and from 150 to 86 MiB anonymous
/// (docs/benchmarks.md). The window's repaint after a resize, a maximise and a language
/// switch is checked in the real window from X server screenshots (the e2e test
/// `the_window_repaints_after_resize_maximise_and_language_switch`); WebKitWebDriver's own
/// screenshots time out with it after a resize, so the e2e tests take theirs from the X
/// server. A shop whose GPU needs compositing starts the app with
/// `WEBKIT_DISABLE_COMPOSITING_MODE=0` (docs/install.md).
///
/// `MALLOC_ARENA_MAX=2`: glibc's malloc keeps up to 8 arenas per core, one per thread
/// that allocated at the same time as another, and memory freed in an arena mostly stays
/// with the process. Each import, export and sync runs on a thread of its own with a
/// connection whose page cache (up to 64 MiB) is freed at its end, so in use the app grew
/// by the arenas' leftovers: in a 30-minute soak of imports and redemptions the app
/// process grew 14.6 MiB a minute over the last 10 minutes without it, 0.26 with it, flat
/// at about 170 MiB (docs/benchmarks.md).
/// Idle, it makes no difference, which is why it was first left out. WebKit's processes
/// inherit it; their JavaScript heap does not use glibc's malloc.
pub const ENV_DEFAULTS: &[(&str, &str)] = &[
    ("WEBKIT_DISABLE_COMPOSITING_MODE", "1"),
    ("MALLOC_ARENA_MAX", "2"),
];

/// Sets each of `ENV_DEFAULTS` the environment does not set, and limits this process's
/// own malloc arenas the same way. Call before any thread starts.
pub fn apply_env_defaults() {
    apply(ENV_DEFAULTS);
    limit_own_arenas();
}

/// glibc reads `MALLOC_ARENA_MAX` when the process starts, before `main`, so the variable
/// reaches only the processes started from here (WebKit's); this process takes the same
/// limit through `mallopt`, while it has only its main arena. A limit the environment
/// chose is kept: glibc has already applied it.
fn limit_own_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").as_deref() == Some(std::ffi::OsStr::new("2")) {
        // SAFETY: mallopt only sets a malloc parameter; called while one thread runs.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 2);
        }
    }
}

fn apply(defaults: &[(&str, &str)]) {
    for (name, value) in defaults {
        if std::env::var_os(name).is_none() {
            std::env::set_var(name, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_do_not_override_the_environment() {
        // One test touches the environment, so no other test of this crate races it.
        let defaults = [("COUPONDESK_TEST_ENV_DEFAULT", "1")];
        let (name, value) = defaults[0];
        std::env::set_var(name, "chosen-by-user");
        apply(&defaults);
        assert_eq!(std::env::var(name).as_deref(), Ok("chosen-by-user"));
        std::env::remove_var(name);
        apply(&defaults);
        assert_eq!(std::env::var(name).as_deref(), Ok(value));
    }

    #[test]
    fn compositing_is_off_and_malloc_arenas_are_two_by_default() {
        assert!(ENV_DEFAULTS.contains(&("WEBKIT_DISABLE_COMPOSITING_MODE", "1")));
        assert!(ENV_DEFAULTS.contains(&("MALLOC_ARENA_MAX", "2")));
    }
}
