//! The one place clausewatch launches headless Chromium.
//!
//! Three parts of clausewatch start Debian's Chromium: the fetch fallback
//! for pages that need JavaScript (`cw-fetch`), PDF printing of reports
//! (`cw-report`) and the UI tests' WebDriver sessions (`cw-server`'s
//! tests, through chromedriver). Every one of them builds its command line
//! here, so every launch gets the same isolation:
//!
//! * a fresh profile ([`prepare_profile`]) whose preferences turn off
//!   prefetch and preconnect, Safe Browsing, translation, search
//!   suggestions, alternate error pages and DNS-over-HTTPS;
//! * every background service off by switch ([`BACKGROUND_SERVICES_OFF`]:
//!   component and extension updates, Safe Browsing, sync, metrics and crash
//!   reports, domain reliability, variations, translate, network time, GCM,
//!   hyperlink pings, WebRTC's non-proxied UDP);
//! * a host-resolver lock ([`Reach`]): every host name and address maps to
//!   nothing except the page under fetch, which is pinned to the address the
//!   caller's SSRF guard already approved. Chromium therefore never sends a
//!   DNS query of its own, and a service that slips past the switches has
//!   nowhere to connect to.
//!
//! Debian's `/usr/bin/chromium` is a shell wrapper that exports Google API
//! keys and loads extensions from `/usr/share/chromium/extensions`;
//! [`Launch::new`] runs the real binary behind it instead.
//!
//! [`netlog`] reads Chromium's net log (`--log-net-log`, switched on for
//! every launch by [`NET_LOG_DIR_ENV`]) so tests can prove what was
//! resolved and contacted.
//!
//! # Brief overview
//!
//! ```
//! use cw_chromium::{Launch, Reach};
//! let launch = Launch::new("/usr/bin/chromium", Reach::only_address("127.0.0.1")).unwrap();
//! let args = launch.args(std::path::Path::new("/tmp/profile"));
//! assert!(args.iter().any(|a| a == "--disable-background-networking"));
//! assert!(args.iter().any(|a| a.starts_with("--host-resolver-rules=") && a.contains("EXCLUDE 127.0.0.1")));
//! ```
#![deny(missing_docs)]

pub mod netlog;

use std::ffi::OsString;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Set to a folder, every Chromium clausewatch launches writes its net log
/// there (`--log-net-log`): the isolation tests read them back.
pub const NET_LOG_DIR_ENV: &str = "CLAUSEWATCH_CHROMIUM_NET_LOG_DIR";

/// Overrides the Chromium executable (default: Debian's).
pub const EXECUTABLE_ENV: &str = "CLAUSEWATCH_CHROMIUM";

/// Debian's real Chromium binary, behind the `/usr/bin/chromium` wrapper.
const DEBIAN_BINARY: &str = "/usr/lib/chromium/chromium";

/// Debian's wrapper script.
const DEBIAN_WRAPPER: &str = "/usr/bin/chromium";

/// A reserved name (RFC 2606) that the resolver lock maps to nothing:
/// where services that ignore their off switch are sent.
const NOWHERE: &str = "http://nowhere.invalid/";

/// One command-line switch and what it turns off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Switch {
    /// The switch as passed to Chromium.
    pub flag: &'static str,
    /// What it turns off, for documentation and the closing note.
    pub turns_off: &'static str,
}

const fn switch(flag: &'static str, turns_off: &'static str) -> Switch {
    Switch { flag, turns_off }
}

/// Switches that keep Chromium headless and quiet on a server; not about
/// the network.
pub const BASE: &[Switch] = &[
    switch("--headless", "the window"),
    switch(
        "--no-sandbox",
        "the setuid sandbox (clausewatch may run as root or in a user namespace)",
    ),
    switch("--disable-gpu", "GPU processes"),
    switch(
        "--disable-dev-shm-usage",
        "/dev/shm use (small in containers)",
    ),
    switch("--mute-audio", "audio output"),
    switch("--no-first-run", "first-run dialogs and their requests"),
    switch("--no-default-browser-check", "the default-browser check"),
    switch("--password-store=basic", "the desktop keyring"),
    switch("--use-mock-keychain", "the system keychain"),
];

