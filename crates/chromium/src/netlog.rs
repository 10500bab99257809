//! Reading Chromium's net log (`--log-net-log`): which host names it tried
//! to resolve, which DNS queries it sent, which addresses it connected or
//! sent datagrams to, and which URLs it requested. The isolation tests
//! assert on this; a log cut short by a killed browser is read up to its
//! last complete event.

use std::collections::{BTreeSet, HashMap};
use std::net::IpAddr;
use std::path::Path;

use serde_json::Value;

/// Why a net log cannot be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NetLogError {
    /// The file cannot be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The log.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Not a net log, even after closing a cut-short event list.
    #[error("{path} is not a Chromium net log: {message}")]
    Format {
        /// The log.
        path: String,
        /// What was wrong.
        message: String,
    },
}

/// What one net log shows of Chromium's network use.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetLogSummary {
    /// Hosts handed to the host resolver (mapped-away hosts, which the
    /// resolver lock turns into `~NOTFOUND`, are not resolutions).
    pub resolved: BTreeSet<String>,
    /// Host names of DNS transactions (queries Chromium itself sent).
    pub dns_queries: BTreeSet<String>,
    /// `address:port` of TCP connection attempts.
    pub tcp_connects: BTreeSet<String>,
    /// `address:port` that UDP sockets were connected to. A UDP connect
    /// sends nothing: Chromium connects one to a public address to learn
    /// whether IPv6 is routable.
    pub udp_connects: BTreeSet<String>,
    /// Whether any UDP datagram left a socket connected to a non-loopback
    /// address.
    pub udp_sent_off_loopback: bool,
    /// URLs of requests Chromium started (including ones that then failed
    /// to resolve).
    pub requests: BTreeSet<String>,
    /// Events read.
    pub events: usize,
}

impl NetLogSummary {
    /// Everything that reached beyond `allowed` hosts: hosts resolved, DNS
    /// queries sent and connections made to anything other than an allowed
    /// host or a loopback address. Empty when the browser kept to its page.
    pub fn foreign_contacts(&self, allowed: &[&str]) -> Vec<String> {
        let allowed_host = |h: &str| {
            let h = h.trim_start_matches('[').trim_end_matches(']');
            allowed.iter().any(|a| a.eq_ignore_ascii_case(h)) || is_loopback(h)
        };
        let mut out = Vec::new();
        for host in &self.resolved {
            if !allowed_host(host) {
                out.push(format!("resolved {host}"));
            }
        }
        for host in &self.dns_queries {
            out.push(format!("DNS query for {host}"));
        }
        for address in &self.tcp_connects {
            if !allowed_host(host_of_address(address)) {
                out.push(format!("TCP connection to {address}"));
            }
        }
        if self.udp_sent_off_loopback {
            out.push(format!(
                "UDP datagrams sent beyond loopback ({:?})",
                self.udp_connects
            ));
        }
        out
    }

    /// Requests to hosts other than `allowed` that Chromium started (and
    /// the resolver lock then stopped).
    pub fn foreign_requests(&self, allowed: &[&str]) -> Vec<String> {
        self.requests
            .iter()
            .filter(|url| {
                let host = host_of_url(url);
                !(host.is_empty()
                    || allowed.iter().any(|a| a.eq_ignore_ascii_case(host))
                    || is_loopback(host))
            })
            .cloned()
            .collect()
    }

    /// Adds another log's findings (a run launches several browsers).
    pub fn merge(&mut self, other: NetLogSummary) {
        self.resolved.extend(other.resolved);
        self.dns_queries.extend(other.dns_queries);
        self.tcp_connects.extend(other.tcp_connects);
        self.udp_connects.extend(other.udp_connects);
        self.udp_sent_off_loopback |= other.udp_sent_off_loopback;
        self.requests.extend(other.requests);
        self.events += other.events;
    }
}

/// Reads one net log.
pub fn read(path: &Path) -> Result<NetLogSummary, NetLogError> {
    let text = std::fs::read_to_string(path).map_err(|source| NetLogError::Io {
        path: path.display().to_string(),
        source,
    })?;
    let log = parse_possibly_cut(&text).map_err(|message| NetLogError::Format {
        path: path.display().to_string(),
        message,
    })?;
    Ok(summarise(&log))
}

/// Reads every `*.json` net log in `dir`.
pub fn read_dir(dir: &Path) -> Result<(usize, NetLogSummary), NetLogError> {
    let io = |source| NetLogError::Io {
        path: dir.display().to_string(),
        source,
    };
    let mut total = NetLogSummary::default();
    let mut logs = 0;
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if path.extension().is_some_and(|e| e == "json") {
            total.merge(read(&path)?);
            logs += 1;
        }
    }
    Ok((logs, total))
}

/// Parses a log; a log whose browser was killed lacks the closing `]}` and
/// may end inside an event, so it is cut back to the last complete one.
fn parse_possibly_cut(text: &str) -> Result<Value, String> {
    match serde_json::from_str::<Value>(text) {
        Ok(value) => Ok(value),
        Err(first) => {
            let mut end = text.len();
            while let Some(pos) = text[..end].rfind('}') {
                let candidate = format!("{}]}}", text[..=pos].trim_end_matches(','));
                if let Ok(value) = serde_json::from_str::<Value>(&candidate) {
                    return Ok(value);
                }
                end = pos;
            }
            Err(first.to_string())
        }
    }
}

