//! `report`, `export`, `import-dataset` and `verify` end to end: a seed
//! report printed to PDF by the real Chromium and read back with
//! pdftotext, an export round trip into a fresh home, and tampering that
//! `verify` must catch (a flipped blob byte, a deleted version row, an
//! edited provision text, a removed chain head).

use crate::util::{Dir, seeds};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// The seed files as `clausewatch demo` maps them: file, platform, document, type, region.
const SEEDS: &[(&str, &str, &str, &str, Option<&str>)] = &[
    (
        "002_15648575c5abf10e.txt",
        "aws",
        "aup-global",
        "acceptable-use-policy",
        None,
    ),
    (
        "001_f6a6c2ff7fccd97e.txt",
        "aws",
        "aup-ningxia",
        "acceptable-use-policy",
        Some("cn-northwest-1"),
    ),
    (
        "000_3e6e674a31a59b81.txt",
        "aws",
        "aup-beijing",
        "acceptable-use-policy",
        Some("cn-north-1"),
    ),
    (
        "003_8cf4dd9642cd441a.txt",
        "aws",
        "privacy-cn",
        "privacy-policy",
        Some("cn-north-1"),
    ),
];

/// Imports the seeds through the CLI; returns the sha256 of each imported file.
fn import_seeds(dir: &Dir, seeds: &Path) -> Vec<String> {
    let mut hashes = Vec::new();
    for (file, platform, document, doc_type, region) in SEEDS {
        let path = seeds.join(file);
        let path = path.to_str().unwrap();
        let mut args = vec![
            "import",
            path,
            "--platform",
            platform,
            "--document",
            document,
            "--type",
            doc_type,
            "--format",
            "json",
        ];
        if let Some(r) = region {
            args.extend(["--region", r]);
        }
        let out = dir.json(&args);
        hashes.push(out[0]["sha256"].as_str().unwrap().to_string());
    }
    hashes
}

const V1: &str = "# Example Terms\n\nEffective: 2021-01-01\n\n## Use\n\nYou may not abuse the network.\n\nWe may suspend your account.\n";
const V2: &str = "# Example Terms\n\nEffective: 2022-01-01\n\n## Use\n\nYou may not abuse the network or probe other hosts.\n\nWe may suspend your account without notice.\n\n## Law\n\nThese terms are governed by the laws of Ireland.\n";
const V3: &str = "# Example Terms\n\nEffective: 2023-01-01\n\n## Use\n\nYou may not abuse the network or probe other hosts.\n\nWe may suspend or terminate your account without notice.\n\n## Law\n\nThese terms are governed by the laws of Ireland.\n";

/// A home with two documents, three versions of one, and a repeated sighting.
fn small_home(dir: &Dir) {
    for (name, text, date) in [
        ("v1.md", V1, "2021-01-02"),
        ("v2.md", V2, "2022-01-02"),
        ("v3.md", V3, "2023-01-02"),
    ] {
        let p = dir.write(name, text);
        dir.ok(&[
            "import",
            p.to_str().unwrap(),
            "--platform",
            "example",
            "--document",
            "terms",
            "--type",
            "terms-of-service",
            "--url",
            "https://example.com/terms",
            "--observed-at",
            date,
        ]);
    }
    // The same bytes again: an observation, no new version.
    let again = dir.write("v3-again.md", V3);
    dir.ok(&[
        "import",
        again.to_str().unwrap(),
        "--platform",
        "example",
        "--document",
        "terms",
        "--observed-at",
        "2023-02-01",
    ]);
    let hostile = dir.write(
        "hostile.txt",
        "Policy <script>alert(1)</script>\n\nWe may change <img src=x onerror=alert(2)> this policy at any time & without notice.\n",
    );
    dir.ok(&[
        "import",
        hostile.to_str().unwrap(),
        "--platform",
        "other",
        "--document",
        "policy",
        "--observed-at",
        "2024-05-01",
    ]);
}

