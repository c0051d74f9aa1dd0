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
/// JSC_useJIT=0, WEBKIT_SKIA_ENABLE_CPU_RENDERING=1.
///
/// Not set by default, though it is the one that counts:
/// `WEBKIT_DISABLE_COMPOSITING_MODE=1` (no GPU compositing, which on the shop PCs and
/// Xvfb runs on Mesa's software rasteriser) takes the idle window from 288 to 210 MiB
/// PSS and from 150 to 86 MiB anonymous (docs/benchmarks.md). With it, WebKitWebDriver's
/// screenshots time out after a window resize ("timeout: global"), which failed the
/// end-to-end tests, and whether the real window repaints correctly after a resize is
/// not yet shown. Until it is, a shop that needs the memory sets the variable itself.
pub const ENV_DEFAULTS: &[(&str, &str)] = &[];

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
}
