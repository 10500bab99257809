//! `clausewatch diff`: files and stored versions, all three formats.

use crate::util::Dir;

#[test]
fn diff_files_in_every_format() {
    let dir = Dir::new();
    dir.write(
        "a.md",
        "# T\n\n## Fees\n\nYou will pay within 30 days.\n\nWe may change prices.\n",
    );
    dir.write(
        "b.md",
        "# T\n\n## Fees\n\nYou will pay within 15 days.\n\nWe may change prices.\n",
    );
    let cs = dir.json(&["diff", "a.md", "b.md", "--format", "json"]);
    assert_eq!(cs["summary"]["modified"], 1);
    assert_eq!(cs["summary"]["unchanged"], 1);
    assert_eq!(cs["summary"]["substantive"], 1);
    let text = dir.ok(&["diff", "a.md", "b.md"]);
    assert!(text.contains("15"), "{text}");
    let html = dir.ok(&["diff", "a.md", "b.md", "--format", "html"]);
    assert!(html.contains("<ins") || html.contains("<del"), "{html}");
    assert!(!dir.home().exists(), "diffing files must not create a home");
}

#[test]
fn diff_of_hostile_text_is_escaped_in_html() {
    let dir = Dir::new();
    dir.write("a.txt", "Rules\n\nBe nice.\n");
    dir.write(
        "b.txt",
        "Rules\n\nBe nice. <script>alert(1)</script> <img src=x onerror=alert(2)>\n",
    );
    let html = dir.ok(&["diff", "a.txt", "b.txt", "--format", "html"]);
    assert!(!html.contains("<script>alert"), "{html}");
    assert!(!html.contains("<img src=x"), "{html}");
}

#[test]
fn diff_stored_regional_variants() {
    let Some(seeds) = crate::util::seeds() else {
        return;
    };
    let dir = Dir::new();
    for (file, doc) in [
        ("002_15648575c5abf10e.txt", "aup-global"),
        ("000_3e6e674a31a59b81.txt", "aup-beijing"),
    ] {
        let p = seeds.join(file);
        dir.ok(&[
            "import",
            p.to_str().unwrap(),
            "--platform",
            "aws",
            "--document",
            doc,
        ]);
    }
    let cs = dir.json(&[
        "diff",
        "aws/aup-global",
        "aws/aup-beijing",
        "--format",
        "json",
    ]);
    assert!(cs["summary"]["added"].as_u64().unwrap() > 0);
    let err = dir.fails(&["diff", "aws/aup-global", "aws/nope"]);
    assert!(err.contains("nope"), "{err}");
}
