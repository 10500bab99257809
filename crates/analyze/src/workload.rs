//! Workload checks: maps a plain description of what a customer runs ("we
//! run an open SMTP relay and crawl competitors' sites") to the acceptable-use
//! labels it touches, each with search terms for finding the platform's
//! clause. The mapping is data: `rules/workload.toml`.

use crate::error::AnalyzeError;
use crate::label::TAXONOMY_IDS;
use regex::{Regex, RegexBuilder};
use serde::Deserialize;
use std::sync::OnceLock;

const EMBEDDED_WORKLOAD: &str = include_str!("../rules/workload.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WorkloadFile {
    #[serde(default)]
    activity: Vec<ActivitySpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ActivitySpec {
    label: String,
    triggers: Vec<String>,
    #[serde(default)]
    terms: Vec<String>,
}

/// The compiled activity → label mapping.
#[derive(Debug)]
pub struct WorkloadRules {
    activities: Vec<(String, Vec<Regex>, Vec<String>)>,
}

impl WorkloadRules {
    /// Compiles a workload rule file; rejects unknown label ids and bad regexes.
    pub fn from_toml(src: &str) -> Result<WorkloadRules, AnalyzeError> {
        let file: WorkloadFile =
            toml::from_str(src).map_err(|e| AnalyzeError::RuleFile(e.to_string()))?;
        let mut activities = Vec::new();
        for a in file.activity {
            if !TAXONOMY_IDS.contains(&a.label.as_str()) {
                return Err(AnalyzeError::UnknownLabel(a.label));
            }
            let triggers = a
                .triggers
                .iter()
                .map(|t| {
                    RegexBuilder::new(&format!(r"\b(?:{t})"))
                        .case_insensitive(true)
                        .build()
                        .map_err(|e| AnalyzeError::RuleFile(format!("bad trigger {t:?}: {e}")))
                })
                .collect::<Result<Vec<_>, _>>()?;
            activities.push((a.label, triggers, a.terms));
        }
        Ok(WorkloadRules { activities })
    }

    /// The embedded `rules/workload.toml`; `None` only if it is broken (a test guards it).
    pub fn embedded() -> Option<&'static WorkloadRules> {
        static RULES: OnceLock<Option<WorkloadRules>> = OnceLock::new();
        RULES
            .get_or_init(|| WorkloadRules::from_toml(EMBEDDED_WORKLOAD).ok())
            .as_ref()
    }

    /// See [`workload_queries`].
    pub fn queries(&self, description: &str) -> Vec<(String, Vec<String>)> {
        let mut found: Vec<(usize, String, Vec<String>)> = Vec::new();
        for (label, triggers, terms) in &self.activities {
            let mut first: Option<usize> = None;
            let mut q: Vec<String> = Vec::new();
            for t in triggers {
                for m in t.find_iter(description) {
                    first = Some(first.map_or(m.start(), |f| f.min(m.start())));
                    let s = m.as_str().trim().to_lowercase();
                    if !q.contains(&s) {
                        q.push(s);
                    }
                }
            }
            let Some(pos) = first else { continue };
            for term in terms {
                if !q.contains(term) {
                    q.push(term.clone());
                }
            }
            if let Some(existing) = found.iter_mut().find(|f| &f.1 == label) {
                existing.0 = existing.0.min(pos);
                for s in q {
                    if !existing.2.contains(&s) {
                        existing.2.push(s);
                    }
                }
            } else {
                found.push((pos, label.clone(), q));
            }
        }
        found.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
        found.into_iter().map(|(_, l, q)| (l, q)).collect()
    }
}

/// Maps an activity description to `(aup label id, query terms)`, in the
/// order the activities appear in the description. The query terms are the
/// words that matched followed by the label's typical clause wording; use
/// them to search the platform's AUP (e.g. with [`crate::SimilarityIndex`]).
pub fn workload_queries(description: &str) -> Vec<(String, Vec<String>)> {
    WorkloadRules::embedded()
        .map(|r| r.queries(description))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(d: &str) -> Vec<String> {
        workload_queries(d).into_iter().map(|(l, _)| l).collect()
    }

    #[test]
    fn relay_and_crawling() {
        let q = workload_queries("We run an open SMTP relay and crawl competitors' sites.");
        let ls: Vec<&str> = q.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(
            ls,
            [
                "aup_network_open_services",
                "aup_network_monitoring_crawling"
            ]
        );
        assert_eq!(q[0].1[0], "open smtp relay");
        assert!(q[0].1.iter().any(|t| t == "open mail relays"));
        assert!(q[1].1.iter().any(|t| t == "crawl"));
    }

    #[test]
    fn other_activities() {
        assert_eq!(
            labels("nightly load testing of our own API and port scanning customer hosts"),
            [
                "aup_network_denial_of_service",
                "aup_security_unauthorized_access"
            ]
        );
        assert_eq!(
            labels("GPU instances for Monero mining"),
            ["aup_crypto_mining"]
        );
        assert_eq!(labels("a bulk email newsletter"), ["aup_message_abuse"]);
        assert!(labels("a static blog").is_empty());
        assert!(labels("").is_empty());
    }

    #[test]
    fn embedded_file_is_valid() {
        assert!(WorkloadRules::from_toml(EMBEDDED_WORKLOAD).is_ok());
        assert!(WorkloadRules::from_toml("[[activity]]\nlabel='nope'\ntriggers=['x']").is_err());
    }
}
