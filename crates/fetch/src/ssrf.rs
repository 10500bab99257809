//! The SSRF guard: which addresses and URLs a fetch may reach.
//!
//! [`ssrf_check`] classifies one IP address; [`check_url`] checks a URL's
//! scheme and, for IP-literal hosts, its address; [`GuardedResolver`] is the
//! DNS resolver the HTTP client connects through, so the addresses that were
//! checked are the addresses that are connected to (no window for DNS
//! rebinding between a check and the connect). The fetcher runs
//! [`check_url`] before every hop, redirects included.
//!
//! The guard is not only for sources: cw-notify builds its webhook client
//! on [`GuardedResolver`] and checks SMTP servers with
//! [`GuardedResolver::lookup`], so every target of an outbound request
//! passes the same check.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use serde::{Deserialize, Serialize};
use url::{Host, Url};

/// Why a target was refused before any connection was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
#[non_exhaustive]
pub enum BlockReason {
    /// The address (given literally or resolved from the host name) is not
    /// a public unicast address.
    PrivateAddress {
        /// The refused address.
        addr: IpAddr,
        /// Which reserved range it falls in.
        class: AddressClass,
    },
    /// The URL scheme is not `http` or `https`.
    Scheme {
        /// The refused scheme.
        scheme: String,
    },
    /// The URL has no host to connect to.
    NoHost,
    /// A browser fetch asked for another host than the page's: the browser
    /// is locked to the page it was sent to.
    OtherHost {
        /// The refused host.
        host: String,
    },
}

impl fmt::Display for BlockReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PrivateAddress { addr, class } => {
                write!(f, "address {addr} is {}", class.as_str())
            }
            Self::Scheme { scheme } => write!(f, "scheme {scheme:?} is not http or https"),
            Self::NoHost => f.write_str("URL has no host"),
            Self::OtherHost { host } => {
                write!(
                    f,
                    "host {host} is not the page's (the browser is locked to it)"
                )
            }
        }
    }
}

/// The reserved address ranges [`ssrf_check`] refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AddressClass {
    /// `0.0.0.0`, `0.0.0.0/8` ("this network"), `::`.
    Unspecified,
    /// `127.0.0.0/8`, `::1`.
    Loopback,
    /// RFC 1918: `10/8`, `172.16/12`, `192.168/16`; also deprecated IPv6
    /// site-local `fec0::/10`.
    Private,
    /// `169.254/16`, `fe80::/10`.
    LinkLocal,
    /// IPv6 unique-local `fc00::/7`.
    UniqueLocal,
    /// Carrier-grade NAT shared space `100.64/10`.
    SharedAddressSpace,
    /// `224/4`, `ff00::/8`.
    Multicast,
    /// `255.255.255.255`.
    Broadcast,
    /// `192.0.2/24`, `198.51.100/24`, `203.0.113/24`, `2001:db8::/32`,
    /// `3fff::/20`.
    Documentation,
    /// `198.18/15`, `2001:2::/48`.
    Benchmarking,
    /// Other special-purpose ranges: `192.0.0/24`, `240/4`, `100::/64`,
    /// Teredo `2001::/32`, local-use NAT64 `64:ff9b:1::/48`, IPv4-compatible
    /// `::/96`.
    Reserved,
}

impl AddressClass {
    /// A stable lowercase name for records and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unspecified => "unspecified",
            Self::Loopback => "loopback",
            Self::Private => "private",
            Self::LinkLocal => "link_local",
            Self::UniqueLocal => "unique_local",
            Self::SharedAddressSpace => "shared_address_space",
            Self::Multicast => "multicast",
            Self::Broadcast => "broadcast",
            Self::Documentation => "documentation",
            Self::Benchmarking => "benchmarking",
            Self::Reserved => "reserved",
        }
    }
}

