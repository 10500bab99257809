//! A minimal Chrome DevTools Protocol client that renders one page in
//! Debian's headless Chromium.
//!
//! Each fetch launches a fresh Chromium through `cw-chromium` (isolated
//! profile, background services off) locked to the page's host: the host
//! is resolved here by the SSRF guard and pinned to the approved address
//! with `--host-resolver-rules`, and every other host maps to nothing, so
//! Chromium sends no DNS query and cannot be rebound. Every request of
//! every scheme is intercepted with the `Fetch` domain and judged again
//! (main document, redirects and subresources): only `data:`/`blob:` and
//! http(s) to the page's host pass. WebSocket and WebRTC, which the `Fetch`
//! domain does not see, are removed from every page before its scripts run
//! and their URLs blocked. The language is set per request
//! (`Accept-Language` header and `navigator.language`). After the load
//! event and a settle delay, the serialized DOM is the body. The host's
//! politeness permit is held by the caller for the whole load.

use std::collections::VecDeque;
use std::process::Stdio;
use std::time::Duration;

use chrono::Utc;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use url::{Host, Url};

use crate::classify::{PageVerdict, classify_page};
use crate::config::{FetchConfig, FetchRequest};
use crate::outcome::{FetchFailure, FetchedPage, ResponseMeta};
use crate::ssrf::{BlockReason, GuardedResolver, ResolveError, check_url};
use cw_chromium::{AllowedHost, Launch, Reach};

/// The DevTools endpoint: loopback, a free port.
const DEVTOOLS_FLAGS: &[&str] = &[
    "--remote-debugging-address=127.0.0.1",
    "--remote-debugging-port=0",
];

/// Removes the page APIs whose traffic the `Fetch` domain cannot see
/// (WebSocket, WebRTC) before any of the page's scripts run.
const REFUSE_SOCKETS: &str = "(() => { for (const name of ['WebSocket', 'WebSocketStream', \
    'RTCPeerConnection', 'webkitRTCPeerConnection', 'RTCDataChannel', 'RTCIceTransport']) { \
    try { Object.defineProperty(globalThis, name, { value: undefined, configurable: false, writable: false }); } \
    catch (e) {} } })();";

/// URL patterns blocked outright, for connections that bypass the script
/// above (workers).
const BLOCKED_URLS: &[&str] = &["ws://*", "wss://*"];

/// How long Chromium may take to open its DevTools port.
const LAUNCH_TIMEOUT: Duration = Duration::from_secs(20);

/// Serializes the rendered document, doctype included.
const SERIALIZE_DOM: &str = "(document.doctype ? new XMLSerializer().serializeToString(document.doctype) + '\\n' : '') \
     + (document.documentElement ? document.documentElement.outerHTML : '')";

/// Renders `request.url` in headless Chromium.
pub(crate) async fn fetch(
    config: &FetchConfig,
    resolver: GuardedResolver,
    request: &FetchRequest,
) -> Result<FetchedPage, FetchFailure> {
    super::availability(&config.browser).map_err(FetchFailure::BrowserUnavailable)?;
    let page_host = page_host(config, resolver, &request.url).await?;
    let chromium = Chromium::launch(config, request, &page_host).await?;
    let guard = Guard {
        page_host: page_host.host,
        allow_private: resolver.allow_private,
        refused: Vec::new(),
    };
    let max_body = usize::try_from(config.max_body_bytes).unwrap_or(usize::MAX);
    let max_message = max_body.saturating_mul(2).max(64 << 20);
    let mut cdp = match Cdp::connect(&chromium.ws_url, max_message, guard).await {
        Ok(cdp) => cdp,
        Err(failure) => {
            chromium.shutdown(None).await;
            return Err(failure);
        }
    };
    let result = tokio::time::timeout(config.browser.timeout, render(&mut cdp, config, request))
        .await
        .unwrap_or(Err(FetchFailure::Timeout));
    chromium.shutdown(Some(cdp)).await;
    result
}

/// A running Chromium and its throwaway profile.
#[derive(Debug)]
struct Chromium {
    child: Child,
    ws_url: String,
    profile: tempfile::TempDir,
}

