//! Atom 1.0 feeds of alerts (per subscription or per document), made with
//! atom_syndication and written to a file atomically. Entries are newest
//! first; an entry's id is `urn:clausewatch:alert:<alert id>`, so it never
//! changes when the feed is rewritten; its content is the HTML description
//! (escaped document text) carried as `type="html"`.

use atom_syndication::{Category, Content, Entry, Feed, Generator, Link, Person, Text, TextType};
use chrono::{DateTime, Utc};
use std::io::{self, Write};
use std::path::Path;

use crate::Alert;
use crate::render::{html_fragment, xml_clean};

/// The prefix of every entry id; the alert id follows.
pub const ENTRY_ID_PREFIX: &str = "urn:clausewatch:alert:";

/// The Atom id of the entry for `alert`.
pub fn entry_id(alert: &Alert) -> String {
    format!("{ENTRY_ID_PREFIX}{}", alert.id)
}

/// The feed id for a per-document feed: `urn:clausewatch:feed:document:aws/aup`.
pub fn document_feed_id(document: &str) -> String {
    format!("urn:clausewatch:feed:document:{document}")
}

/// The feed id for a subscription's feed: `urn:clausewatch:feed:subscription:NAME`.
pub fn subscription_feed_id(name: &str) -> String {
    format!("urn:clausewatch:feed:subscription:{name}")
}

fn text(value: String) -> Text {
    Text {
        value: xml_clean(&value),
        base: None,
        lang: None,
        r#type: TextType::Text,
    }
}

/// An Atom 1.0 document for `alerts`, newest first.
///
/// `feed_id` is used as the feed's id when it is an IRI (contains `:`;
/// see [`document_feed_id`]), otherwise it becomes
/// `urn:clausewatch:feed:<feed_id>`. `self_url`, when given, is the
/// `rel="self"` link. `updated` is the feed's last-update time (the newest
/// alert's observation time is a good choice; it is passed in so the
/// function stays pure).
pub fn atom_feed(
    feed_id: &str,
    title: &str,
    self_url: Option<&str>,
    alerts: &[Alert],
    updated: DateTime<Utc>,
) -> String {
    let mut sorted: Vec<&Alert> = alerts.iter().collect();
    sorted.sort_by(|a, b| {
        (b.observed_at, b.version_number, &b.document, &b.id).cmp(&(
            a.observed_at,
            a.version_number,
            &a.document,
            &a.id,
        ))
    });
    let id = if feed_id.contains(':') {
        feed_id.to_string()
    } else {
        format!("urn:clausewatch:feed:{feed_id}")
    };
    let mut feed = Feed {
        title: text(title.to_string()),
        id: xml_clean(&id),
        updated: updated.fixed_offset(),
        authors: vec![Person {
            name: "clausewatch".into(),
            ..Person::default()
        }],
        generator: Some(Generator {
            value: "clausewatch".into(),
            uri: None,
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
        ..Feed::default()
    };
    if let Some(url) = self_url {
        feed.links.push(Link {
            href: xml_clean(url),
            rel: "self".into(),
            mime_type: Some("application/atom+xml".into()),
            ..Link::default()
        });
    }
    feed.entries = sorted.into_iter().map(entry).collect();
    match feed.write_to(Vec::new()) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        // Writing to memory cannot fail; an empty feed is the safe answer
        // should the library ever disagree.
        Err(e) => {
            tracing::error!(error = %e, "could not write the Atom feed");
            String::new()
        }
    }
}

fn entry(alert: &Alert) -> Entry {
    let mut entry = Entry {
        title: text(format!(
            "{} (v{}): {}",
            alert.document_title,
            alert.version_number,
            alert.headline()
        )),
        id: entry_id(alert),
        updated: alert.observed_at.fixed_offset(),
        published: Some(alert.observed_at.fixed_offset()),
        summary: (!alert.change.summary_text.trim().is_empty())
            .then(|| text(alert.change.summary_text.trim().to_string())),
        content: Some(Content {
            value: Some(html_fragment(alert)),
            content_type: Some("html".into()),
            ..Content::default()
        }),
        categories: alert
            .labels
            .iter()
            .map(|label| Category {
                term: xml_clean(label),
                scheme: Some("urn:clausewatch:label".into()),
                label: Some(xml_clean(&cw_model::label_name(label))),
            })
            .collect(),
        ..Entry::default()
    };
    if let Some(url) = &alert.url {
        entry.links.push(Link {
            href: xml_clean(url),
            rel: "alternate".into(),
            mime_type: Some("text/html".into()),
            ..Link::default()
        });
    }
    entry
}

/// Writes `xml` to `path` atomically: to a temporary file in the same
/// folder, flushed to disk, then renamed over `path`, so a reader (or
/// `serve`) never sees half a feed. Creates the folder if needed.
pub fn write_feed_file(path: &Path, xml: &str) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir)?;
    let name = path.file_name().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "the feed path has no file name",
        )
    })?;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    let tmp = dir.join(format!(
        ".{}.{}-{nanos}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(xml.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