/// Every background service Chromium would start on its own, off.
pub const BACKGROUND_SERVICES_OFF: &[Switch] = &[
    switch(
        "--disable-background-networking",
        "background requests: extension and Safe Browsing updates, variations seed, GCM and push, new-tab data",
    ),
    switch(
        "--disable-component-update",
        "component updates at start-up",
    ),
    switch(
        "--component-updater=url-source=http://nowhere.invalid/",
        "the update check headless Chromium still sends despite --disable-component-update (sent to a reserved name that resolves to nothing)",
    ),
    switch("--disable-extensions", "extensions and their update checks"),
    switch(
        "--disable-component-extensions-with-background-pages",
        "built-in extensions with background pages",
    ),
    switch(
        "--disable-default-apps",
        "default apps and their installation",
    ),
    switch("--disable-sync", "Chrome Sync"),
    switch("--disable-breakpad", "crash dumps"),
    switch("--disable-crash-reporter", "crash report uploads"),
    switch(
        "--metrics-recording-only",
        "metrics uploads (recorded locally, never sent)",
    ),
    switch("--disable-domain-reliability", "Domain Reliability uploads"),
    switch(
        "--disable-field-trial-config",
        "field trials (variations) configuration",
    ),
    switch(
        "--variations-server-url=http://nowhere.invalid/",
        "the variations seed fetch (sent to a reserved name that resolves to nothing)",
    ),
    switch(
        "--disable-client-side-phishing-detection",
        "the Safe Browsing phishing model and its downloads",
    ),
    switch(
        "--safebrowsing-disable-auto-update",
        "Safe Browsing list updates",
    ),
    switch("--no-pings", "hyperlink auditing pings (<a ping>)"),
    switch("--dns-prefetch-disable", "DNS prefetching"),
    switch(
        "--disable-features=Translate,OptimizationHints,OptimizationHintsFetching,MediaRouter,DialMediaRouteProvider,AutofillServerCommunication,CertificateTransparencyComponentUpdater,NetworkTimeServiceQuerying,DnsOverHttps,InterestFeedContentSuggestions,PrivacySandboxSettings4,NetworkPrediction",
        "translate, optimization hints, media router (cast discovery), autofill server, CT log list updates, network time queries, DNS-over-HTTPS, feed suggestions, privacy-sandbox fetches, network prediction",
    ),
    switch(
        "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
        "WebRTC's UDP traffic (STUN, peer connections)",
    ),
    switch(
        "--webrtc-ip-handling-policy=disable_non_proxied_udp",
        "WebRTC's UDP traffic (the policy's older name)",
    ),
];

/// Profile preferences written by [`prepare_profile`] (`Default/Preferences`).
const PREFERENCES: &str = r#"{
  "net": { "network_prediction_options": 2 },
  "safebrowsing": { "enabled": false, "enhanced": false },
  "translate": { "enabled": false },
  "search": { "suggest_enabled": false },
  "alternate_error_pages": { "enabled": false },
  "dns_prefetching": { "enabled": false },
  "webrtc": { "ip_handling_policy": "disable_non_proxied_udp", "multiple_routes_enabled": false, "nonproxied_udp_enabled": false },
  "browser": { "has_seen_welcome_page": true },
  "default_search_provider": { "enabled": false },
  "homepage": "about:blank",
  "homepage_is_newtabpage": false,
  "session": { "restore_on_startup": 4, "startup_urls": ["about:blank"] }
}
"#;

/// Browser-wide preferences written by [`prepare_profile`] (`Local State`).
const LOCAL_STATE: &str = r#"{
  "dns_over_https": { "mode": "off", "templates": "" },
  "user_experience_metrics": { "reporting_enabled": false }
}
"#;

/// Environment variables removed from Chromium's environment: with Google
/// API keys Chromium turns on services that call Google.
const SCRUBBED_ENV: &[&str] = &[
    "GOOGLE_API_KEY",
    "GOOGLE_DEFAULT_CLIENT_ID",
    "GOOGLE_DEFAULT_CLIENT_SECRET",
    "CHROMIUM_FLAGS",
];

/// Why a launch cannot be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LaunchError {
    /// A host in [`Reach::Only`] is not a plain host name or address (it
    /// would change the meaning of `--host-resolver-rules`).
    #[error("{0:?} is not a host name or address Chromium can be locked to")]
    BadHost(String),
}

/// One host a launched Chromium may reach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedHost {
    /// The host name or IP literal as it appears in URLs (`example.com`,
    /// `127.0.0.1`).
    pub host: String,
    /// For a host name: the address it is pinned to (already approved by
    /// the caller's SSRF guard), so Chromium sends no DNS query and a
    /// rebinding answer cannot move it. `None` for IP literals.
    pub pinned: Option<IpAddr>,
}

/// Where a launched Chromium may connect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    /// No host at all: printing a local file.
    Nothing,
    /// Only these hosts; every other name and address maps to nothing.
    Only(Vec<AllowedHost>),
}

