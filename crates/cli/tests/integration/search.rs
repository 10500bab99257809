//! `clausewatch search` and `reindex`: the index follows imports.

use crate::util::Dir;

#[test]
fn search_follows_imports_and_reindex() {
    let dir = Dir::new();
    dir.write("v1.md", "# Terms\n\nLast updated: January 1, 2024\n\n## Suspension\n\nWe may suspend your account after thirty days of notice.\n");
    dir.write("v2.md", "# Terms\n\nLast updated: June 1, 2024\n\n## Suspension\n\nWe may suspend your account immediately and without notice.\n");
    for f in ["v1.md", "v2.md"] {
        dir.ok(&["import", f, "--platform", "acme", "--document", "terms"]);
    }
    let hits = |args: &[&str]| {
        dir.json(&[&["search"][..], args, &["--format", "json"][..]].concat())["total"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(hits(&["\"without notice\""]), 1);
    assert_eq!(
        hits(&["thirty"]),
        0,
        "old wording must not be found among provisions in force"
    );
    assert_eq!(hits(&["thirty", "--all-versions"]), 1);
    assert_eq!(hits(&["suspend platform:acme"]), 1);
    assert_eq!(hits(&["suspend platform:other"]), 0);
    // Provisions are labelled when indexed.
    assert_eq!(hits(&["label:tos_unilateral_termination"]), 1);
    assert_eq!(hits(&["label:pp_children"]), 0);
    // A malformed query is a usage error.
    let out = dir.cmd().args(["search", "\"unclosed"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    std::fs::remove_dir_all(dir.home().join("index")).unwrap();
    assert!(dir.ok(&["reindex"]).contains("indexed 2 provisions"));
    assert_eq!(hits(&["\"without notice\""]), 1);
}

#[test]
fn chinese_search_on_the_demo_corpus() {
    let dir = Dir::new();
    dir.ok(&["demo", "--seeds", "no-such-folder", "--no-serve"]);
    let r = dir.json(&["search", "个人信息 lang:zh", "--format", "json"]);
    assert!(r["total"].as_u64().unwrap() > 0, "{r}");
    assert!(
        r["hits"][0]["document"]
            .as_str()
            .unwrap()
            .starts_with("example-cloud/")
    );
}