/// Refuses every address that is not public unicast.
///
/// Covers private, loopback, link-local, unique-local, CGNAT, unspecified,
/// multicast, broadcast, documentation, benchmarking and other reserved
/// ranges, for IPv4 and IPv6, including IPv4 addresses embedded in IPv6
/// (`::ffff:0:0/96` mapped, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`).
///
/// ```
/// use std::net::IpAddr;
/// use cw_fetch::{ssrf_check, AddressClass, BlockReason};
/// let lo: IpAddr = "::ffff:127.0.0.1".parse().unwrap();
/// assert!(matches!(ssrf_check(lo),
///     Err(BlockReason::PrivateAddress { class: AddressClass::Loopback, .. })));
/// assert!(ssrf_check("93.184.215.14".parse().unwrap()).is_ok());
/// ```
pub fn ssrf_check(addr: IpAddr) -> Result<(), BlockReason> {
    let class = match addr {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    };
    match class {
        None => Ok(()),
        Some(class) => Err(BlockReason::PrivateAddress { addr, class }),
    }
}

fn classify_v4(ip: Ipv4Addr) -> Option<AddressClass> {
    let [a, b, c, _] = ip.octets();
    let class = match (a, b, c) {
        (0, _, _) => AddressClass::Unspecified,
        (10, _, _) => AddressClass::Private,
        (100, 64..=127, _) => AddressClass::SharedAddressSpace,
        (127, _, _) => AddressClass::Loopback,
        (169, 254, _) => AddressClass::LinkLocal,
        (172, 16..=31, _) => AddressClass::Private,
        (192, 0, 0) => AddressClass::Reserved,
        (192, 0, 2) | (198, 51, 100) | (203, 0, 113) => AddressClass::Documentation,
        (192, 168, _) => AddressClass::Private,
        (198, 18..=19, _) => AddressClass::Benchmarking,
        (224..=239, _, _) => AddressClass::Multicast,
        _ if ip == Ipv4Addr::BROADCAST => AddressClass::Broadcast,
        (240..=255, _, _) => AddressClass::Reserved,
        _ => return None,
    };
    Some(class)
}

fn classify_v6(ip: Ipv6Addr) -> Option<AddressClass> {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return classify_v4(v4);
    }
    let seg = ip.segments();
    let embedded_low_v4 = || {
        let [.., a, b, c, d] = ip.octets();
        Ipv4Addr::new(a, b, c, d)
    };
    let class = match seg {
        [0, 0, 0, 0, 0, 0, 0, 0] => AddressClass::Unspecified,
        [0, 0, 0, 0, 0, 0, 0, 1] => AddressClass::Loopback,
        // IPv4-compatible (deprecated): never a legitimate web server.
        [0, 0, 0, 0, 0, 0, _, _] => AddressClass::Reserved,
        // NAT64 well-known prefix: judge the embedded IPv4 address.
        [0x64, 0xff9b, 0, 0, 0, 0, _, _] => return classify_v4(embedded_low_v4()),
        [0x64, 0xff9b, 1, ..] => AddressClass::Reserved,
        [0x100, 0, 0, 0, ..] => AddressClass::Reserved,
        [0x2001, 0, ..] => AddressClass::Reserved,
        [0x2001, 2, 0, ..] => AddressClass::Benchmarking,
        [0x2001, 0xdb8, ..] => AddressClass::Documentation,
        // 6to4: the IPv4 address sits in segments 1 and 2.
        [0x2002, hi, lo, ..] => {
            let [a, b] = hi.to_be_bytes();
            let [c, d] = lo.to_be_bytes();
            return classify_v4(Ipv4Addr::new(a, b, c, d));
        }
        [s, ..] if s & 0xfff0 == 0x3ff0 => AddressClass::Documentation,
        [s, ..] if s & 0xfe00 == 0xfc00 => AddressClass::UniqueLocal,
        [s, ..] if s & 0xffc0 == 0xfe80 => AddressClass::LinkLocal,
        [s, ..] if s & 0xffc0 == 0xfec0 => AddressClass::Private,
        [s, ..] if s & 0xff00 == 0xff00 => AddressClass::Multicast,
        _ => return None,
    };
    Some(class)
}

