//! Atom feeds: made from alerts, parsed back with atom_syndication, checked
//! for one entry per alert, stable ids, newest-first order and escaped
//! hostile text; and written to a file atomically.

use atom_syndication::Feed;
use chrono::{TimeZone, Utc};
use cw_notify::{atom_feed, document_feed_id, entry_id, write_feed_file};

use crate::common::{HOSTILE, alert};

fn alerts() -> Vec<cw_notify::Alert> {
    vec![
        alert("aws/aup")
            .versions(Some(1), 2)
            .observed(Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap())
            .hostile()
            .build(),
        alert("aws/aup")
            .versions(Some(2), 3)
            .observed(Utc.with_ymd_and_hms(2024, 6, 1, 0, 0, 0).unwrap())
            .hostile()
            .label("tos_termination")
            .build(),
        alert("aws/aup")
            .versions(None, 1)
            .observed(Utc.with_ymd_and_hms(2023, 1, 1, 0, 0, 0).unwrap())
            .build(),
    ]
}

#[test]
fn the_feed_parses_back_with_one_entry_per_alert_and_stable_ids() {
    let alerts = alerts();
    let updated = Utc.with_ymd_and_hms(2024, 6, 1, 0, 0, 0).unwrap();
    let xml = atom_feed(
        &document_feed_id("aws/aup"),
        "clausewatch: aws/aup & friends",
        Some("https://clausewatch.example/feeds/aws/aup.atom"),
        &alerts,
        updated,
    );
    let feed: Feed = xml.parse().unwrap_or_else(|e| panic!("{e}\n{xml}"));

    assert_eq!(feed.id, "urn:clausewatch:feed:document:aws/aup");
    assert_eq!(feed.title.value, "clausewatch: aws/aup & friends");
    assert_eq!(feed.updated, updated.fixed_offset());
    assert_eq!(feed.links[0].rel, "self");
    assert_eq!(
        feed.links[0].href,
        "https://clausewatch.example/feeds/aws/aup.atom"
    );
    assert_eq!(feed.authors[0].name, "clausewatch");
    assert_eq!(feed.entries.len(), 3);

    // Newest first; ids are the alert ids and do not change between renders.
    let ids: Vec<_> = feed.entries.iter().map(|e| e.id.clone()).collect();
    assert_eq!(
        ids,
        vec![
            entry_id(&alerts[1]),
            entry_id(&alerts[0]),
            entry_id(&alerts[2])
        ]
    );
    assert!(ids[0].ends_with(&alerts[1].id));
    let again: Feed = atom_feed("aws/aup", "t", None, &alerts, updated)
        .parse()
        .unwrap();
    let again_ids: Vec<_> = again.entries.iter().map(|e| e.id.clone()).collect();
    assert_eq!(again_ids, ids);
    assert_eq!(again.id, "urn:clausewatch:feed:aws/aup");

    let newest = &feed.entries[0];
    assert_eq!(newest.updated, alerts[1].observed_at.fixed_offset());
    assert_eq!(newest.links[0].rel, "alternate");
    assert_eq!(newest.links[0].href, alerts[1].url.clone().unwrap());
    assert_eq!(newest.categories[0].term, "tos_termination");
    assert!(
        newest
            .title
            .value
            .contains("aws/aup changed: 2 substantive changes")
    );
    let content = newest.content.as_ref().unwrap();
    assert_eq!(content.content_type.as_deref(), Some("html"));
    let html = content.value.as_deref().unwrap();
    assert!(html.contains("We may terminate your account without notice."));
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{html}"
    );
}

#[test]
fn hostile_text_is_escaped_in_the_feed() {
    let xml = atom_feed("x", "t", None, &alerts(), Utc::now());
    // Neither the XML nor the HTML it carries holds a live tag.
    assert!(!xml.contains(HOSTILE), "{xml}");
    assert!(!xml.contains("<script"), "{xml}");
    let feed: Feed = xml.parse().unwrap();
    for entry in &feed.entries {
        let html = entry
            .content
            .as_ref()
            .and_then(|c| c.value.as_deref())
            .unwrap();
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<b>monthly</b>"), "{html}");
        if let Some(summary) = &entry.summary {
            // Plain-text summary: the text itself, escaped only by XML.
            assert!(summary.value.contains(HOSTILE) || !summary.value.contains("script"));
        }
    }
    // Control characters that XML forbids are dropped, not written.
    let mut a = alerts().remove(0);
    a.change.summary_text = "bad\u{0}char \u{1b}[0m".into();
    let xml = atom_feed("x", "t\u{7}", None, &[a], Utc::now());
    assert!(xml.parse::<Feed>().is_ok(), "{xml}");
}

#[test]
fn an_empty_feed_is_valid() {
    let feed: Feed = atom_feed("x", "Nothing yet", None, &[], Utc::now())
        .parse()
        .unwrap();
    assert!(feed.entries.is_empty());
}

#[test]
fn feed_files_are_written_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("feeds").join("aws-aup.atom");
    let first = atom_feed("x", "t", None, &alerts()[..1], Utc::now());
    write_feed_file(&path, &first).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), first);

    let second = atom_feed("x", "t", None, &alerts(), Utc::now());
    write_feed_file(&path, &second).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), second);
    // No temporary file is left behind.
    let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["aws-aup.atom".to_string()]);

    // A path that is a folder cannot be replaced by a file: an error, no panic.
    assert!(write_feed_file(dir.path(), "x").is_err());
}