fn run_tool(tool: &str, args: &[&str]) -> String {
    let out = Command::new(tool).args(args).output().unwrap_or_else(|e| {
        panic!("{tool} is not installed ({e}); scripts/test.sh installs poppler-utils")
    });
    assert!(
        out.status.success(),
        "{tool} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn seed_report_prints_to_pdf_with_contents_page_numbers_provisions_and_hashes() {
    let Some(seeds) = seeds() else { return };
    let dir = Dir::new();
    let hashes = import_seeds(&dir, &seeds);
    let pdf = dir.path().join("aws.pdf");
    let out = dir.ok(&[
        "report",
        "aws",
        "--format",
        "pdf",
        "--output",
        pdf.to_str().unwrap(),
    ]);
    assert!(out.contains("contents entries with page numbers"), "{out}");

    let info = run_tool("pdfinfo", &[pdf.to_str().unwrap()]);
    let pages: u32 = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .map(|v| v.trim().parse().unwrap())
        .expect("pdfinfo prints Pages:");
    assert!(pages > 1, "{info}");

    let text = run_tool("pdftotext", &[pdf.to_str().unwrap(), "-"]);
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let compact: String = text.split_whitespace().collect();
    // The measuring pass's page markers must not reach the final text layer.
    assert!(
        !compact.contains("cwmark"),
        "page markers left in the PDF text"
    );
    for needle in [
        "Evidence report",
        "Contents",
        "clausewatch 0.1.0",
        "aws/aup-global",
        "aws/privacy-cn",
        "We may modify this Policy at any time",
        "risk indicator, not a legal determination",
        "Provenance appendix",
        "Manifest chain head",
        &format!("Page 2 of {pages}"),
    ] {
        assert!(
            flat.contains(needle),
            "{needle:?} missing from the PDF text"
        );
    }
    // Hashes may wrap inside table cells: compare without whitespace.
    for h in &hashes {
        assert!(
            compact.contains(h.as_str()),
            "snapshot {h} missing from the PDF"
        );
    }
    // The contents carry page numbers: the appendix entry ends with its page
    // (`-layout` keeps an entry and its number on one line).
    let layout = run_tool("pdftotext", &["-layout", pdf.to_str().unwrap(), "-"]);
    let appendix_page = layout.lines().find_map(|l| {
        let rest = l.trim().strip_prefix("Provenance appendix")?;
        rest.trim().parse::<u32>().ok()
    });
    assert!(
        appendix_page.is_some_and(|p| p > 1 && p <= pages),
        "no page number after the appendix entry of the contents: {appendix_page:?} of {pages}"
    );
    let head = dir.json(&["verify", "--format", "json", "--no-rebuild"])["archive"]["chain_head"]["chain_hash"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        compact.contains(&head),
        "the chain head {head} is not in the report"
    );
}

#[test]
fn html_and_markdown_reports_escape_hostile_text_and_carry_versions() {
    let dir = Dir::new();
    small_home(&dir);
    let html = dir.ok(&["report", "other/policy", "--format", "html"]);
    assert!(
        !html.contains("<script>alert"),
        "unescaped script in the report"
    );
    assert!(!html.contains("<img src=x"), "unescaped img in the report");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("Content-Security-Policy"));

    let html = dir.ok(&["report", "example/terms", "--format", "html"]);
    for needle in [
        "Version 1",
        "Version 2",
        "Version 3",
        "https://example.com/terms",
        "<ins>",
        "substantive",
        "risk indicator, not a legal determination",
    ] {
        assert!(html.contains(needle), "{needle:?} missing");
    }
    let since = dir.ok(&[
        "report",
        "example/terms",
        "--format",
        "md",
        "--since",
        "2022-06-01",
    ]);
    assert!(since.contains("#### Version 3"), "{since}");
    assert!(
        !since.contains("#### Version 1 "),
        "--since kept an older version"
    );
    let md = dir.ok(&["report", "other/policy", "--format", "md"]);
    assert!(!md.contains("<script>"), "{md}");
    dir.fails(&["report", "nosuch/doc", "--format", "html"]);
}

fn manifest(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap()
}

