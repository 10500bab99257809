//! `clausewatch extract`: formats and the JSON contract.

use crate::util::Dir;

#[test]
fn json_contract_fields() {
    let dir = Dir::new();
    dir.write(
        "terms.md",
        "# Terms of Use\n\n*Last updated: March 9, 2017.*\n\n## Conduct\n\nProhibited activities include:\n\n- **Spam.** Sending unsolicited messages.\n- **Fraud.** Deceiving other users.\n",
    );
    let doc = dir.json(&["extract", "terms.md", "--format", "json"]);
    assert_eq!(doc["title"], "Terms of Use");
    assert_eq!(doc["effective_date"], "2017-03-09");
    assert_eq!(doc["language"], "en");
    assert_eq!(doc["format"], "markdown");
    let provisions = doc["provisions"].as_array().unwrap();
    let items: Vec<&str> = provisions
        .iter()
        .filter(|p| p["kind"] == "list_item")
        .map(|p| p["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        items,
        [
            "Spam. Sending unsolicited messages.",
            "Fraud. Deceiving other users."
        ]
    );
    for p in provisions {
        assert!(p["id"].as_str().is_some_and(|s| !s.is_empty()));
        assert!(p["heading_path"].is_array());
    }
    assert!(doc["warnings"].is_array());
}

#[test]
fn text_and_markdown_formats() {
    let dir = Dir::new();
    dir.write(
        "p.txt",
        "Privacy Notice\n\nWe collect your name and e-mail address.\n",
    );
    let text = dir.ok(&["extract", "p.txt", "--format", "text"]);
    assert!(text.contains("We collect your name"));
    let md = dir.ok(&["extract", "p.txt", "--format", "markdown"]);
    assert!(md.contains("We collect your name"));
}

#[test]
fn seeds_extract_deterministically() {
    let Some(seeds) = crate::util::seeds() else {
        return;
    };
    let dir = Dir::new();
    for entry in std::fs::read_dir(seeds).unwrap() {
        let path = entry.unwrap().path();
        let p = path.to_str().unwrap();
        let a = dir.ok(&["extract", p, "--format", "json"]);
        let b = dir.ok(&["extract", p, "--format", "json"]);
        assert_eq!(a, b, "{p} extracted differently twice");
    }
}

/// A PDF fixture of cw-extract (written by its `tests/data/make_fixtures.py`).
fn pdf_fixture(name: &str) -> Vec<u8> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../extract/tests/data/pdf")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
}

#[test]
fn pdf_to_json_end_to_end() {
    let dir = Dir::new();
    // No .pdf extension: the format is sniffed from the content.
    dir.write("policy.bin", pdf_fixture("policy_multipage.pdf"));
    let doc = dir.json(&["extract", "policy.bin", "--format", "json"]);
    assert_eq!(doc["format"], "pdf");
    assert_eq!(doc["title"], "Acceptable Use Policy");
    assert_eq!(doc["effective_date"], "2025-03-03");
    let provisions = doc["provisions"].as_array().unwrap();
    assert!(provisions.len() >= 10, "{doc}");
    let all = doc.to_string();
    assert!(all.contains("infrastructure, whether it belongs to us"));
    assert!(!all.contains("Page 2 of 3"));
    assert!(provisions.iter().any(
        |p| p["heading_path"] == serde_json::json!(["2. Prohibited Uses", "Account security"])
    ));
}

#[test]
fn encrypted_and_scanned_pdfs_fail_with_the_reason() {
    let dir = Dir::new();
    dir.write("locked.pdf", pdf_fixture("encrypted.pdf"));
    dir.write("scan.pdf", pdf_fixture("scanned.pdf"));
    let err = dir.fails(&["extract", "locked.pdf", "--format", "json"]);
    assert!(err.contains("encrypted and needs a password"), "{err}");
    let err = dir.fails(&["extract", "scan.pdf"]);
    assert!(err.contains("no text layer"), "{err}");
}

#[test]
fn damaged_pdf_fails_with_one_error_line() {
    let dir = Dir::new();
    let mut bytes = pdf_fixture("policy_multipage.pdf");
    bytes.truncate(600);
    dir.write("cut.pdf", bytes);
    let err = dir.fails(&["extract", "cut.pdf"]);
    assert!(err.contains("PDF"), "{err}");
}
