//! Webhook signatures, Stripe style: the header
//! `X-Clausewatch-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` where the
//! MAC is taken with the shared secret over `"<t>.<raw body>"`. Binding the
//! timestamp into the MAC lets a receiver reject replays older than a
//! tolerance; several `v1=` entries may appear (secret rotation) and one
//! matching is enough. Receivers compare in constant time ([`verify`] does).

use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::time::Duration;

type HmacSha256 = Hmac<Sha256>;

/// The name of the signature header.
pub const SIGNATURE_HEADER: &str = "X-Clausewatch-Signature";

/// The default age (and clock skew) a receiver accepts: five minutes.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

/// Why a signature header was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// The header is not `t=<int>,v1=<hex>[,v1=<hex>…]`.
    #[error("malformed signature header: {0}")]
    Malformed(String),
    /// The header carries no `v1=` signature.
    #[error("the signature header has no v1 signature")]
    NoSignature,
    /// The timestamp is further from now than the tolerance (a replay or a
    /// badly wrong clock).
    #[error("the signature timestamp is {age_secs} s away from now (tolerance {tolerance_secs} s)")]
    OutsideTolerance {
        /// `now - t` in seconds (negative: in the future).
        age_secs: i64,
        /// The tolerance in seconds.
        tolerance_secs: u64,
    },
    /// No `v1=` signature matches the body with this secret.
    #[error("the signature does not match the body")]
    Mismatch,
}

fn mac(secret: &[u8], timestamp: i64, body: &[u8]) -> HmacSha256 {
    // HMAC takes keys of any length (long ones are hashed first), so this
    // constructor cannot fail; the fallback only satisfies the type.
    let mut mac = match HmacSha256::new_from_slice(secret) {
        Ok(mac) => mac,
        Err(_) => HmacSha256::new(&Default::default()),
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The header value for `body` signed with `secret` at `timestamp` (unix
/// seconds): `t=<timestamp>,v1=<hex>`.
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let tag = mac(secret, timestamp, body).finalize().into_bytes();
    format!("t={timestamp},v1={}", hex::encode(tag))
}

/// Checks a signature header against `body` and `secret` at `now` (unix
/// seconds), accepting timestamps at most `tolerance` away from `now`.
///
/// ```
/// use cw_notify::{sign, verify, DEFAULT_TOLERANCE};
/// let header = sign(b"s3cret-s3cret-s3cret", 1_700_000_000, b"{}");
/// assert!(verify(b"s3cret-s3cret-s3cret", &header, b"{}", 1_700_000_030, DEFAULT_TOLERANCE).is_ok());
/// assert!(verify(b"another-secret-xyz", &header, b"{}", 1_700_000_030, DEFAULT_TOLERANCE).is_err());
/// ```
pub fn verify(
    secret: &[u8],
    header: &str,
    body: &[u8],
    now: i64,
    tolerance: Duration,
) -> Result<(), SignatureError> {
    let mut timestamp: Option<i64> = None;
    let mut signatures: Vec<Vec<u8>> = Vec::new();
    for part in header.split(',') {
        let part = part.trim();
        let Some((key, value)) = part.split_once('=') else {
            return Err(SignatureError::Malformed(format!(
                "{part:?} is not key=value"
            )));
        };
        match key.trim() {
            "t" => {
                let t = value.trim().parse::<i64>().map_err(|_| {
                    SignatureError::Malformed(format!("timestamp {value:?} is not an integer"))
                })?;
                timestamp = Some(t);
            }
            "v1" => {
                let bytes = hex::decode(value.trim()).map_err(|_| {
                    SignatureError::Malformed(format!("v1 {value:?} is not hexadecimal"))
                })?;
                signatures.push(bytes);
            }
            // Unknown schemes (a future v2) are ignored, as Stripe does.
            _ => {}
        }
    }
    let timestamp =
        timestamp.ok_or_else(|| SignatureError::Malformed("no t= timestamp".to_string()))?;
    if signatures.is_empty() {
        return Err(SignatureError::NoSignature);
    }
    let age = now.saturating_sub(timestamp);
    let tolerance_secs = tolerance.as_secs();
    if age.unsigned_abs() > tolerance_secs {
        return Err(SignatureError::OutsideTolerance {
            age_secs: age,
            tolerance_secs,
        });
    }
    let expected = mac(secret, timestamp, body);
    // `verify_slice` compares in constant time.
    if signatures
        .iter()
        .any(|sig| expected.clone().verify_slice(sig).is_ok())
    {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"whsec_0123456789abcdef";

    #[test]
    fn sign_matches_a_known_vector() {
        // HMAC-SHA256(key = "key", "0.The quick brown fox jumps over the lazy dog")
        // computed independently with Python's hmac module.
        let header = sign(b"key", 0, b"The quick brown fox jumps over the lazy dog");
        assert_eq!(
            header,
            "t=0,v1=8511f28f7a1949f0c42772b447d68b2daf760f5f0439a20a17e3b4e7cd395763"
        );
    }

    #[test]
    fn round_trip_and_rejections() {
        let body = br#"{"schema":"clausewatch.alert.v1"}"#;
        let header = sign(SECRET, 1_000, body);
        assert_eq!(
            verify(SECRET, &header, body, 1_000, DEFAULT_TOLERANCE),
            Ok(())
        );
        assert_eq!(
            verify(
                b"wrong-secret-0123456",
                &header,
                body,
                1_000,
                DEFAULT_TOLERANCE
            ),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(SECRET, &header, b"{}", 1_000, DEFAULT_TOLERANCE),
            Err(SignatureError::Mismatch)
        );
        assert!(matches!(
            verify(SECRET, &header, body, 1_000 + 301, DEFAULT_TOLERANCE),
            Err(SignatureError::OutsideTolerance { age_secs: 301, .. })
        ));
        assert!(matches!(
            verify(SECRET, &header, body, 1_000 - 301, DEFAULT_TOLERANCE),
            Err(SignatureError::OutsideTolerance { age_secs: -301, .. })
        ));
        // The timestamp is bound into the MAC: moving it breaks the signature.
        let forged = header.replacen("t=1000", "t=1200", 1);
        assert_eq!(
            verify(SECRET, &forged, body, 1_200, DEFAULT_TOLERANCE),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn rotation_and_malformed_headers() {
        let body = b"x";
        let old = sign(b"old-secret-0123456789", 5, body);
        let new = sign(SECRET, 5, body);
        let both = format!("{new},{}", old.trim_start_matches("t=5,"));
        assert_eq!(verify(SECRET, &both, body, 5, DEFAULT_TOLERANCE), Ok(()));
        assert_eq!(
            verify(b"old-secret-0123456789", &both, body, 5, DEFAULT_TOLERANCE),
            Ok(())
        );
        assert_eq!(
            verify(SECRET, "t=5", body, 5, DEFAULT_TOLERANCE),
            Err(SignatureError::NoSignature)
        );
        for bad in ["", "v1=00", "t=x,v1=00", "t=5,v1=zz", "garbage"] {
            assert!(
                matches!(
                    verify(SECRET, bad, body, 5, DEFAULT_TOLERANCE),
                    Err(SignatureError::Malformed(_))
                ),
                "{bad:?}"
            );
        }
    }
}
