//! Names of stored documents and versions: `platform/document[@selector]`.

use chrono::NaiveDate;
use std::fmt;
use std::str::FromStr;

/// Why a document or version name could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The name lacks the `platform/document` shape.
    #[error("expected PLATFORM/DOCUMENT, got {0:?}")]
    Shape(String),
    /// A slug contains characters other than a-z, 0-9, '-', '_' and '.'.
    #[error("{0:?} is not a valid slug (use lowercase letters, digits, '-', '_' or '.')")]
    Slug(String),
    /// The part after '@' is neither a date, a version number nor `latest`.
    #[error("{0:?} is not a version selector (use YYYY-MM-DD, a version number, or 'latest')")]
    Selector(String),
}

/// Makes a slug out of free text: lowercase ASCII letters and digits joined by '-'.
/// Used for provision ids and suggested document names.
pub fn slugify(text: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c.to_ascii_lowercase());
        } else if c.is_alphanumeric() {
            // Non-ASCII letters (Chinese headings) are kept as they are.
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.extend(c.to_lowercase());
        } else {
            dash = true;
        }
    }
    out
}

fn valid_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 100
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'))
}

/// A stored document: `aws/aup-ningxia`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocumentKey {
    /// The platform slug, e.g. `aws`.
    pub platform: String,
    /// The document slug within the platform, e.g. `aup-ningxia`.
    pub document: String,
}

impl DocumentKey {
    /// Builds a key, validating both slugs.
    pub fn new(platform: &str, document: &str) -> Result<Self, KeyError> {
        for s in [platform, document] {
            if !valid_slug(s) {
                return Err(KeyError::Slug(s.to_string()));
            }
        }
        Ok(DocumentKey {
            platform: platform.to_string(),
            document: document.to_string(),
        })
    }
}

impl fmt::Display for DocumentKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.platform, self.document)
    }
}

impl FromStr for DocumentKey {
    type Err = KeyError;
    fn from_str(s: &str) -> Result<Self, KeyError> {
        let (p, d) = s
            .split_once('/')
            .ok_or_else(|| KeyError::Shape(s.to_string()))?;
        DocumentKey::new(p, d)
    }
}

/// Which version of a document is meant.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum VersionSelector {
    /// The newest version.
    Latest,
    /// The version in force on that date (the newest observed on or before it).
    Date(NaiveDate),
    /// The n-th version, counting from 1.
    Number(u32),
}

/// A stored version: `aws/aup-ningxia@2021-06-18`, `aws/aup-ningxia@2`, `aws/aup-ningxia`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VersionRef {
    /// The document.
    pub document: DocumentKey,
    /// Which of its versions.
    pub selector: VersionSelector,
}

impl FromStr for VersionRef {
    type Err = KeyError;
    fn from_str(s: &str) -> Result<Self, KeyError> {
        let (doc, sel) = match s.split_once('@') {
            Some((d, sel)) => (d, Some(sel)),
            None => (s, None),
        };
        let document = doc.parse()?;
        let selector = match sel {
            None | Some("latest") => VersionSelector::Latest,
            Some(x) => {
                if let Ok(d) = NaiveDate::parse_from_str(x, "%Y-%m-%d") {
                    VersionSelector::Date(d)
                } else if let Ok(n) = x.parse::<u32>() {
                    VersionSelector::Number(n)
                } else {
                    return Err(KeyError::Selector(x.to_string()));
                }
            }
        };
        Ok(VersionRef { document, selector })
    }
}

impl fmt::Display for VersionRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.selector {
            VersionSelector::Latest => write!(f, "{}", self.document),
            VersionSelector::Date(d) => write!(f, "{}@{d}", self.document),
            VersionSelector::Number(n) => write!(f, "{}@{n}", self.document),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_version_refs() {
        let r: VersionRef = "aws/aup-ningxia@2021-06-18".parse().unwrap();
        assert_eq!(r.document.platform, "aws");
        assert_eq!(
            r.selector,
            VersionSelector::Date(NaiveDate::from_ymd_opt(2021, 6, 18).unwrap())
        );
        assert_eq!(r.to_string(), "aws/aup-ningxia@2021-06-18");
        let r: VersionRef = "aws/aup@3".parse().unwrap();
        assert_eq!(r.selector, VersionSelector::Number(3));
        assert!("aws".parse::<VersionRef>().is_err());
        assert!("AWS/x".parse::<VersionRef>().is_err());
        assert!("aws/x@soon".parse::<VersionRef>().is_err());
    }

    #[test]
    fn slugifies() {
        assert_eq!(slugify("No Network Abuse"), "no-network-abuse");
        assert_eq!(slugify("  E-Mail & Other!! "), "e-mail-other");
        assert_eq!(slugify("隐私政策 2021"), "隐私政策-2021");
    }
}