impl Chromium {
    async fn launch(
        config: &FetchConfig,
        request: &FetchRequest,
        page_host: &AllowedHost,
    ) -> Result<Self, FetchFailure> {
        let unavailable = |what: &str, e: &dyn std::fmt::Display| {
            FetchFailure::BrowserUnavailable(format!("{what}: {e}"))
        };
        let profile = tempfile::Builder::new()
            .prefix("cw-chromium-")
            .tempdir()
            .map_err(|e| unavailable("cannot create a profile directory", &e))?;
        cw_chromium::prepare_profile(profile.path())
            .map_err(|e| unavailable("cannot write the profile's preferences", &e))?;
        let mut launch = Launch::new(
            config.browser.executable.as_path(),
            Reach::Only(vec![page_host.clone()]),
        )
        .map_err(|e| unavailable("cannot lock the browser to the page's host", &e))?;
        for flag in DEVTOOLS_FLAGS {
            launch = launch.arg(*flag);
        }
        if let Some(lang) = request
            .accept_language
            .as_deref()
            .and_then(primary_language)
        {
            launch = launch.arg(format!("--lang={lang}"));
        }
        let mut command = Command::from(launch.command(profile.path()));
        command
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true);
        let mut child = command.spawn().map_err(|e| {
            unavailable(
                &format!("cannot start {}", launch.executable().display()),
                &e,
            )
        })?;

        // Chromium writes "<port>\n<path>" to DevToolsActivePort once ready.
        let port_file = profile.path().join("DevToolsActivePort");
        let deadline = Instant::now() + LAUNCH_TIMEOUT;
        let ws_url = loop {
            if let Ok(text) = tokio::fs::read_to_string(&port_file).await {
                let mut lines = text.lines();
                if let (Some(port), Some(path)) = (lines.next(), lines.next())
                    && port.trim().parse::<u16>().is_ok()
                {
                    break format!("ws://127.0.0.1:{}{}", port.trim(), path.trim());
                }
            }
            if let Ok(Some(status)) = child.try_wait() {
                return Err(FetchFailure::BrowserUnavailable(format!(
                    "Chromium exited at startup ({status})"
                )));
            }
            if Instant::now() > deadline {
                let _ = child.kill().await;
                return Err(FetchFailure::BrowserUnavailable(
                    "Chromium did not open its DevTools port in time".to_owned(),
                ));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        Ok(Self {
            child,
            ws_url,
            profile,
        })
    }

    /// Stops Chromium and removes the profile.
    /// Closes Chromium gracefully (so its helper processes exit too), kills
    /// it if it lingers, and removes the profile.
    async fn shutdown(mut self, cdp: Option<Cdp>) {
        if let Some(mut cdp) = cdp {
            let close = cdp.send("Browser.close", json!({}), true);
            let _ = tokio::time::timeout(Duration::from_secs(1), close).await;
        }
        let exited = tokio::time::timeout(Duration::from_secs(3), self.child.wait()).await;
        if !matches!(exited, Ok(Ok(_))) {
            if let Err(e) = self.child.start_kill() {
                tracing::debug!(error = %e, "Chromium already gone");
            }
            let _ = tokio::time::timeout(Duration::from_secs(3), self.child.wait()).await;
        }
        let path = self.profile.path().to_owned();
        if self.profile.close().is_err() {
            // Helper processes may still be writing; try once more.
            tokio::time::sleep(Duration::from_millis(300)).await;
            if let Err(e) = tokio::fs::remove_dir_all(&path).await {
                tracing::warn!(path = %path.display(), error = %e, "profile directory left behind");
            }
        }
    }
}

/// The page's host, as the browser may reach it: an IP literal as is, a
/// name pinned to an address the SSRF guard approved (or to the operator's
/// static entry), so Chromium resolves nothing itself.
async fn page_host(
    config: &FetchConfig,
    resolver: GuardedResolver,
    url: &Url,
) -> Result<AllowedHost, FetchFailure> {
    match url.host() {
        Some(Host::Domain(name)) if !name.is_empty() => {
            let pinned = match config
                .resolve_overrides
                .iter()
                .find(|(host, _)| host.eq_ignore_ascii_case(name))
                .and_then(|(_, ips)| ips.first())
            {
                Some(ip) => *ip,
                None => match resolver.lookup(name).await {
                    Ok(addrs) => addrs
                        .first()
                        .map(|a| a.ip())
                        .ok_or_else(|| FetchFailure::Dns(format!("{name}: no addresses")))?,
                    Err(ResolveError::Blocked(reason)) => {
                        return Err(FetchFailure::Blocked { reason });
                    }
                    Err(e @ ResolveError::Dns { .. }) => {
                        return Err(FetchFailure::Dns(e.to_string()));
                    }
                },
            };
            Ok(AllowedHost {
                host: name.to_ascii_lowercase(),
                pinned: Some(pinned),
            })
        }
        Some(Host::Ipv4(v4)) => Ok(AllowedHost {
            host: v4.to_string(),
            pinned: None,
        }),
        Some(Host::Ipv6(v6)) => Ok(AllowedHost {
            host: format!("[{v6}]"),
            pinned: None,
        }),
        _ => Err(FetchFailure::Blocked {
            reason: BlockReason::NoHost,
        }),
    }
}

/// The first language tag of an `Accept-Language` value (`de-DE`).
fn primary_language(accept_language: &str) -> Option<String> {
    languages(accept_language).into_iter().next()
}

/// The language tags of an `Accept-Language` value, without weights.
fn languages(accept_language: &str) -> Vec<String> {
    accept_language
        .split(',')
        .filter_map(|part| part.split(';').next())
        .map(str::trim)
        .filter(|tag| !tag.is_empty() && tag.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        .map(str::to_owned)
        .collect()
}

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// One DevTools connection.
struct Cdp {
    socket: Socket,
    next_id: u64,
    /// Events read while waiting for a command's answer.
    pending: VecDeque<Value>,
    guard: Guard,
    session: Option<String>,
}

impl std::fmt::Debug for Cdp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cdp")
            .field("next_id", &self.next_id)
            .finish_non_exhaustive()
    }
}