impl Reach {
    /// Only one IP literal (a loopback test server, a page fetched by
    /// address).
    pub fn only_address(host: impl Into<String>) -> Reach {
        Reach::Only(vec![AllowedHost {
            host: host.into(),
            pinned: None,
        }])
    }

    /// The `--host-resolver-rules` value: pinned names first, then every
    /// other host to nothing, with the allowed IP literals excepted.
    fn resolver_rules(&self) -> String {
        let mut rules = Vec::new();
        let mut excluded = Vec::new();
        if let Reach::Only(hosts) = self {
            for allowed in hosts {
                match allowed.pinned {
                    Some(IpAddr::V4(v4)) => rules.push(format!("MAP {} {v4}", allowed.host)),
                    Some(IpAddr::V6(v6)) => rules.push(format!("MAP {} [{v6}]", allowed.host)),
                    None => excluded.push(format!("EXCLUDE {}", allowed.host)),
                }
            }
        }
        rules.push("MAP * ~NOTFOUND".to_owned());
        rules.extend(excluded);
        rules.join(",")
    }

    fn validate(&self) -> Result<(), LaunchError> {
        let Reach::Only(hosts) = self else {
            return Ok(());
        };
        for allowed in hosts {
            let host = allowed.host.trim_start_matches('[').trim_end_matches(']');
            let plain = !host.is_empty()
                && host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | ':' | '_'));
            if !plain || host == "*" {
                return Err(LaunchError::BadHost(allowed.host.clone()));
            }
        }
        Ok(())
    }
}

/// How to launch Chromium once: the executable, where it may connect and
/// the caller's own switches.
#[derive(Debug, Clone)]
pub struct Launch {
    executable: PathBuf,
    reach: Reach,
    extra: Vec<String>,
    net_log: Option<PathBuf>,
}

impl Launch {
    /// A launch of `executable` (Debian's wrapper is replaced by the binary
    /// behind it) that may reach only `reach`.
    pub fn new(executable: impl Into<PathBuf>, reach: Reach) -> Result<Launch, LaunchError> {
        reach.validate()?;
        Ok(Launch {
            executable: real_executable(executable.into()),
            reach,
            extra: Vec::new(),
            net_log: None,
        })
    }

    /// Adds a caller's switch (`--print-to-pdf=…`, `--window-size=…`).
    #[must_use]
    pub fn arg(mut self, arg: impl Into<String>) -> Launch {
        self.extra.push(arg.into());
        self
    }

    /// Writes this launch's net log to `path` (else to a fresh file in
    /// [`NET_LOG_DIR_ENV`]'s folder when that is set).
    #[must_use]
    pub fn net_log(mut self, path: impl Into<PathBuf>) -> Launch {
        self.net_log = Some(path.into());
        self
    }

    /// The executable that will run.
    pub fn executable(&self) -> &Path {
        &self.executable
    }

    /// Where this launch may connect.
    pub fn reach(&self) -> &Reach {
        &self.reach
    }

    /// Every switch for a launch with `profile` as its user-data folder
    /// (prepare it with [`prepare_profile`] first): base, background
    /// services off, the resolver lock, the net log when
    /// [`NET_LOG_DIR_ENV`] is set, then the caller's switches.
    pub fn args(&self, profile: &Path) -> Vec<String> {
        let mut args: Vec<String> = BASE
            .iter()
            .chain(BACKGROUND_SERVICES_OFF)
            .map(|s| s.flag.to_owned())
            .collect();
        args.push(format!(
            "--host-resolver-rules={}",
            self.reach.resolver_rules()
        ));
        args.push(format!("--user-data-dir={}", profile.display()));
        if let Some(path) = self.net_log.clone().or_else(net_log_path) {
            args.push(format!("--log-net-log={}", path.display()));
            args.push("--net-log-capture-mode=Default".to_owned());
        }
        args.extend(self.extra.iter().cloned());
        args
    }

    /// A ready command: the executable, [`Launch::args`], stdin closed and
    /// Google API keys removed from the environment. The caller adds the
    /// URL or file and spawns it (`tokio::process::Command::from` for async
    /// callers).
    pub fn command(&self, profile: &Path) -> std::process::Command {
        let mut command = std::process::Command::new(&self.executable);
        command
            .args(self.args(profile))
            .stdin(std::process::Stdio::null());
        for name in SCRUBBED_ENV {
            command.env_remove(name);
        }
        command
    }
}

/// The default Chromium: [`EXECUTABLE_ENV`] when set, else Debian's.
pub fn default_executable() -> PathBuf {
    std::env::var_os(EXECUTABLE_ENV)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| real_executable(PathBuf::from(DEBIAN_WRAPPER)))
}

