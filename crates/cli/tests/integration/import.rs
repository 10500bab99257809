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

/// Issue #22: a folder of dated copies imports in one command, each file
/// observed on the date in its name (`YYYY-MM-DD` anywhere in it, or
/// `YYYYMMDD`), in date order whatever the names' order; hidden files are
/// left out; no progress drawing reaches a stderr that is not a terminal.
#[test]
fn issue_22_observed_at_from_name_imports_a_dated_folder() {
    let dir = Dir::new();
    let demo =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../demo/example-cloud/aup");
    let copies = dir.path().join("copies");
    std::fs::create_dir_all(&copies).unwrap();
    for (from, to) in [
        ("2025-02-20.html", "aup-2025-02-20.html"),
        ("2023-01-15.html", "2023-01-15.html"),
        ("2024-03-12.html", "z-20240312.html"),
        ("2023-09-01.html", "AUP 2023-09-01T10-30-00Z.html"),
    ] {
        std::fs::copy(demo.join(from), copies.join(to)).unwrap();
    }
    std::fs::write(copies.join(".DS_Store"), b"not a copy").unwrap();
    let out = dir
        .cmd()
        .args(["import", copies.to_str().unwrap(), "--platform", "acme"])
        .args([
            "--document",
            "aup",
            "--observed-at-from-name",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains('\r') && !stderr.contains("\u{1b}["),
        "no progress bar drawn to a pipe: {stderr:?}"
    );
    let versions = dir.json(&["versions", "acme/aup", "--format", "json"]);
    let observed: Vec<&str> = versions
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["observed_at"].as_str().unwrap())
        .collect();
    assert_eq!(
        observed,
        [
            "2023-01-15T00:00:00Z",
            "2023-09-01T10:30:00Z",
            "2024-03-12T00:00:00Z",
            "2025-02-20T00:00:00Z"
        ],
        "{versions}"
    );

    // A file without a date in its name: refused before anything is imported.
    std::fs::copy(demo.join("2023-01-15.html"), copies.join("latest.html")).unwrap();
    let err = dir.fails(&[
        "import",
        copies.to_str().unwrap(),
        "--platform",
        "acme",
        "--document",
        "other",
        "--observed-at-from-name",
    ]);
    assert!(err.contains("latest.html"), "{err}");
    assert!(
        dir.fails(&["versions", "acme/other"])
            .contains("acme/other")
    );

    // A date in the future is refused like `--observed-at` in the future.
    std::fs::remove_file(copies.join("latest.html")).unwrap();
    let future = dir.write(
        "2099-01-01.html",
        std::fs::read(demo.join("2023-01-15.html")).unwrap(),
    );
    let out = dir
        .cmd()
        .args(["import", future.to_str().unwrap(), "--platform", "acme"])
        .args(["--document", "later", "--observed-at-from-name"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("in the future"));
}
