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
/// (within 2 MiB of noise): MALLOC_ARENA_MAX=2, WEBKIT_DISABLE_DMABUF_RENDERER=1,
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
pub const ENV_DEFAULTS: &[(&str, &str)] = &[("WEBKIT_DISABLE_COMPOSITING_MODE", "1")];

/// Sets each of `ENV_DEFAULTS` the environment does not set. Call before any thread starts.
pub fn apply_env_defaults() {
    apply(ENV_DEFAULTS);
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
    fn compositing_is_off_by_default() {
        assert!(ENV_DEFAULTS.contains(&("WEBKIT_DISABLE_COMPOSITING_MODE", "1")));
    }
}