/// Checks a URL before a request is sent to it: the scheme must be `http`
/// or `https`, there must be a host, and an IP-literal host must pass
/// [`ssrf_check`] unless `allow_private`. Host names are checked after
/// resolution, by the fetcher's guarded DNS resolver.
pub fn check_url(url: &Url, allow_private: bool) -> Result<(), BlockReason> {
    match url.scheme() {
        "http" | "https" => {}
        other => {
            return Err(BlockReason::Scheme {
                scheme: other.to_owned(),
            });
        }
    }
    let addr = match url.host() {
        None => return Err(BlockReason::NoHost),
        Some(Host::Domain("")) => return Err(BlockReason::NoHost),
        Some(Host::Domain(_)) => return Ok(()),
        Some(Host::Ipv4(v4)) => IpAddr::V4(v4),
        Some(Host::Ipv6(v6)) => IpAddr::V6(v6),
    };
    if allow_private {
        Ok(())
    } else {
        ssrf_check(addr)
    }
}

/// Why [`GuardedResolver`] produced no address. Travels inside the HTTP
/// client's error chain and is recovered by downcasting (see
/// [`blocked_in_chain`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ResolveError {
    /// Every resolved address was refused.
    #[error("{0}")]
    Blocked(BlockReason),
    /// Resolution itself failed.
    #[error("cannot resolve {host}: {message}")]
    Dns {
        /// The host name looked up.
        host: String,
        /// The resolver's error.
        message: String,
    },
}

