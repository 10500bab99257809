//! Identifiers of the analyzer and of the embedded model, recorded beside
//! stored analysis results so that a result can be traced to the code,
//! rules and model that produced it, and so stale results can be detected
//! after an upgrade. Each is a name plus a 64-bit FNV-1a hash of the
//! embedded files: the same build always gives the same identifier.

use std::sync::OnceLock;

const LABELS: &str = include_str!("../rules/labels.toml");
const REGULATIONS: &str = include_str!("../rules/regulations.toml");
const WORKLOAD: &str = include_str!("../rules/workload.toml");
const MODEL: &[u8] = include_bytes!("../model/unfair_tos.json");
/// The encoder's description (it records the training run, so a retrained
/// encoder changes it) and the ensemble settings; the 45 MB of weights are
/// not hashed again.
#[cfg(feature = "encoder")]
const ENCODER: [&[u8]; 2] = [
    include_bytes!("../model/encoder/encoder.json"),
    include_bytes!("../model/encoder/ensemble.json"),
];

/// 64-bit FNV-1a over several byte strings (each followed by a separator byte).
fn fnv1a(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &b in part.iter().chain(std::iter::once(&0xffu8)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

/// The analyzer: crate version and a hash of the embedded rule files,
/// e.g. `cw-analyze 0.1.0 rules 3f2a9c0d1e2b4a5c`. Changes whenever a rule
/// file or the crate version changes.
pub fn analyzer_version() -> &'static str {
    static V: OnceLock<String> = OnceLock::new();
    V.get_or_init(|| {
        format!(
            "cw-analyze {} rules {:016x}",
            env!("CARGO_PKG_VERSION"),
            fnv1a(&[
                LABELS.as_bytes(),
                REGULATIONS.as_bytes(),
                WORKLOAD.as_bytes()
            ])
        )
    })
}

/// The embedded unfair-clause model: `unfair_tos ` plus a hash of its file,
/// e.g. `unfair_tos 9ad8764a3b0fdb9c`, and with the `encoder` feature
/// ` encoder ` plus a hash of the encoder's description and ensemble
/// settings. Changes whenever either is retrained or recalibrated.
pub fn model_version() -> &'static str {
    static V: OnceLock<String> = OnceLock::new();
    V.get_or_init(|| {
        #[cfg(feature = "encoder")]
        {
            format!(
                "unfair_tos {:016x} encoder {:016x}",
                fnv1a(&[MODEL]),
                fnv1a(&ENCODER)
            )
        }
        #[cfg(not(feature = "encoder"))]
        {
            format!("unfair_tos {:016x}", fnv1a(&[MODEL]))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_stable_and_distinct() {
        assert_eq!(analyzer_version(), analyzer_version());
        assert!(analyzer_version().starts_with("cw-analyze "));
        assert!(model_version().starts_with("unfair_tos "));
        assert_ne!(fnv1a(&[b"a", b"b"]), fnv1a(&[b"ab"]));
        assert_eq!(fnv1a(&[b""]), fnv1a(&[b""]));
    }
}
