//! `clausewatch demo`: the sample corpus loads, and loading it twice changes nothing.

use crate::util::Dir;

#[test]
fn demo_loads_and_is_idempotent() {
    let dir = Dir::new();
    let out = dir.ok(&["demo", "--seeds", "no-such-folder", "--no-serve"]);
    assert!(out.contains("example-cloud/aup"), "{out}");
    let docs = dir.json(&["documents", "--format", "json"]);
    assert!(docs.as_array().unwrap().len() >= 4, "{docs}");
    let versions = dir.json(&["versions", "example-cloud/aup", "--format", "json"]);
    assert!(versions.as_array().unwrap().len() >= 3);
    let again = dir.ok(&["demo", "--seeds", "no-such-folder", "--no-serve"]);
    assert!(
        !again.contains("new_version") && again.contains("already archived"),
        "{again}"
    );
    assert_eq!(dir.json(&["documents", "--format", "json"]), docs);
    let timeline = dir.ok(&["timeline", "example-cloud/aup"]);
    assert!(timeline.contains("substantive"), "{timeline}");
}
