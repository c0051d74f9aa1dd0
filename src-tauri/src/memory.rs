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

/// The variable that chooses WebKit's cache model (`web_cache_model`); unset means
/// `document-viewer`.
pub const CACHE_MODEL_VAR: &str = "COUPONDESK_WEBKIT_CACHE_MODEL";

/// WebKit's cache model for the window, from `CACHE_MODEL_VAR`'s value (None: unset).
/// `document-viewer` (the default) turns off WebKit's memory cache of decoded resources
/// and its back/forward page cache: a one-page app that loads its few resources once from
/// its own bundle has no use for either, and a browser-sized memory cache grows with
/// every page the app draws. `web-browser` (WebKitGTK's own default) and
/// `document-browser` stay available to compare (`bench startup --app-env`).
pub fn web_cache_model(value: Option<&str>) -> Result<CacheModel, String> {
    match value.unwrap_or("document-viewer") {
        "document-viewer" => Ok(CacheModel::DocumentViewer),
        "document-browser" => Ok(CacheModel::DocumentBrowser),
        "web-browser" => Ok(CacheModel::WebBrowser),
        other => Err(format!(
            "{CACHE_MODEL_VAR}={other}: expected document-viewer, document-browser or web-browser"
        )),
    }
}

/// WebKit's cache models (`WebKitCacheModel`), named here so the choice is testable on
/// every platform; only WebKitGTK (Linux) has them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheModel {
    DocumentViewer,
    DocumentBrowser,
    WebBrowser,
}

/// Sets the cache model of the window's web context (Linux; elsewhere nothing to do).
/// A bad value of `CACHE_MODEL_VAR` is reported on stderr and WebKit's default kept: a
/// memory setting never stops the window from opening.
pub fn apply_cache_model<R: tauri::Runtime>(window: &tauri::WebviewWindow<R>) {
    let value = std::env::var(CACHE_MODEL_VAR).ok();
    let model = match web_cache_model(value.as_deref()) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("CouponDesk: {e}; WebKit's default cache model kept");
            return;
        }
    };
    #[cfg(target_os = "linux")]
    {
        let set = window.with_webview(move |wv| {
            use webkit2gtk::{WebContextExt, WebViewExt};
            if let Some(context) = wv.inner().context() {
                context.set_cache_model(match model {
                    CacheModel::DocumentViewer => webkit2gtk::CacheModel::DocumentViewer,
                    CacheModel::DocumentBrowser => webkit2gtk::CacheModel::DocumentBrowser,
                    CacheModel::WebBrowser => webkit2gtk::CacheModel::WebBrowser,
                });
            }
        });
        if let Err(e) = set {
            eprintln!("CouponDesk: could not set WebKit's cache model: {e}");
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (window, model);
}

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
    fn cache_model_defaults_to_document_viewer_and_refuses_unknown_names() {
        assert_eq!(web_cache_model(None), Ok(CacheModel::DocumentViewer));
        assert_eq!(
            web_cache_model(Some("web-browser")),
            Ok(CacheModel::WebBrowser)
        );
        assert_eq!(
            web_cache_model(Some("document-browser")),
            Ok(CacheModel::DocumentBrowser)
        );
        let e = web_cache_model(Some("small")).unwrap_err();
        assert!(e.contains("COUPONDESK_WEBKIT_CACHE_MODEL=small"), "{e}");
    }

    #[test]
    fn compositing_is_off_by_default() {
        assert!(ENV_DEFAULTS.contains(&("WEBKIT_DISABLE_COMPOSITING_MODE", "1")));
    }
}