/// The check applied to every intercepted request: the page's own host
/// over http(s) (already approved by the SSRF guard and pinned), inline
/// `data:` and `blob:` URLs, nothing else.
#[derive(Debug)]
struct Guard {
    /// The page's host as it appears in URLs (lower case; IPv6 bracketed).
    page_host: String,
    /// Whether private addresses may be reached (`--allow-private`).
    allow_private: bool,
    /// Requests refused, by URL, so a failed navigation can say why.
    refused: Vec<(String, BlockReason)>,
}

impl Guard {
    fn check(&self, raw_url: &str) -> Result<(), BlockReason> {
        let url = Url::parse(raw_url).map_err(|_| BlockReason::NoHost)?;
        if matches!(url.scheme(), "data" | "blob") {
            return Ok(());
        }
        // Scheme and literal-address checks, as for a plain fetch.
        check_url(&url, self.allow_private)?;
        let host = url.host_str().unwrap_or_default();
        if host.eq_ignore_ascii_case(&self.page_host) {
            Ok(())
        } else {
            Err(BlockReason::OtherHost {
                host: host.to_owned(),
            })
        }
    }
}

fn browser_error(what: &str, e: &dyn std::fmt::Display) -> FetchFailure {
    FetchFailure::Browser(format!("{what}: {e}"))
}

impl Cdp {
    async fn connect(ws_url: &str, max_message: usize, guard: Guard) -> Result<Self, FetchFailure> {
        let config = WebSocketConfig::default()
            .max_message_size(Some(max_message))
            .max_frame_size(Some(max_message));
        let (socket, _) = tokio_tungstenite::connect_async_with_config(ws_url, Some(config), true)
            .await
            .map_err(|e| browser_error("cannot connect to DevTools", &e))?;
        Ok(Self {
            socket,
            next_id: 0,
            pending: VecDeque::new(),
            guard,
            session: None,
        })
    }

    /// Sends a command (to the page session once attached) and returns its
    /// id without waiting.
    async fn send(
        &mut self,
        method: &str,
        params: Value,
        browser_level: bool,
    ) -> Result<u64, FetchFailure> {
        self.next_id += 1;
        let mut message = json!({ "id": self.next_id, "method": method, "params": params });
        if !browser_level && let Some(session) = &self.session {
            message["sessionId"] = json!(session);
        }
        self.socket
            .send(Message::Text(message.to_string().into()))
            .await
            .map_err(|e| browser_error(&format!("cannot send {method}"), &e))?;
        Ok(self.next_id)
    }

