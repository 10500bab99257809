//! `clausewatch import`, `versions`, `show`: archive and version records.

use crate::util::Dir;

/// (seed file, document, region, observed date)
const SEEDS: &[(&str, &str, Option<&str>, &str)] = &[
    ("002_15648575c5abf10e.txt", "aup-global", None, "2016-09-16"),
    (
        "001_f6a6c2ff7fccd97e.txt",
        "aup-ningxia",
        Some("cn-northwest-1"),
        "2021-06-18",
    ),
    (
        "000_3e6e674a31a59b81.txt",
        "aup-beijing",
        Some("cn-north-1"),
        "2021-12-28",
    ),
    (
        "003_8cf4dd9642cd441a.txt",
        "privacy-cn",
        Some("cn-north-1"),
        "2017-03-09",
    ),
    (
        "004_5aed53afc1447814.txt",
        "aup-analysis",
        None,
        "2026-01-01",
    ),
];

fn import_seeds(dir: &Dir, seeds: &std::path::Path) -> Vec<serde_json::Value> {
    let mut out = Vec::new();
    for (file, doc, region, date) in SEEDS {
        let path = seeds.join(file);
        let mut args = vec![
            "import",
            path.to_str().unwrap(),
            "--platform",
            "aws",
            "--document",
            doc,
            "--observed-at",
            date,
            "--format",
            "json",
        ];
        if let Some(r) = region {
            args.extend(["--region", r]);
        }
        let reports = dir.json(&args);
        out.push(reports[0].clone());
    }
    out
}

fn archive_files(dir: &Dir) -> usize {
    fn count(p: &std::path::Path) -> usize {
        std::fs::read_dir(p)
            .map(|rd| {
                rd.map(|e| {
                    let p = e.unwrap().path();
                    if p.is_dir() { count(&p) } else { 1 }
                })
                .sum()
            })
            .unwrap_or(0)
    }
    count(&dir.home().join("archive"))
}

#[test]
fn seeds_import_then_reimport_changes_nothing() {
    let Some(seeds) = crate::util::seeds() else {
        return;
    };
    let dir = Dir::new();
    let first = import_seeds(&dir, &seeds);
    for r in &first {
        assert_eq!(r["status"], "new_version", "{r}");
        assert_eq!(r["version"], 1);
    }
    assert_eq!(archive_files(&dir), 5);
    let docs_before = dir.ok(&["documents", "--format", "json"]);
    let versions_before = dir.ok(&["versions", "aws/aup-ningxia", "--format", "json"]);

    let second = import_seeds(&dir, &seeds);
    for r in &second {
        assert_eq!(r["status"], "same_snapshot", "{r}");
    }
    assert_eq!(archive_files(&dir), 5);
    assert_eq!(dir.ok(&["documents", "--format", "json"]), docs_before);
    assert_eq!(
        dir.ok(&["versions", "aws/aup-ningxia", "--format", "json"]),
        versions_before
    );

    let versions: serde_json::Value = serde_json::from_str(&versions_before).unwrap();
    assert_eq!(versions.as_array().unwrap().len(), 1);
    let shown = dir.json(&["show", "aws/aup-ningxia@2021-06-18", "--format", "json"]);
    assert_eq!(shown["extracted"]["effective_date"], "2021-06-18");
    assert!(shown["extracted"]["provisions"].as_array().unwrap().len() >= 30);
    let text = dir.ok(&["show", "aws/aup-beijing"]);
    assert!(
        text.contains("certified and graded at MLPS Level 3"),
        "{text}"
    );
    let text = dir.ok(&["versions", "aws/privacy-cn"]);
    assert!(text.contains("2017-03-09"), "{text}");
}

#[test]
fn versions_snapshots_and_lineage() {
    let dir = Dir::new();
    let v1 = "# Example Terms\n\nLast updated: January 1, 2024\n\n## Suspension\n\nWe may suspend your account with 30 days' notice.\n\n## Conduct\n\n- No spam.\n- No fraud.\n";
    // Different bytes, same provisions: a new snapshot, no new version.
    let v1b = "# Example Terms\n\nLast updated: January 1, 2024\n\n\n## Suspension\n\nWe may suspend your account with 30 days' notice.\n\n## Conduct\n\n* No spam.\n* No fraud.\n";
    let v2 = "# Example Terms\n\nLast updated: June 1, 2024\n\n## Suspension\n\nWe may suspend your account without notice.\n\n## Conduct\n\n- No spam.\n- No fraud.\n- No cryptocurrency mining.\n";
    dir.write("v1.md", v1);
    dir.write("v1b.md", v1b);
    dir.write("v2.md", v2);
    let base = [
        "--platform",
        "acme",
        "--document",
        "terms",
        "--format",
        "json",
    ];
    let r = dir.json(&[&["import", "v1.md"][..], &base[..]].concat());
    assert_eq!(r[0]["status"], "new_version");
    let r = dir.json(&[&["import", "v1b.md"][..], &base[..]].concat());
    assert_eq!(r[0]["status"], "same_content");
    assert_eq!(r[0]["version"], 1);
    let r = dir.json(&[&["import", "v2.md"][..], &base[..]].concat());
    assert_eq!(r[0]["status"], "new_version");
    assert_eq!(r[0]["version"], 2);
    assert!(
        r[0]["observed_at"]
            .as_str()
            .unwrap()
            .starts_with("2024-06-01"),
        "{r}"
    );
    assert!(r[0]["changes"]["substantive"].as_u64().unwrap() >= 2, "{r}");

    let versions = dir.json(&["versions", "acme/terms", "--format", "json"]);
    assert_eq!(versions.as_array().unwrap().len(), 2);

    let old = dir.json(&["show", "acme/terms@2024-03-01", "--format", "json"]);
    assert_eq!(old["extracted"]["effective_date"], "2024-01-01");
    let new = dir.json(&["show", "acme/terms@2", "--format", "json"]);
    assert_eq!(new["extracted"]["effective_date"], "2024-06-01");

    // The suspension clause keeps its lineage key across the edit.
    let pos = |doc: &serde_json::Value| {
        doc["extracted"]["provisions"]
            .as_array()
            .unwrap()
            .iter()
            .position(|p| p["text"].as_str().unwrap().starts_with("We may suspend"))
            .unwrap()
    };
    assert_eq!(
        old["lineage_keys"][pos(&old)],
        new["lineage_keys"][pos(&new)]
    );
    let history = dir.json(&[
        "history",
        "acme/terms",
        new["lineage_keys"][pos(&new)].as_str().unwrap(),
        "--format",
        "json",
    ]);
    let texts: Vec<&str> = history["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["provision"]["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        [
            "We may suspend your account with 30 days' notice.",
            "We may suspend your account without notice."
        ]
    );

    let timeline = dir.ok(&["timeline", "acme/terms"]);
    assert!(timeline.contains("without notice"), "{timeline}");
}
