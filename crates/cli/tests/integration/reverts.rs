//! Issue #20 through the command line: a document that goes back to an
//! older text (import A, B, A) gets a third version that restores @1, shown
//! by `import`, `versions` and `timeline`; `show DOC@DATE` returns the text
//! in force on each day; `diff` of the latest pair is v2 → v3; and
//! `history` and `diff` agree on a provision whose only edit is quotes.

use crate::util::Dir;

const A: &str = "# Terms\n\n## Use\n\nYou must not use the \"Service\" to send spam.\n\n## Fees\n\nYou will pay within 30 days.\n";
const B: &str = "# Terms\n\n## Use\n\nYou must not use the \u{201c}Service\u{201d} to send spam.\n\n## Fees\n\nYou will pay within 15 days.\n";

fn import(dir: &Dir, file: &str, day: &str) -> serde_json::Value {
    let args = [
        "import",
        file,
        "--platform",
        "acme",
        "--document",
        "terms",
        "--observed-at",
        day,
        "--format",
        "json",
    ];
    dir.json(&args)[0].clone()
}

/// The fees provision of `show DOC@DAY`.
fn fees_on(dir: &Dir, day: &str) -> String {
    let shown = dir.json(&["show", &format!("acme/terms@{day}"), "--format", "json"]);
    let provisions = shown["extracted"]["provisions"].as_array().unwrap();
    let fees = provisions
        .iter()
        .find(|p| p["text"].as_str().unwrap().contains("pay"));
    fees.unwrap()["text"].as_str().unwrap().to_string()
}

#[test]
fn a_revert_is_a_version_and_every_view_says_so() {
    let dir = Dir::new();
    dir.write("a.md", A);
    dir.write("b.md", B);
    assert_eq!(import(&dir, "a.md", "2024-01-01")["version"], 1);
    assert_eq!(import(&dir, "b.md", "2024-02-01")["version"], 2);
    let back = import(&dir, "a.md", "2024-03-01");
    assert_eq!(back["status"], "new_version", "{back}");
    assert_eq!(
        (&back["version"], &back["restores"]),
        (&3.into(), &1.into())
    );
    // Identical to the latest: a no-op.
    let again = import(&dir, "a.md", "2024-03-02");
    assert_eq!(
        (&again["status"], &again["version"]),
        (&"same_snapshot".into(), &3.into())
    );

    let timeline = dir.ok(&["timeline", "acme/terms"]);
    assert!(timeline.contains("@3 2024-03-01 restores @1"), "{timeline}");
    let json = dir.json(&["timeline", "acme/terms", "--format", "json"]);
    assert_eq!(json[2]["restores"], 1, "{json}");

    assert_eq!(fees_on(&dir, "2024-01-15"), "You will pay within 30 days.");
    assert_eq!(fees_on(&dir, "2024-02-15"), "You will pay within 15 days.");
    assert_eq!(fees_on(&dir, "2024-03-15"), "You will pay within 30 days.");

    // The latest diff is the revert against the text it replaced.
    let diff = dir.json(&["diff", "acme/terms@2", "acme/terms@3", "--format", "json"]);
    let modified: Vec<&str> = diff["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "modified")
        .map(|c| c["new_text"].as_str().unwrap())
        .collect();
    assert_eq!(modified, ["You will pay within 30 days."], "{diff}");
}

#[test]
fn history_and_diff_agree_on_a_quote_only_edit() {
    let dir = Dir::new();
    dir.write("a.md", A);
    dir.write("b.md", B);
    import(&dir, "a.md", "2024-01-01");
    import(&dir, "b.md", "2024-02-01");
    let v2 = dir.json(&["show", "acme/terms@2", "--format", "json"]);
    let provisions = v2["extracted"]["provisions"].as_array().unwrap();
    let pos = provisions
        .iter()
        .position(|p| p["text"].as_str().unwrap().contains("Service"))
        .unwrap();
    let id = provisions[pos]["id"].as_str().unwrap();
    let history = dir.json(&["history", "acme/terms", id, "--format", "json"]);
    let entries = history["history"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[1]["changed"], false, "{history}");
    let text = dir.ok(&["history", "acme/terms", id]);
    assert!(text.contains("(unchanged)"), "{text}");
    // `diff` of the same pair calls it unchanged too.
    let diff = dir.json(&["diff", "acme/terms@1", "acme/terms@2", "--format", "json"]);
    let change = diff["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["new_id"] == id)
        .unwrap();
    assert_eq!(change["kind"], "unchanged", "{diff}");
    // And the fees provision changed in both, with the same significance.
    let fees = provisions
        .iter()
        .find(|p| p["text"].as_str().unwrap().contains("pay"));
    let fees_id = fees.unwrap()["id"].as_str().unwrap();
    let history = dir.json(&["history", "acme/terms", fees_id, "--format", "json"]);
    assert_eq!(history["history"][1]["changed"], true);
    let change = diff["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["new_id"] == fees_id)
        .unwrap();
    assert_eq!(
        history["history"][1]["significance"],
        change["significance"]
    );
}
