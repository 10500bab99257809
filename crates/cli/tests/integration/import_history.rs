//! `clausewatch import-history` (issue #23): a run killed with SIGKILL
//! halfway and started again ends with the same store as an uninterrupted
//! run, and a second run records nothing.

use crate::util::Dir;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

const DOCUMENTS: usize = 3;
const VERSIONS: usize = 20;

/// A dataset folder: three documents, twenty dated versions each, every
/// version changing one clause.
fn write_dataset(root: &Path) {
    for d in 0..DOCUMENTS {
        let dir = root.join(format!("Service {d}")).join("Terms of Service");
        std::fs::create_dir_all(&dir).unwrap();
        for v in 0..VERSIONS {
            let text = format!(
                "# Terms of Service\n\n## Use\n\nYou must not resell the service of company {d}.\n\n## Fees\n\nYou will pay every invoice within {} days of its date.\n\n## Notice\n\nWe will tell you about changes {} days before they apply.\n",
                10 + v,
                30 + v % 3
            );
            let name = format!("2021-{:02}-{:02}T08-00-00Z.md", 1 + v / 28, 1 + v % 28);
            std::fs::write(dir.join(name), text).unwrap();
        }
    }
}

/// `documents --format json` reduced to what an import decides.
fn shape(dir: &Dir) -> Vec<(String, u64, u64)> {
    let docs = dir.json(&["documents", "--format", "json"]);
    docs.as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["key"].as_str().unwrap().to_string(),
                d["version_count"].as_u64().unwrap(),
                d["snapshot_count"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn sigkill_halfway_then_restart_matches_an_uninterrupted_run() {
    let data = Dir::new();
    let dataset = data.path().join("dataset");
    write_dataset(&dataset);
    let total = DOCUMENTS * VERSIONS;
    let source = dataset.to_str().unwrap();

    // The uninterrupted run.
    let whole = Dir::new();
    let report = whole.json(&["import-history", source, "--no-derive", "--format", "json"]);
    assert_eq!(
        report["new_versions"].as_u64(),
        Some(total as u64),
        "{report}"
    );

    // The interrupted run: SIGKILL once a third of the items are recorded.
    let killed = Dir::new();
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("clausewatch"))
        .args(["import-history", source, "--no-derive"])
        .env("CLAUSEWATCH_HOME", killed.home())
        .env_remove("CLAUSEWATCH_LOG")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut seen = 0;
    for line in BufReader::new(stderr).lines() {
        let line = line.unwrap();
        if line.starts_with('[') {
            seen += 1;
        }
        if seen == total / 3 {
            break;
        }
    }
    child.kill().unwrap(); // SIGKILL on Unix
    let status = child.wait().unwrap();
    assert!(!status.success(), "the run was killed before it finished");

    // Restart: it skips what the killed run committed and records the rest.
    let resumed = killed.json(&["import-history", source, "--no-derive", "--format", "json"]);
    let already = resumed["already_imported"].as_u64().unwrap();
    assert!(already >= (total / 3) as u64, "{resumed}");
    assert!(
        already < total as u64,
        "the kill came before the end: {resumed}"
    );
    assert_eq!(
        already + resumed["new_versions"].as_u64().unwrap(),
        total as u64,
        "{resumed}"
    );
    assert_eq!(shape(&killed), shape(&whole));
    // A second run records nothing, in either home; it makes the derived
    // data (analysis, search index) the --no-derive runs left out.
    for dir in [&whole, &killed] {
        let again = dir.json(&["import-history", source, "--format", "json"]);
        assert_eq!(
            again["already_imported"].as_u64(),
            Some(total as u64),
            "{again}"
        );
        assert_eq!(again["new_versions"].as_u64(), Some(0));
        assert_eq!(again["same_content"].as_u64(), Some(0));
        assert!(again["refused"].as_array().unwrap().is_empty());
        // The manifest chain is whole and nothing is missing: every
        // committed item was one transaction.
        dir.ok(&["verify"]);
    }
    assert_eq!(shape(&killed), shape(&whole));
}

#[test]
fn a_folder_of_dated_copies_needs_a_document_name() {
    let data = Dir::new();
    let folder = data.path().join("copies");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(
        folder.join("2021-01-01.md"),
        "# AUP\n\nYou must not probe other networks.\n",
    )
    .unwrap();
    let err = data.fails(&["import-history", folder.to_str().unwrap()]);
    assert!(err.contains("--document"), "{err}");
    let out = data.ok(&[
        "import-history",
        folder.to_str().unwrap(),
        "--document",
        "acme/aup",
    ]);
    assert!(out.contains("1 new version(s)"), "{out}");
}

/// Issue #23: where an imported version came from, and whether its change
/// was announced, reach the audit report; exports carry the provenance and
/// an import of the export restores it (the same rows exported again).
#[test]
fn provenance_and_announcement_flags_reach_reports_and_exports() {
    let data = Dir::new();
    let dir = data
        .path()
        .join("dataset")
        .join("Acme")
        .join("Terms of Service");
    std::fs::create_dir_all(&dir).unwrap();
    let versions = [
        // v1; v2 changes the terms under the same date (a silent change);
        // v3 moves the date and changes nothing else (a date bump).
        ("2021-01-05T08-00-00Z.md", "1 January 2021", 30),
        ("2021-02-05T08-00-00Z.md", "1 January 2021", 10),
        ("2021-03-05T08-00-00Z.md", "1 March 2021", 10),
    ];
    for (name, date, days) in versions {
        let text = format!(
            "# Terms of Service\n\nLast updated: {date}\n\n## Fees\n\nYou will pay every invoice within {days} days of its date.\n\n## Termination\n\nWe may terminate your account at any time if you breach these terms.\n"
        );
        std::fs::write(dir.join(name), text).unwrap();
    }
    let source = data.path().join("dataset");
    let report = data.json(&[
        "import-history",
        source.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(report["new_versions"].as_u64(), Some(3), "{report}");
    let doc = data.json(&["documents", "--format", "json"])[0]["key"]
        .as_str()
        .unwrap()
        .to_string();

    // Markdown escapes its punctuation (`Flag\: silent change`).
    let md = data.ok(&["report", &doc, "--format", "md"]);
    assert!(md.contains("Imported from: "), "{md}");
    assert!(md.contains("silent change"), "{md}");
    assert!(md.contains("date bumped"), "{md}");
    let html = data.ok(&["report", &doc, "--format", "html"]);
    assert!(
        html.contains("<td class=\"flag\">Flag: silent change"),
        "the same stated date over a substantive change is flagged: {html}"
    );
    assert!(
        html.contains("<td class=\"flag\">Flag: date bumped"),
        "{html}"
    );
    assert!(html.contains("<ul class=\"imported\">"));
    assert!(html.contains("captured 2021-02-05T08:00:00Z"), "{html}");

    let export = data.path().join("export");
    data.ok(&[
        "export",
        "--with-archive",
        "--output",
        export.to_str().unwrap(),
    ]);
    let exported = std::fs::read_to_string(export.join("provenance.jsonl")).unwrap();
    assert_eq!(exported.lines().count(), 3, "{exported}");
    assert!(
        exported.contains("\"captured_at\":\"2021-01-05T08:00:00.000000Z\""),
        "{exported}"
    );

    let fresh = Dir::new();
    fresh.ok(&["import-dataset", export.to_str().unwrap()]);
    let again = fresh.path().join("export");
    fresh.ok(&[
        "export",
        "--with-archive",
        "--output",
        again.to_str().unwrap(),
    ]);
    assert_eq!(
        std::fs::read_to_string(again.join("provenance.jsonl")).unwrap(),
        exported,
        "an imported export keeps every provenance row"
    );
    let html = fresh.ok(&["report", &doc, "--format", "html"]);
    assert!(
        html.contains("<ul class=\"imported\">") && html.contains("Flag: silent change"),
        "{html}"
    );
}
