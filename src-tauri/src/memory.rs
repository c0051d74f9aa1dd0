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
pub const ENV_DEFAULTS: &[(&str, &str)] = &[
    // No GPU compositing: on the shop PCs (and Xvfb) it runs on Mesa's software
    // rasteriser, whose buffers and threads cost the web process and the app tens of MiB
    // for a window of tables and forms that needs no 3D or animation.
    // WebKitGTK's own floor (MiniBrowser on about:blank) drops from 92 to 66 MiB
    // anonymous with it.
    ("WEBKIT_DISABLE_COMPOSITING_MODE", "1"),
];

/// Sets each of `ENV_DEFAULTS` the environment does not set. Call before any thread starts.
pub fn apply_env_defaults() {
    for (name, value) in ENV_DEFAULTS {
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
        let (name, value) = ENV_DEFAULTS[0];
        std::env::set_var(name, "chosen-by-user");
        apply_env_defaults();
        assert_eq!(std::env::var(name).as_deref(), Ok("chosen-by-user"));
        std::env::remove_var(name);
        apply_env_defaults();
        assert_eq!(std::env::var(name).as_deref(), Ok(value));
    }
}