fn summarise(log: &Value) -> NetLogSummary {
    let types: HashMap<u64, &str> = log["constants"]["logEventTypes"]
        .as_object()
        .map(|m| {
            m.iter()
                .filter_map(|(name, id)| Some((id.as_u64()?, name.as_str())))
                .collect()
        })
        .unwrap_or_default();
    let mut summary = NetLogSummary::default();
    // UDP sockets by net-log source id, to tie sends to their address.
    let mut udp_by_source: HashMap<u64, String> = HashMap::new();
    let mut udp_sent_sources: BTreeSet<u64> = BTreeSet::new();
    let Some(events) = log["events"].as_array() else {
        return summary;
    };
    for event in events {
        summary.events += 1;
        let Some(kind) = event["type"].as_u64().and_then(|t| types.get(&t)) else {
            continue;
        };
        let params = &event["params"];
        let source = event["source"]["id"].as_u64().unwrap_or(u64::MAX);
        let text = |key: &str| params[key].as_str().map(str::to_owned);
        match *kind {
            "HOST_RESOLVER_MANAGER_REQUEST" | "HOST_RESOLVER_MANAGER_JOB" => {
                if let Some(host) = text("host") {
                    let host = host_of_url(&host).to_owned();
                    if !host.is_empty() && host != "~notfound" {
                        summary.resolved.insert(host);
                    }
                }
            }
            "DNS_TRANSACTION" | "HOST_RESOLVER_DNS_TASK" => {
                if let Some(host) = text("hostname").or_else(|| text("host")) {
                    summary.dns_queries.insert(host);
                }
            }
            "TCP_CONNECT_ATTEMPT" | "TCP_CONNECT" => {
                if let Some(address) = text("address") {
                    summary.tcp_connects.insert(address);
                }
            }
            "UDP_CONNECT" => {
                if let Some(address) = text("address") {
                    udp_by_source.insert(source, address.clone());
                    summary.udp_connects.insert(address);
                }
            }
            "UDP_BYTES_SENT" => {
                udp_sent_sources.insert(source);
            }
            "URL_REQUEST_START_JOB" => {
                if let Some(url) = text("url") {
                    summary.requests.insert(url);
                }
            }
            _ => {}
        }
    }
    summary.udp_sent_off_loopback = udp_sent_sources.iter().any(|s| {
        udp_by_source
            .get(s)
            .is_some_and(|a| !is_loopback(host_of_address(a)))
    });
    summary
}

/// The host of `scheme://host:port/…` (or of a bare `host:port`).
fn host_of_url(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
    host_of_address(authority)
}

/// The host of `host:port`, `[v6]:port` or a bare host.
fn host_of_address(address: &str) -> &str {
    if let Some(rest) = address.strip_prefix('[') {
        return rest.split(']').next().unwrap_or("");
    }
    match address.rsplit_once(':') {
        Some((host, port)) if port.chars().all(|c| c.is_ascii_digit()) && !host.contains(':') => {
            host
        }
        _ => address,
    }
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = r#"{"constants":{"logEventTypes":{"HOST_RESOLVER_MANAGER_REQUEST":1,"DNS_TRANSACTION":2,"TCP_CONNECT_ATTEMPT":3,"UDP_CONNECT":4,"UDP_BYTES_SENT":5,"URL_REQUEST_START_JOB":6}},
"events":[
{"type":1,"source":{"id":1},"params":{"host":"http://127.0.0.1:28081"}},
{"type":1,"source":{"id":2},"params":{"host":"https://~notfound"}},
{"type":6,"source":{"id":3},"params":{"url":"https://update.googleapis.com/service/update2/json"}},
{"type":4,"source":{"id":4},"params":{"address":"[2001:4860:4860::8888]:443"}},
{"type":3,"source":{"id":5},"params":{"address":"127.0.0.1:28081"}},"#;

    #[test]
    fn a_cut_log_is_read_to_its_last_event_and_a_locked_browser_is_clean() {
        let log = parse_possibly_cut(LOG).unwrap();
        let summary = summarise(&log);
        assert_eq!(summary.events, 5);
        assert!(
            summary.foreign_contacts(&["127.0.0.1"]).is_empty(),
            "{summary:?}"
        );
        assert_eq!(
            summary.foreign_requests(&["127.0.0.1"]),
            ["https://update.googleapis.com/service/update2/json"]
        );
    }

    #[test]
    fn dns_queries_foreign_connections_and_udp_sends_are_contacts() {
        let text = LOG.to_owned()
            + r#"{"type":2,"source":{"id":6},"params":{"hostname":"clients2.google.com"}},
{"type":3,"source":{"id":7},"params":{"address":"142.250.1.1:443"}},
{"type":5,"source":{"id":4},"params":{"byte_count":40}},
{"type":1,"source":{"id":8},"params":{"host":"https://tracker.example:443"}}]}"#;
        let summary = summarise(&parse_possibly_cut(&text).unwrap());
        let contacts = summary.foreign_contacts(&["127.0.0.1"]);
        assert_eq!(contacts.len(), 4, "{contacts:?}");
        assert!(contacts.iter().any(|c| c == "resolved tracker.example"));
        assert!(
            contacts
                .iter()
                .any(|c| c == "DNS query for clients2.google.com")
        );
    }

    #[test]
    fn hosts_of_urls_and_addresses() {
        assert_eq!(host_of_url("https://a.example:443/x?y"), "a.example");
        assert_eq!(host_of_url("http://u:p@b.example/"), "b.example");
        assert_eq!(host_of_address("[::1]:80"), "::1");
        assert_eq!(host_of_address("127.0.0.1:5"), "127.0.0.1");
        assert!(is_loopback("::1") && is_loopback("127.0.0.9") && !is_loopback("10.0.0.1"));
    }
}