/// Replaces Debian's wrapper script by the binary it runs; any other path
/// is kept.
fn real_executable(path: PathBuf) -> PathBuf {
    let is_wrapper = path == Path::new(DEBIAN_WRAPPER)
        && std::fs::read(&path).is_ok_and(|bytes| bytes.starts_with(b"#!"));
    if is_wrapper && Path::new(DEBIAN_BINARY).is_file() {
        PathBuf::from(DEBIAN_BINARY)
    } else {
        path
    }
}

/// Writes the preferences of an isolated profile into `profile` (a fresh,
/// empty folder): no prefetch or preconnect, no Safe Browsing, no
/// translation, no DNS-over-HTTPS, no metrics reporting, and no default
/// search engine, whose start page a new tab would otherwise load (Debian's
/// build opens `start.duckduckgo.com` in a WebDriver session's first tab).
pub fn prepare_profile(profile: &Path) -> std::io::Result<()> {
    let default = profile.join("Default");
    std::fs::create_dir_all(&default)?;
    std::fs::write(default.join("Preferences"), PREFERENCES)?;
    std::fs::write(profile.join("Local State"), LOCAL_STATE)?;
    Ok(())
}

/// A fresh net-log path in [`NET_LOG_DIR_ENV`]'s folder, or `None`.
fn net_log_path() -> Option<PathBuf> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let dir: OsString = std::env::var_os(NET_LOG_DIR_ENV).filter(|v| !v.is_empty())?;
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    Some(PathBuf::from(dir).join(format!("chromium-{}-{nanos}-{n}.json", std::process::id())))
}

/// A reserved host name that never resolves; what [`NOWHERE`] points at.
pub fn nowhere_host() -> &'static str {
    NOWHERE.trim_start_matches("http://").trim_end_matches('/')
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    #[test]
    fn nothing_maps_every_host_to_nothing() {
        assert_eq!(Reach::Nothing.resolver_rules(), "MAP * ~NOTFOUND");
    }

    #[test]
    fn a_pinned_name_comes_before_the_block_and_literals_are_excepted() {
        let reach = Reach::Only(vec![
            AllowedHost {
                host: "policies.example".into(),
                pinned: Some(IpAddr::V4(Ipv4Addr::new(93, 184, 216, 34))),
            },
            AllowedHost {
                host: "127.0.0.1".into(),
                pinned: None,
            },
        ]);
        assert_eq!(
            reach.resolver_rules(),
            "MAP policies.example 93.184.216.34,MAP * ~NOTFOUND,EXCLUDE 127.0.0.1"
        );
    }

    #[test]
    fn hosts_that_would_change_the_rules_are_refused() {
        for bad in ["a.example,MAP * 1.2.3.4", "*", "", "a b", "x;y"] {
            let err = Launch::new("/bin/true", Reach::only_address(bad));
            assert!(err.is_err(), "{bad:?} accepted");
        }
        assert!(Launch::new("/bin/true", Reach::only_address("[::1]")).is_ok());
    }

    #[test]
    fn every_launch_carries_the_isolation_switches() {
        let launch = Launch::new("/bin/true", Reach::Nothing)
            .unwrap()
            .arg("--print-to-pdf=/tmp/x.pdf");
        let args = launch.args(Path::new("/tmp/p"));
        for s in BACKGROUND_SERVICES_OFF {
            assert!(args.iter().any(|a| a == s.flag), "{} missing", s.flag);
        }
        assert!(args.contains(&"--user-data-dir=/tmp/p".to_owned()));
        assert_eq!(
            args.last().map(String::as_str),
            Some("--print-to-pdf=/tmp/x.pdf")
        );
        // Services sent to the reserved name land on the block rule: every
        // switch that redirects a service names the one reserved host.
        assert!(nowhere_host().ends_with(".invalid"));
        let redirects: Vec<&str> = BACKGROUND_SERVICES_OFF
            .iter()
            .map(|s| s.flag)
            .filter(|f| f.contains("http://"))
            .collect();
        assert_eq!(redirects.len(), 2, "{redirects:?}");
        assert!(
            redirects.iter().all(|f| f.ends_with(NOWHERE)),
            "{redirects:?}"
        );
    }

    #[test]
    fn profile_preferences_are_json() {
        let dir = tempfile::tempdir().unwrap();
        prepare_profile(dir.path()).unwrap();
        let prefs: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.path().join("Default/Preferences")).unwrap())
                .unwrap();
        assert_eq!(prefs["net"]["network_prediction_options"], 2);
        let state: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.path().join("Local State")).unwrap())
                .unwrap();
        assert_eq!(state["dns_over_https"]["mode"], "off");
    }
}
