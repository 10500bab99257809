//! `clausewatch reextract`: a version whose stored provisions differ from
//! what the current extractor reads in its archived bytes (simulated by
//! editing the real SQLite file the way an older extractor would have
//! stored it) becomes a technical upgrade: no new version, no new change
//! record, lineage kept, shown apart in `timeline`, nothing the second time.
//! Also `diff --all`.

use crate::util::Dir;

const V1: &str = "# Terms\n\n## Fees\n\nYou will pay within 30 days.\n\n## Law\n\nThe laws of Ireland govern these terms.\n";
const V2: &str = "# Terms\n\n## Fees\n\nYou will pay within 15 days.\n\n## Law\n\nThe laws of Ireland govern these terms.\n";

fn version_count(dir: &Dir) -> usize {
    let v = dir.json(&["versions", "example/terms", "--format", "json"]);
    v.as_array().unwrap().len()
}

#[test]
fn reextract_records_a_technical_upgrade_not_a_change() {
    let dir = Dir::new();
    let a = dir.write("v1.md", V1);
    let b = dir.write("v2.md", V2);
    for (p, day) in [(&a, "2021-01-01"), (&b, "2022-01-01")] {
        dir.ok(&[
            "import",
            p.to_str().unwrap(),
            "--platform",
            "example",
            "--document",
            "terms",
            "--observed-at",
            day,
        ]);
    }
    // Nothing to do while the stored extraction is the current one.
    let clean = dir.json(&["reextract", "--format", "json"]);
    assert_eq!(clean["upgrades"].as_array().unwrap().len(), 0, "{clean}");
    assert_eq!(clean["unchanged"], 2);

    // An "older extractor" had kept a cookie line in front of the fees clause of version 1.
    let before = dir.json(&["show", "example/terms@1", "--format", "json"]);
    dir.sql(
        "UPDATE provisions SET text = 'Accept cookies. ' || text
           WHERE text = 'You will pay within 30 days.';
         UPDATE versions SET extractor_version = 'cw-extract/0.0.1+r0',
           content_hash = '0000000000000000000000000000000000000000000000000000000000000000'
           WHERE number = 1;",
    );
    let changes_before = dir.json(&["timeline", "example/terms", "--format", "json"]);

    let report = dir.json(&["reextract", "example/terms", "--format", "json"]);
    let upgrades = report["upgrades"].as_array().unwrap();
    assert_eq!(upgrades.len(), 1, "{report}");
    assert_eq!(upgrades[0]["version"], 1);
    assert_eq!(upgrades[0]["technical_upgrade"], true);
    assert_eq!(upgrades[0]["old_extractor_version"], "cw-extract/0.0.1+r0");
    assert_eq!(upgrades[0]["summary"]["modified"], 1);
    assert_eq!(report["recomputed_changes"], 1);

    // Same versions, same lineage keys, the provisions as extracted now.
    assert_eq!(version_count(&dir), 2);
    let after = dir.json(&["show", "example/terms@1", "--format", "json"]);
    assert_eq!(after["lineage_keys"], before["lineage_keys"]);
    assert_eq!(
        after["extracted"]["provisions"],
        before["extracted"]["provisions"]
    );

    // The timeline shows the upgrade apart from the changes of the terms;
    // version 2's change is recomputed, not a new one.
    let timeline = dir.json(&["timeline", "example/terms", "--format", "json"]);
    let entries = timeline.as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(
        entries[0]["technical_upgrades"].as_array().unwrap().len(),
        1
    );
    assert_eq!(
        entries[0]["technical_upgrades"][0]["technical_upgrade"],
        true
    );
    assert!(
        entries[0]["summary"].is_null(),
        "the first version has no change"
    );
    assert_eq!(entries[1]["change_recomputed_by_upgrade"], true);
    assert_eq!(entries[1]["summary"], changes_before[1]["summary"]);
    assert_eq!(entries[1]["summary"]["substantive"], 1);
    let text = dir.ok(&["timeline", "example/terms"]);
    assert!(text.contains("technical upgrade"), "{text}");
    assert!(text.contains("not a change of the terms"), "{text}");

    // Idempotent.
    let again = dir.json(&["reextract", "--format", "json"]);
    assert_eq!(again["upgrades"].as_array().unwrap().len(), 0, "{again}");
    let text = dir.ok(&["reextract", "--dry-run"]);
    assert!(text.contains("0 technical upgrade(s)"), "{text}");
}

#[test]
fn reextract_of_an_unknown_document_fails() {
    let dir = Dir::new();
    let a = dir.write("v1.md", V1);
    dir.ok(&[
        "import",
        a.to_str().unwrap(),
        "--platform",
        "example",
        "--document",
        "terms",
    ]);
    dir.fails(&["reextract", "example/nope"]);
}

#[test]
fn diff_all_shows_unchanged_provisions() {
    let dir = Dir::new();
    dir.write("a.md", V1);
    dir.write("b.md", V2);
    let short = dir.ok(&["diff", "a.md", "b.md"]);
    assert!(!short.contains("Ireland"), "{short}");
    let all = dir.ok(&["diff", "a.md", "b.md", "--all"]);
    assert!(
        all.contains("[=] The laws of Ireland govern these terms."),
        "{all}"
    );
    assert!(all.contains("[-30-]{+15+}"), "{all}");
    let html = dir.ok(&["diff", "a.md", "b.md", "--all", "--format", "html"]);
    assert!(html.contains("Ireland"), "{html}");
    let html = dir.ok(&["diff", "a.md", "b.md", "--format", "html"]);
    assert!(!html.contains("Ireland"), "{html}");
}
