//! The extracted form of one document snapshot: metadata and provisions.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The input format detected from a snapshot's bytes (never from its file name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceFormat {
    /// A full HTML page or an HTML fragment.
    Html,
    /// Markdown, possibly with raw HTML fragments embedded.
    Markdown,
    /// A PDF file's text layer.
    Pdf,
    /// Plain text (including text scraped from a PDF or a web page).
    Text,
}

impl SourceFormat {
    /// The lowercase name used in JSON and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceFormat::Html => "html",
            SourceFormat::Markdown => "markdown",
            SourceFormat::Pdf => "pdf",
            SourceFormat::Text => "text",
        }
    }
}

impl fmt::Display for SourceFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What kind of block a provision is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProvisionKind {
    /// A section heading (also carried in the `heading_path` of the provisions under it).
    Heading,
    /// A paragraph of running text, including a list's lead-in sentence.
    Paragraph,
    /// One item of a bulleted, numbered or lettered list.
    ListItem,
    /// One row of a table, cells joined with " | ".
    TableRow,
}

impl ProvisionKind {
    /// The snake_case name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            ProvisionKind::Heading => "heading",
            ProvisionKind::Paragraph => "paragraph",
            ProvisionKind::ListItem => "list_item",
            ProvisionKind::TableRow => "table_row",
        }
    }
}

/// One provision: the unit that is diffed, labelled and searched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provision {
    /// Unique within the document and deterministic for the same input, e.g. `no-network-abuse/3`.
    pub id: String,
    /// Enclosing headings, outermost first, as plain text.
    pub heading_path: Vec<String>,
    /// What kind of block this is.
    pub kind: ProvisionKind,
    /// Plain text: no Markdown, no HTML, whitespace collapsed.
    pub text: String,
}

impl Provision {
    /// Builds a provision from its parts.
    pub fn new(
        id: impl Into<String>,
        heading_path: Vec<String>,
        kind: ProvisionKind,
        text: impl Into<String>,
    ) -> Self {
        Provision {
            id: id.into(),
            heading_path,
            kind,
            text: text.into(),
        }
    }
}

/// Something about the input worth telling a person: probably lost text,
/// an undecodable byte sequence, a dropped block. Messy input is data, not an error.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Warning(pub String);

impl Warning {
    /// Builds a warning from a message.
    pub fn new(message: impl Into<String>) -> Self {
        Warning(message.into())
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Warning {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Warning {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Warning)
    }
}

/// The result of extracting one snapshot; serialises to the `extract --format json` contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtractedDocument {
    /// The document's title, when one was found.
    pub title: Option<String>,
    /// The date the document says it took effect or was last updated.
    pub effective_date: Option<NaiveDate>,
    /// BCP-47 language tag (`en`, `zh`, …); `und` when undetermined.
    pub language: String,
    /// The detected input format.
    pub format: SourceFormat,
    /// Provisions in reading order.
    pub provisions: Vec<Provision>,
    /// Notes about the input (lost text, decoding trouble); never fatal.
    pub warnings: Vec<Warning>,
    /// How much of the page's running text the provisions cover; `None`
    /// when a declaration chose the content (or for results stored before
    /// coverage was measured).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coverage: Option<Coverage>,
}

/// The share of a document's sentence-like running text (long runs with
/// sentence punctuation, outside navigation link lists and known
/// boilerplate) that the extracted provisions cover, kept in thousandths so
/// that documents stay `Eq`. Serialises as a number from 0 to 1 (`0.973`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Coverage(u16);

impl Coverage {
    /// All of the running text.
    pub const FULL: Coverage = Coverage(1000);

    /// From a share between 0 and 1 (clamped; NaN is 0), rounded to thousandths.
    pub fn from_share(share: f64) -> Self {
        let s = if share.is_nan() {
            0.0
        } else {
            share.clamp(0.0, 1.0)
        };
        Coverage((s * 1000.0).round() as u16)
    }

    /// The share between 0 and 1.
    pub fn share(self) -> f64 {
        f64::from(self.0) / 1000.0
    }
}

impl Serialize for Coverage {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.share())
    }
}

impl<'de> Deserialize<'de> for Coverage {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        f64::deserialize(d).map(Coverage::from_share)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_to_the_extract_contract() {
        let doc = ExtractedDocument {
            title: Some("Policy".into()),
            effective_date: NaiveDate::from_ymd_opt(2021, 6, 18),
            language: "en".into(),
            format: SourceFormat::Text,
            provisions: vec![Provision::new(
                "a/1",
                vec!["A".into()],
                ProvisionKind::ListItem,
                "x",
            )],
            warnings: vec![Warning::new("w")],
            coverage: None,
        };
        let json = serde_json::to_string(&doc).unwrap();
        assert_eq!(
            json,
            r#"{"title":"Policy","effective_date":"2021-06-18","language":"en","format":"text","provisions":[{"id":"a/1","heading_path":["A"],"kind":"list_item","text":"x"}],"warnings":["w"]}"#
        );
        let back: ExtractedDocument = serde_json::from_str(&json).unwrap();
        assert_eq!(back, doc);
        let doc = ExtractedDocument {
            coverage: Some(Coverage::from_share(0.9734)),
            ..doc
        };
        let json = serde_json::to_string(&doc).unwrap();
        assert!(
            json.ends_with(r#""warnings":["w"],"coverage":0.973}"#),
            "{json}"
        );
        let back: ExtractedDocument = serde_json::from_str(&json).unwrap();
        assert_eq!(back, doc);
    }
}