    /// Sends a command and waits for its result, answering intercepted
    /// requests meanwhile.
    async fn call(&mut self, method: &str, params: Value) -> Result<Value, FetchFailure> {
        self.call_at(method, params, false).await
    }

    async fn call_at(
        &mut self,
        method: &str,
        params: Value,
        browser_level: bool,
    ) -> Result<Value, FetchFailure> {
        let id = self.send(method, params, browser_level).await?;
        loop {
            let message = self.read().await?;
            if message.get("id").and_then(Value::as_u64) == Some(id) {
                if let Some(error) = message.get("error") {
                    return Err(FetchFailure::Browser(format!("{method}: {error}")));
                }
                return Ok(message.get("result").cloned().unwrap_or(Value::Null));
            }
            if message.get("method").is_some()
                && let Some(event) = self.on_event(message).await?
            {
                self.pending.push_back(event);
            }
        }
    }

    /// The next event that is not an intercepted request.
    async fn next_event(&mut self) -> Result<Value, FetchFailure> {
        if let Some(event) = self.pending.pop_front() {
            return Ok(event);
        }
        loop {
            let message = self.read().await?;
            if message.get("method").is_some()
                && let Some(event) = self.on_event(message).await?
            {
                return Ok(event);
            }
        }
    }

    /// Answers `Fetch.requestPaused` (consumed); returns any other event.
    async fn on_event(&mut self, event: Value) -> Result<Option<Value>, FetchFailure> {
        if event["method"] != "Fetch.requestPaused" {
            return Ok(Some(event));
        }
        let params = &event["params"];
        let request_id = params["requestId"].as_str().unwrap_or_default().to_owned();
        let url = params["request"]["url"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        match self.guard.check(&url) {
            Ok(()) => {
                self.send(
                    "Fetch.continueRequest",
                    json!({ "requestId": request_id }),
                    false,
                )
                .await?;
            }
            Err(reason) => {
                tracing::debug!(%url, %reason, "browser request refused");
                self.guard.refused.push((url, reason));
                self.send(
                    "Fetch.failRequest",
                    json!({ "requestId": request_id, "errorReason": "BlockedByClient" }),
                    false,
                )
                .await?;
            }
        }
        Ok(None)
    }

    async fn read(&mut self) -> Result<Value, FetchFailure> {
        loop {
            let frame = self
                .socket
                .next()
                .await
                .ok_or_else(|| FetchFailure::Browser("DevTools connection closed".to_owned()))?
                .map_err(|e| browser_error("DevTools connection failed", &e))?;
            let text = match frame {
                Message::Text(text) => text,
                Message::Close(_) => {
                    return Err(FetchFailure::Browser(
                        "DevTools connection closed".to_owned(),
                    ));
                }
                _ => continue,
            };
            match serde_json::from_str::<Value>(text.as_str()) {
                Ok(value) => return Ok(value),
                Err(e) => tracing::debug!(error = %e, "unparsable DevTools message"),
            }
        }
    }
}

/// What the main frame's document response said.
#[derive(Debug, Default)]
struct MainResponse {
    status: Option<u16>,
    url: Option<String>,
    headers: Value,
    mime_type: Option<String>,
}

async fn render(
    cdp: &mut Cdp,
    config: &FetchConfig,
    request: &FetchRequest,
) -> Result<FetchedPage, FetchFailure> {
    let max_body = usize::try_from(config.max_body_bytes).unwrap_or(usize::MAX);

    let target = cdp
        .call_at("Target.createTarget", json!({ "url": "about:blank" }), true)
        .await?;
    let target_id = target["targetId"].as_str().unwrap_or_default().to_owned();
    let attached = cdp
        .call_at(
            "Target.attachToTarget",
            json!({ "targetId": target_id, "flatten": true }),
            true,
        )
        .await?;
    cdp.session = attached["sessionId"].as_str().map(str::to_owned);
    if cdp.session.is_none() {
        return Err(FetchFailure::Browser("no DevTools session".to_owned()));
    }

    cdp.call(
        "Fetch.enable",
        json!({ "patterns": [{ "urlPattern": "*", "requestStage": "Request" }] }),
    )
    .await?;
    cdp.call("Network.enable", json!({})).await?;
    cdp.call("Network.setBlockedURLs", json!({ "urls": BLOCKED_URLS }))
        .await?;
    cdp.call("Page.enable", json!({})).await?;
    cdp.call(
        "Page.addScriptToEvaluateOnNewDocument",
        json!({ "source": REFUSE_SOCKETS, "runImmediately": true }),
    )
    .await?;
    if let Some(accept_language) = &request.accept_language {
        let version = cdp.call_at("Browser.getVersion", json!({}), true).await?;
        let user_agent = version["userAgent"].as_str().unwrap_or_default().to_owned();
        let tags = languages(accept_language);
        cdp.call(
            "Emulation.setUserAgentOverride",
            json!({ "userAgent": user_agent, "acceptLanguage": tags.join(",") }),
        )
        .await?;
        cdp.call(
            "Network.setExtraHTTPHeaders",
            json!({ "headers": { "Accept-Language": accept_language } }),
        )
        .await?;
        if let Some(locale) = tags.first() {
            // Best effort: older Chromium lacks the command.
            if let Err(e) = cdp
                .call("Emulation.setLocaleOverride", json!({ "locale": locale }))
                .await
            {
                tracing::debug!(error = %e, "no locale override");
            }
        }
    }

    let navigation = cdp
        .call("Page.navigate", json!({ "url": request.url.as_str() }))
        .await?;
    if let Some(error) = navigation["errorText"].as_str().filter(|e| !e.is_empty()) {
        if let Some((_, reason)) = cdp.guard.refused.first() {
            return Err(FetchFailure::Blocked {
                reason: reason.clone(),
            });
        }
        return Err(net_error(error));
    }
    let main_frame = navigation["frameId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();

    let mut main = MainResponse::default();
    let mut redirects: Vec<Url> = Vec::new();
    let mut loaded = false;
    let mut settle_until: Option<Instant> = None;
    loop {
        let wait = match settle_until {
            Some(until) => until.saturating_duration_since(Instant::now()),
            None => config.browser.timeout,
        };
        let event = match tokio::time::timeout(wait, cdp.next_event()).await {
            Ok(event) => event?,
            Err(_) if loaded => break,
            Err(_) => return Err(FetchFailure::Timeout),
        };
        let params = &event["params"];
        match event["method"].as_str().unwrap_or_default() {
            "Network.requestWillBeSent"
                if params["type"] == "Document"
                    && params["frameId"] == main_frame.as_str()
                    && params.get("redirectResponse").is_some() =>
            {
                if let Some(next) = params["request"]["url"]
                    .as_str()
                    .and_then(|u| Url::parse(u).ok())
                {
                    redirects.push(next);
                }
                if redirects.len() > config.max_redirects {
                    return Err(FetchFailure::TooManyRedirects {
                        limit: config.max_redirects,
                    });
                }
            }
            "Network.responseReceived"
                if params["type"] == "Document" && params["frameId"] == main_frame.as_str() =>
            {
                let response = &params["response"];
                main = MainResponse {
                    status: response["status"]
                        .as_u64()
                        .and_then(|s| u16::try_from(s).ok()),
                    url: response["url"].as_str().map(str::to_owned),
                    headers: response["headers"].clone(),
                    mime_type: response["mimeType"].as_str().map(str::to_owned),
                };
            }
            "Page.loadEventFired" if !loaded => {
                loaded = true;
                settle_until = Some(Instant::now() + config.browser.settle);
            }
            _ => {}
        }
    }

    let evaluated = cdp
        .call(
            "Runtime.evaluate",
            json!({ "expression": SERIALIZE_DOM, "returnByValue": true }),
        )
        .await?;
    let html = evaluated["result"]["value"].as_str().unwrap_or_default();
    if html.len() > max_body {
        return Err(FetchFailure::TooLarge {
            limit: config.max_body_bytes,
        });
    }
    let body = html.as_bytes().to_vec();

    let status = main.status.unwrap_or(200);
    let content_type = "text/html; charset=utf-8";
    if !(200..300).contains(&status) {
        let verdict = match classify_page(status, Some(content_type), &body) {
            PageVerdict::Content => PageVerdict::ErrorPage {
                signal: format!("HTTP {status}"),
            },
            v => v,
        };
        return Err(FetchFailure::Http {
            status,
            retry_after_secs: None,
            verdict,
        });
    }
    let final_url = main
        .url
        .as_deref()
        .and_then(|u| Url::parse(u).ok())
        .unwrap_or_else(|| request.url.clone());
    let header = |name: &str| {
        main.headers.as_object().and_then(|headers| {
            headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .and_then(|(_, v)| v.as_str())
                .map(str::to_owned)
        })
    };
    tracing::debug!(url = %final_url, mime = ?main.mime_type, "browser rendered page");
    let meta = ResponseMeta {
        content_type: Some(content_type.to_owned()),
        charset: Some("utf-8".to_owned()),
        etag: header("etag"),
        last_modified: header("last-modified"),
        content_language: header("content-language"),
    };
    let verdict = classify_page(status, Some(content_type), &body);
    Ok(FetchedPage {
        final_url,
        status,
        meta,
        body,
        fetched_at: Utc::now(),
        elapsed: Duration::ZERO,
        redirects,
        attempts: 1,
        via_browser: true,
        verdict,
    })
}

/// Maps Chromium's `net::ERR_*` navigation errors to fetch failures.
fn net_error(error: &str) -> FetchFailure {
    match error {
        "net::ERR_NAME_NOT_RESOLVED" | "net::ERR_NAME_RESOLUTION_FAILED" => {
            FetchFailure::Dns(error.to_owned())
        }
        "net::ERR_TIMED_OUT" | "net::ERR_CONNECTION_TIMED_OUT" => FetchFailure::Timeout,
        "net::ERR_TOO_MANY_REDIRECTS" => FetchFailure::TooManyRedirects { limit: 20 },
        "net::ERR_CONTENT_LENGTH_MISMATCH" | "net::ERR_INCOMPLETE_CHUNKED_ENCODING" => {
            FetchFailure::Truncated
        }
        e if e.starts_with("net::ERR_CONNECTION") || e.starts_with("net::ERR_ADDRESS") => {
            FetchFailure::Connect(e.to_owned())
        }
        e => FetchFailure::Browser(e.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_tags() {
        assert_eq!(languages("de-DE,de;q=0.9, en;q=0.5"), ["de-DE", "de", "en"]);
        assert_eq!(primary_language("zh-CN").as_deref(), Some("zh-CN"));
        assert_eq!(primary_language(" ;q=1, --bad flag"), None);
        assert_eq!(languages("de\"; rm"), Vec::<String>::new());
    }

    #[test]
    fn intercepted_requests_may_reach_only_the_pages_host() {
        let guard = Guard {
            page_host: "policies.example".to_owned(),
            allow_private: false,
            refused: Vec::new(),
        };
        assert_eq!(guard.check("https://policies.example/terms?x=1"), Ok(()));
        assert_eq!(guard.check("http://POLICIES.example:8080/a.css"), Ok(()));
        assert_eq!(guard.check("data:image/png;base64,AAAA"), Ok(()));
        assert_eq!(
            guard.check("https://cdn.example/site.js"),
            Err(BlockReason::OtherHost {
                host: "cdn.example".to_owned()
            })
        );
        for other_scheme in [
            "file:///etc/passwd",
            "ws://policies.example/",
            "ftp://policies.example/",
        ] {
            assert!(
                matches!(guard.check(other_scheme), Err(BlockReason::Scheme { .. })),
                "{other_scheme}"
            );
        }
        // A literal private address keeps its SSRF reason.
        assert!(matches!(
            guard.check("http://169.254.169.254/latest/meta-data/"),
            Err(BlockReason::PrivateAddress { .. })
        ));
    }

    #[test]
    fn net_errors() {
        assert_eq!(net_error("net::ERR_NAME_NOT_RESOLVED").code(), "dns");
        assert_eq!(net_error("net::ERR_CONNECTION_REFUSED").code(), "connect");
        assert_eq!(net_error("net::ERR_ABORTED").code(), "browser");
    }
}
