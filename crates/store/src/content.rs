//! The content hash of an extracted document: the sha256 of a canonical
//! JSON rendering of what a reader sees (title, effective date, language,
//! provisions). Two snapshots with the same content hash are the same
//! version, whatever bytes they came from.

use cw_model::{ExtractedDocument, Provision};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// The lowercase hex sha256 of the canonical JSON of `doc`'s title,
/// effective date, language and provisions (id, heading path, kind, text).
///
/// The format (where the bytes came from) and the warnings are left out:
/// the same terms served as HTML or as PDF, or with a different warning, are
/// the same content. The canonical JSON is compact, with object keys in
/// sorted order and dates as `YYYY-MM-DD`, e.g.
/// `{"effective_date":"2021-06-18","language":"en","provisions":[{"heading_path":["A"],"id":"a/1","kind":"paragraph","text":"x"}],"title":"T"}`.
/// Changing this rendering changes every stored hash, so it needs a migration.
pub fn content_hash(doc: &ExtractedDocument) -> String {
    hex::encode(Sha256::digest(canonical_json(doc).as_bytes()))
}

/// Builds the canonical JSON text. Keys are inserted in sorted order so the
/// output is the same whether or not serde_json's `preserve_order` is on.
fn canonical_json(doc: &ExtractedDocument) -> String {
    let opt = |s: Option<String>| s.map_or(Value::Null, Value::String);
    let mut map = Map::new();
    map.insert(
        "effective_date".into(),
        opt(doc.effective_date.map(|d| d.format("%Y-%m-%d").to_string())),
    );
    map.insert("language".into(), Value::String(doc.language.clone()));
    map.insert(
        "provisions".into(),
        Value::Array(doc.provisions.iter().map(provision).collect()),
    );
    map.insert("title".into(), opt(doc.title.clone()));
    Value::Object(map).to_string()
}

fn provision(p: &Provision) -> Value {
    let mut map = Map::new();
    map.insert(
        "heading_path".into(),
        Value::Array(p.heading_path.iter().cloned().map(Value::String).collect()),
    );
    map.insert("id".into(), Value::String(p.id.clone()));
    map.insert("kind".into(), Value::String(p.kind.as_str().to_string()));
    map.insert("text".into(), Value::String(p.text.clone()));
    Value::Object(map)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use cw_model::{ProvisionKind, SourceFormat, Warning};

    fn doc() -> ExtractedDocument {
        ExtractedDocument {
            title: Some("T".into()),
            effective_date: NaiveDate::from_ymd_opt(2021, 6, 18),
            language: "en".into(),
            format: SourceFormat::Html,
            provisions: vec![Provision::new(
                "a/1",
                vec!["A".into()],
                ProvisionKind::Paragraph,
                "x",
            )],
            warnings: vec![],
            coverage: None,
        }
    }

    #[test]
    fn canonical_json_is_compact_and_sorted() {
        assert_eq!(
            canonical_json(&doc()),
            r#"{"effective_date":"2021-06-18","language":"en","provisions":[{"heading_path":["A"],"id":"a/1","kind":"paragraph","text":"x"}],"title":"T"}"#
        );
    }

    #[test]
    fn format_and_warnings_do_not_count_but_text_does() {
        let base = content_hash(&doc());
        let mut other = doc();
        other.format = SourceFormat::Pdf;
        other.warnings.push(Warning::new("w"));
        assert_eq!(content_hash(&other), base);
        other.provisions[0].text.push('!');
        assert_ne!(content_hash(&other), base);
        let mut other = doc();
        other.effective_date = None;
        assert_ne!(content_hash(&other), base);
        assert_eq!(base.len(), 64);
    }
}
