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
