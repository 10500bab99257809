//! Fetching for clausewatch: the only crate that talks to sources over the
//! network.
//!
//! # Brief overview
//!
//! * [`Fetcher`] fetches one [`FetchRequest`] at a time per host (a FIFO
//!   lock and `per_host_delay` per host; different hosts run concurrently),
//!   with rustls, gzip/br/deflate/zstd, timeouts, a body cap enforced while
//!   streaming and after decompression, manual redirects, conditional GET,
//!   and retries with exponential backoff and jitter for transient failures.
//!   With the `browser` feature it drives Debian's headless Chromium over
//!   the DevTools protocol for pages that need JavaScript, and as a fallback
//!   when a plain fetch meets a bot wall.
//! * [`FetchOutcome`] is the result, never an `Err`: source problems are
//!   states to record. Only [`FetchOutcome::Fetched`] may become a version;
//!   [`FetchOutcome::Rejected`] carries a page that [`classify_page`] judged
//!   not to be the document ([`PageVerdict`]: bot wall, captcha, login wall,
//!   soft 404, error page, empty shell); [`FetchFailure`] covers HTTP
//!   errors, timeouts, truncation, oversize bodies, redirect trouble and
//!   refused targets.
//! * [`ssrf_check`] and [`check_url`] are the SSRF guard: private,
//!   loopback, link-local and other non-public addresses are refused for the
//!   first URL, for every redirect hop, and after DNS resolution (the client
//!   connects only to addresses that passed), unless
//!   [`FetchConfig::allow_private`] is set.
//!
//! ```no_run
//! use cw_fetch::{FetchConfig, FetchOutcome, FetchRequest, Fetcher};
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let fetcher = Fetcher::new(FetchConfig::default())?;
//! let url = url::Url::parse("https://example.com/terms")?;
//! let request = FetchRequest::new(url).accept_language("en-US,en;q=0.8");
//! match fetcher.fetch(&request).await {
//!     FetchOutcome::Fetched(page) => println!("{} bytes, etag {:?}", page.body.len(), page.meta.etag),
//!     FetchOutcome::NotModified { .. } => println!("unchanged"),
//!     FetchOutcome::Rejected(page) => println!("not the document: {:?}", page.verdict),
//!     FetchOutcome::Failed(failure) => println!("fetch state: {failure}"),
//!     _ => {}
//! }
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

mod browser;
mod classify;
mod config;
mod fetcher;
mod outcome;
mod politeness;
mod retry;
mod ssrf;

pub use browser::availability as browser_availability;
pub use classify::{PageVerdict, classify_page};
pub use config::{BrowserConfig, FetchConfig, FetchRequest, defaults};
pub use fetcher::{FetchError, Fetcher};
pub use outcome::{FetchFailure, FetchOutcome, FetchedPage, ResponseMeta};
pub use ssrf::{
    AddressClass, BlockReason, GuardedResolver, ResolveError, blocked_in_chain, check_url,
    ssrf_check,
};