/// Table files of an export without the chain: (name, records, sha256).
fn data_files(m: &Value) -> Vec<(String, u64, String)> {
    m["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["table"] != "chain")
        .map(|f| {
            (
                f["name"].as_str().unwrap().to_string(),
                f["records"].as_u64().unwrap(),
                f["sha256"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// (kind, key, record_hash) of a JSONL chain, sorted.
fn chain_records(dir: &Path) -> Vec<(String, String, String)> {
    let text = std::fs::read_to_string(dir.join("chain.jsonl")).unwrap();
    let mut out: Vec<(String, String, String)> = text
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (
                v["kind"].as_str().unwrap().into(),
                v["record_key"].as_str().unwrap().into(),
                v["record_hash"].as_str().unwrap().into(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn export_round_trips_into_a_fresh_home_with_the_same_counts_and_hashes() {
    let dir = Dir::new();
    small_home(&dir);
    if let Some(seeds) = seeds() {
        import_seeds(&dir, &seeds);
    }
    let first = dir.path().join("export1");
    dir.ok(&[
        "export",
        "--format",
        "jsonl",
        "--with-archive",
        "--output",
        first.to_str().unwrap(),
    ]);
    let m1 = manifest(&first);
    assert_eq!(m1["schema"], "clausewatch-export");
    assert_eq!(m1["schema_version"], 2);
    let files1 = data_files(&m1);
    let count = |name: &str| files1.iter().find(|f| f.0 == name).unwrap().1;
    assert_eq!(
        count("versions.jsonl"),
        if seeds().is_some() { 8 } else { 4 }
    );
    assert!(count("labels.jsonl") > 0);
    assert!(count("changes.jsonl") >= 2);

    let fresh = dir.path().join("home2");
    let fresh = fresh.to_str().unwrap();
    let out = dir.ok(&["--home", fresh, "import-dataset", first.to_str().unwrap()]);
    assert!(out.contains("imported"), "{out}");
    let second = dir.path().join("export2");
    dir.ok(&[
        "--home",
        fresh,
        "export",
        "--format",
        "jsonl",
        "--with-archive",
        "--output",
        second.to_str().unwrap(),
    ]);
    let m2 = manifest(&second);
    assert_eq!(
        data_files(&m2),
        files1,
        "re-export of the imported home differs"
    );
    assert_eq!(m2["archive_blobs"], m1["archive_blobs"]);
    assert_eq!(chain_records(&second), chain_records(&first));
    assert_eq!(
        dir.json(&["--home", fresh, "documents", "--format", "json"]),
        dir.json(&["documents", "--format", "json"])
    );
    dir.ok(&["--home", fresh, "verify"]);

    // The same through CSV.
    let csv1 = dir.path().join("csv1");
    dir.ok(&[
        "export",
        "--format",
        "csv",
        "--with-archive",
        "--output",
        csv1.to_str().unwrap(),
    ]);
    let third = dir.path().join("home3");
    dir.ok(&[
        "--home",
        third.to_str().unwrap(),
        "import-dataset",
        csv1.to_str().unwrap(),
    ]);
    let csv2 = dir.path().join("csv2");
    dir.ok(&[
        "--home",
        third.to_str().unwrap(),
        "export",
        "--format",
        "csv",
        "--with-archive",
        "--output",
        csv2.to_str().unwrap(),
    ]);
    assert_eq!(data_files(&manifest(&csv2)), data_files(&manifest(&csv1)));

    // Importing twice, a tampered file, or an export without blobs is refused.
    let err = dir.fails(&["--home", fresh, "import-dataset", first.to_str().unwrap()]);
    assert!(err.contains("fresh home"), "{err}");
    let bare = dir.path().join("bare");
    dir.ok(&["export", "--output", bare.to_str().unwrap()]);
    let err = dir.fails(&[
        "--home",
        dir.path().join("home4").to_str().unwrap(),
        "import-dataset",
        bare.to_str().unwrap(),
    ]);
    assert!(err.contains("--with-archive"), "{err}");
    let versions = first.join("versions.jsonl");
    let text = std::fs::read_to_string(&versions).unwrap();
    std::fs::write(&versions, text.replacen("\"number\":1", "\"number\":7", 1)).unwrap();
    let err = dir.fails(&[
        "--home",
        dir.path().join("home5").to_str().unwrap(),
        "import-dataset",
        first.to_str().unwrap(),
    ]);
    assert!(err.contains("sha256"), "{err}");
}

/// Runs verify as JSON, asserting exit 1; returns the problem codes and details.
fn problems(dir: &Dir) -> Vec<(String, String)> {
    let out = dir
        .cmd()
        .args(["verify", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "verify passed: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ok"], false);
    v["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["code"].as_str().unwrap().into(),
                p["detail"].as_str().unwrap().into(),
            )
        })
        .collect()
}

#[test]
fn verify_passes_on_an_intact_home_and_catches_a_flipped_blob_byte() {
    let dir = Dir::new();
    small_home(&dir);
    let out = dir.ok(&["verify"]);
    assert!(out.contains("OK: no problem found"), "{out}");
    assert!(out.contains("rebuild: 4 snapshots"), "{out}");

    let sha = dir.json(&["versions", "example/terms", "--format", "json"])[1]["snapshots"][0]
        .as_str()
        .unwrap()
        .to_string();
    let blob = dir
        .home()
        .join("archive")
        .join(&sha[0..2])
        .join(&sha[2..4])
        .join(format!("{sha}.zst"));
    let mut bytes = std::fs::read(&blob).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    let mut perms = std::fs::metadata(&blob).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&blob, perms).unwrap();
    std::fs::write(&blob, bytes).unwrap();

    let found = problems(&dir);
    assert!(
        found
            .iter()
            .any(|(code, detail)| code == "blob_corrupt" && detail.contains(&sha)),
        "{found:?}"
    );
    let text = dir.cmd().arg("verify").output().unwrap();
    let stdout = String::from_utf8(text.stdout).unwrap();
    assert!(stdout.contains("[blob_corrupt]"), "{stdout}");
    assert!(
        String::from_utf8(text.stderr)
            .unwrap()
            .starts_with("error: verification found")
    );
}

#[test]
fn verify_catches_a_deleted_version_row() {
    let dir = Dir::new();
    small_home(&dir);
    dir.ok(&["verify", "--no-rebuild"]);
    dir.sql("DELETE FROM versions WHERE number = 2 AND document_id = (SELECT id FROM documents WHERE slug = 'terms')",
    );
    let found = problems(&dir);
    assert!(
        found
            .iter()
            .any(|(code, detail)| code == "record_deleted"
                && detail.contains("version example/terms@2")),
        "{found:?}"
    );
}

#[test]
fn verify_catches_an_edited_provision_text_and_a_wrong_head() {
    let dir = Dir::new();
    small_home(&dir);
    let head = dir.json(&["verify", "--format", "json"])["archive"]["chain_head"]["chain_hash"]
        .as_str()
        .unwrap()
        .to_string();
    dir.ok(&["verify", "--expect-head", &head]);
    dir.sql("UPDATE provisions SET text = 'We will never suspend your account.' WHERE text LIKE 'We may suspend or terminate%'",
    );
    let found = problems(&dir);
    assert!(
        found.iter().any(|(code, detail)| code == "record_rewritten"
            && detail.contains("version example/terms@3")),
        "{found:?}"
    );

    let other = Dir::new();
    small_home(&other);
    let out = other
        .cmd()
        .args(["verify", "--expect-head", &"0".repeat(64)])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .contains("[head_mismatch]")
    );
}

#[test]
fn verify_backfills_a_home_that_predates_the_manifest_once_but_not_an_emptied_one() {
    let dir = Dir::new();
    small_home(&dir);
    // What migration 0005 leaves in a home that already had records.
    dir.sql("DELETE FROM manifest; INSERT INTO manifest_backfill (id, reason) VALUES (1, 'test')");
    let out = dir.ok(&["verify", "--no-rebuild"]);
    assert!(out.contains("one-time backfill"), "{out}");
    let out = dir.ok(&["verify", "--no-rebuild"]);
    assert!(!out.contains("one-time backfill"), "{out}");

    // Emptying the manifest later is tampering, not a reason to backfill.
    dir.sql("DELETE FROM manifest");
    let found = problems(&dir);
    assert!(
        found.iter().any(|(code, _)| code == "record_unrecorded"),
        "{found:?}"
    );
}
