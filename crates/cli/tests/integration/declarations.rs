//! `--select`/`--remove` on `extract` and `import`: declarations win over the
//! automatic main-content choice, are stored with the document by `import`
//! and applied to its later imports that give none; invalid selectors are
//! usage errors with a clear message.

use crate::util::Dir;

/// A page whose automatic choice is `<main>`; `#annex` lies outside it.
fn page(version: &str) -> String {
    let long = "Users must not abuse the service or interfere with other users. ".repeat(8);
    format!(
        "<html><head><title>Terms</title></head><body>\
         <main><h1>Terms of Service</h1><p>Version {version}. {long}</p>\
         <div class=\"promo\"><p>Try our premium plan today, it is great value for all.</p></div></main>\
         <aside id=\"annex\"><h2>Annex</h2><p>The annex lists the fees for version {version}.</p>\
         <p class=\"promo\">Premium promo inside the annex, for every single visitor.</p></aside>\
         </body></html>"
    )
}

fn texts(doc: &serde_json::Value) -> String {
    doc["provisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["text"].as_str().unwrap().to_lowercase())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn extract_applies_select_and_remove() {
    let dir = Dir::new();
    let f = dir.write("page.html", page("1"));
    let f = f.to_str().unwrap();
    let auto = texts(&dir.json(&["extract", f, "--format", "json"]));
    assert!(auto.contains("users must not abuse") && !auto.contains("annex lists"));
    let sel = texts(&dir.json(&[
        "extract", f, "--format", "json", "--select", "#annex", "--remove", ".promo",
    ]));
    assert!(sel.contains("annex lists the fees"), "{sel}");
    assert!(!sel.contains("users must not abuse"), "{sel}");
    assert!(!sel.contains("premium"), "{sel}");
    let range = texts(&dir.json(&[
        "extract",
        f,
        "--format",
        "json",
        "--select",
        r##"{"startAfter": "#annex h2", "endBefore": "#annex .promo"}"##,
    ]));
    assert_eq!(range, "the annex lists the fees for version 1.");
}

#[test]
fn invalid_selectors_are_usage_errors() {
    let dir = Dir::new();
    let f = dir.write("page.html", page("1"));
    for bad in ["div[", r#"{"startBefore": "h1"}"#] {
        let out = dir
            .cmd()
            .args(["extract", f.to_str().unwrap(), "--select", bad])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("--select"), "{err}");
        assert!(
            err.contains("invalid CSS selector") || err.contains("invalid range selector"),
            "{err}"
        );
    }
    let line = dir.fails(&["extract", f.to_str().unwrap(), "--select", "#nowhere"]);
    assert!(line.contains("match nothing"), "{line}");
}

#[test]
fn import_stores_the_declaration_and_reuses_it() {
    let dir = Dir::new();
    let v1 = dir.write("v1.html", page("1"));
    let v2 = dir.write("v2.html", page("2"));
    dir.ok(&[
        "import",
        v1.to_str().unwrap(),
        "--platform",
        "acme",
        "--document",
        "terms",
        "--observed-at",
        "2024-01-01",
        "--select",
        "#annex",
        "--remove",
        ".promo",
    ]);
    // The second copy comes without selectors: the stored ones apply.
    dir.ok(&[
        "import",
        v2.to_str().unwrap(),
        "--platform",
        "acme",
        "--document",
        "terms",
        "--observed-at",
        "2024-02-01",
    ]);
    let shown = texts(&dir.json(&["show", "acme/terms@latest", "--format", "json"])["extracted"]);
    assert!(
        shown.contains("annex lists the fees for version 2"),
        "{shown}"
    );
    assert!(!shown.contains("users must not abuse"), "{shown}");
    assert!(!shown.contains("premium"), "{shown}");
}