/// The guard's refusal inside an error's source chain (a reqwest error of a
/// client built on [`GuardedResolver`]), if that is why it failed.
pub fn blocked_in_chain(error: &(dyn std::error::Error + 'static)) -> Option<BlockReason> {
    let mut cause = Some(error);
    while let Some(e) = cause {
        if let Some(ResolveError::Blocked(reason)) = e.downcast_ref::<ResolveError>() {
            return Some(reason.clone());
        }
        cause = e.source();
    }
    None
}

/// Resolves host names with the system resolver and drops every address
/// that fails [`ssrf_check`] (unless private targets are allowed). An HTTP
/// client built with it as its `dns_resolver` (and without a proxy)
/// connects only to what this returns.
#[derive(Debug, Clone, Copy)]
pub struct GuardedResolver {
    pub(crate) allow_private: bool,
}

impl GuardedResolver {
    /// A resolver that refuses non-public addresses unless `allow_private`.
    pub fn new(allow_private: bool) -> GuardedResolver {
        GuardedResolver { allow_private }
    }

    /// Resolves `host` and filters the addresses: the allowed ones, or
    /// [`ResolveError::Blocked`] when every address was refused.
    pub async fn lookup(self, host: &str) -> Result<Vec<SocketAddr>, ResolveError> {
        // Brackets never reach here for IPv6 literals from reqwest, but be
        // lenient for callers that pass a URL host string.
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        let resolved: Vec<SocketAddr> = tokio::net::lookup_host((bare, 0))
            .await
            .map_err(|e| ResolveError::Dns {
                host: host.to_owned(),
                message: e.to_string(),
            })?
            .collect();
        if self.allow_private {
            return non_empty(host, resolved);
        }
        let mut first_refusal = None;
        let mut allowed = Vec::with_capacity(resolved.len());
        for addr in resolved {
            match ssrf_check(addr.ip()) {
                Ok(()) => allowed.push(addr),
                Err(reason) => {
                    tracing::debug!(host, %addr, %reason, "resolved address refused");
                    first_refusal.get_or_insert(reason);
                }
            }
        }
        match (allowed.is_empty(), first_refusal) {
            (true, Some(reason)) => Err(ResolveError::Blocked(reason)),
            _ => non_empty(host, allowed),
        }
    }
}

fn non_empty(host: &str, addrs: Vec<SocketAddr>) -> Result<Vec<SocketAddr>, ResolveError> {
    if addrs.is_empty() {
        Err(ResolveError::Dns {
            host: host.to_owned(),
            message: "no addresses".to_owned(),
        })
    } else {
        Ok(addrs)
    }
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let resolver = *self;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs = resolver.lookup(&host).await?;
            let addrs: reqwest::dns::Addrs = Box::new(addrs.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class_of(s: &str) -> Option<AddressClass> {
        let addr: IpAddr = s.parse().unwrap();
        match ssrf_check(addr) {
            Ok(()) => None,
            Err(BlockReason::PrivateAddress { class, addr: a }) => {
                assert_eq!(a, addr);
                Some(class)
            }
            Err(other) => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn ranges() {
        use AddressClass::*;
        let cases: &[(&str, Option<AddressClass>)] = &[
            ("0.0.0.0", Some(Unspecified)),
            ("0.1.2.3", Some(Unspecified)),
            ("10.0.0.1", Some(Private)),
            ("10.255.255.255", Some(Private)),
            ("100.63.255.255", None),
            ("100.64.0.1", Some(SharedAddressSpace)),
            ("100.127.255.255", Some(SharedAddressSpace)),
            ("100.128.0.0", None),
            ("127.0.0.1", Some(Loopback)),
            ("127.255.0.9", Some(Loopback)),
            ("169.254.169.254", Some(LinkLocal)),
            ("172.15.255.255", None),
            ("172.16.0.1", Some(Private)),
            ("172.31.255.255", Some(Private)),
            ("172.32.0.0", None),
            ("192.0.0.8", Some(Reserved)),
            ("192.0.2.1", Some(Documentation)),
            ("198.51.100.7", Some(Documentation)),
            ("203.0.113.9", Some(Documentation)),
            ("192.168.1.1", Some(Private)),
            ("198.18.0.1", Some(Benchmarking)),
            ("198.20.0.1", None),
            ("224.0.0.1", Some(Multicast)),
            ("239.255.255.250", Some(Multicast)),
            ("240.0.0.1", Some(Reserved)),
            ("255.255.255.255", Some(Broadcast)),
            ("8.8.8.8", None),
            ("93.184.215.14", None),
            ("::", Some(Unspecified)),
            ("::1", Some(Loopback)),
            ("::ffff:127.0.0.1", Some(Loopback)),
            ("::ffff:10.1.2.3", Some(Private)),
            ("::ffff:169.254.169.254", Some(LinkLocal)),
            ("::ffff:8.8.8.8", None),
            ("::127.0.0.1", Some(Reserved)),
            ("64:ff9b::7f00:1", Some(Loopback)),
            ("64:ff9b::808:808", None),
            ("64:ff9b:1::1", Some(Reserved)),
            ("2002:7f00:1::1", Some(Loopback)),
            ("2002:0808:0808::1", None),
            ("fc00::1", Some(UniqueLocal)),
            ("fd12:3456::1", Some(UniqueLocal)),
            ("fe80::1", Some(LinkLocal)),
            ("febf::1", Some(LinkLocal)),
            ("fec0::1", Some(Private)),
            ("ff02::1", Some(Multicast)),
            ("2001:db8::1", Some(Documentation)),
            ("3fff::1", Some(Documentation)),
            ("2001::1", Some(Reserved)),
            ("2001:2::1", Some(Benchmarking)),
            ("100::1", Some(Reserved)),
            ("2606:4700::6810:84e5", None),
            ("2a00:1450:4001::200e", None),
        ];
        for (addr, expected) in cases {
            assert_eq!(class_of(addr), *expected, "{addr}");
        }
    }

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn urls() {
        assert_eq!(check_url(&url("https://example.com/terms"), false), Ok(()));
        assert!(matches!(
            check_url(&url("file:///etc/passwd"), false),
            Err(BlockReason::Scheme { .. })
        ));
        assert!(matches!(
            check_url(&url("ftp://example.com/"), true),
            Err(BlockReason::Scheme { .. })
        ));
        // Obfuscated IPv4 forms are normalised by the URL parser.
        for s in [
            "http://127.0.0.1/",
            "http://0x7f.1/",
            "http://2130706433/",
            "http://[::ffff:7f00:1]/",
            "http://[::1]:8080/",
            "http://169.254.169.254/latest/meta-data/",
        ] {
            assert!(
                matches!(
                    check_url(&url(s), false),
                    Err(BlockReason::PrivateAddress { .. })
                ),
                "{s}"
            );
            assert_eq!(check_url(&url(s), true), Ok(()), "{s}");
        }
    }

    #[tokio::test]
    async fn resolver_filters_loopback_names() {
        let guarded = GuardedResolver {
            allow_private: false,
        };
        match guarded.lookup("localhost").await {
            Err(ResolveError::Blocked(BlockReason::PrivateAddress { class, .. })) => {
                assert_eq!(class, AddressClass::Loopback);
            }
            other => panic!("localhost not refused: {other:?}"),
        }
        let open = GuardedResolver {
            allow_private: true,
        };
        assert!(open.lookup("localhost").await.is_ok());
    }
}
