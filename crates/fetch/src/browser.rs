//! Headless Chromium fetches, behind the `browser` cargo feature.
//!
//! Without the feature, [`availability`] names the reason and browser
//! fetches end as [`FetchFailure::BrowserUnavailable`]. With it, the `cdp`
//! module launches Debian's Chromium and drives it over the DevTools
//! protocol.

use crate::config::BrowserConfig;
#[cfg(not(feature = "browser"))]
use crate::config::{FetchConfig, FetchRequest};
#[cfg(not(feature = "browser"))]
use crate::outcome::{FetchFailure, FetchedPage};
#[cfg(not(feature = "browser"))]
use crate::ssrf::GuardedResolver;

#[cfg(feature = "browser")]
mod cdp;
#[cfg(feature = "browser")]
pub(crate) use cdp::fetch;

/// Whether browser fetches can run here: `Err` names the reason (the crate
/// was built without the `browser` feature, or the Chromium executable is
/// missing).
pub fn availability(config: &BrowserConfig) -> Result<(), String> {
    if !cfg!(feature = "browser") {
        return Err("cw-fetch was built without the `browser` feature".to_owned());
    }
    if config.executable.is_file() {
        Ok(())
    } else {
        Err(format!(
            "Chromium not found at {} (install Debian's `chromium` package)",
            config.executable.display()
        ))
    }
}

/// Without the `browser` feature every browser fetch is unavailable.
#[cfg(not(feature = "browser"))]
pub(crate) async fn fetch(
    config: &FetchConfig,
    _resolver: GuardedResolver,
    _request: &FetchRequest,
) -> Result<FetchedPage, FetchFailure> {
    Err(FetchFailure::BrowserUnavailable(
        availability(&config.browser)
            .err()
            .unwrap_or_else(|| "browser support missing".to_owned()),
    ))
}
