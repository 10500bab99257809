//! Hostile HTML through the public API: pathological nesting, a huge text
//! node, a million attributes, unclosed tags and text injected by scripts.
//! Each must finish with a sensible result and no panic; the time and memory
//! they take is bounded by the input size limit (no timing asserts here —
//! `cargo run --release -p xtask -- bench-extract` measures speed).

use super::*;

const SENTENCE: &str = "Users must not abuse the service or interfere with other users. ";

#[test]
fn ten_thousand_deep_nesting() {
    for (open, close) in [
        ("<div>", "</div>"),
        ("<span>", "</span>"),
        ("<ul><li>", "</li></ul>"),
    ] {
        let src = format!(
            "<html><body>{}<p>{SENTENCE}</p>{}<p>After the nest comes more text for readers.</p></body></html>",
            open.repeat(10_000),
            close.repeat(10_000)
        );
        let all = everything(&check(src.as_bytes()));
        assert!(all.contains("users must not abuse"), "{open}: {all:.300}");
    }
    // Unclosed: nothing ever closes.
    let src = format!("{}<p>{SENTENCE}", "<div><b><i>".repeat(10_000));
    assert!(everything(&check(src.as_bytes())).contains("users must not abuse"));
}

#[test]
fn fifty_megabyte_text_node() {
    let body = SENTENCE.repeat(50 * 1024 * 1024 / SENTENCE.len());
    let src = format!("<html><body><h1>Terms</h1><p>{body}</p></body></html>");
    assert!(src.len() >= 50 * 1024 * 1024);
    let doc = check(src.as_bytes());
    let total: usize = doc.provisions.iter().map(|p| p.text.len()).sum();
    assert!(
        total * 10 >= body.len() * 9,
        "kept {total} of {} bytes",
        body.len()
    );
    assert!(doc.provisions[0].text.starts_with("Users must not abuse"));
}

#[test]
fn a_million_attributes() {
    let mut src = String::from("<html><body><div");
    for i in 0..1_000_000 {
        src.push_str(&format!(" a{i}=\"v\""));
    }
    src.push_str(&format!("><p>{SENTENCE}</p></div></body></html>"));
    let all = everything(&check(src.as_bytes()));
    assert!(all.contains("users must not abuse"), "{all:.300}");
    // The same attribute a million times.
    let src = format!(
        "<html><body><p{}>{SENTENCE}</p></body></html>",
        " class=\"x\"".repeat(1_000_000)
    );
    assert!(everything(&check(src.as_bytes())).contains("users must not abuse"));
}

#[test]
fn unclosed_tags() {
    let src = "<html><body><h1>Terms<h2>1. Use<p>You may use the service for lawful purposes only.\
               <ul><li>No spam, ever.<li>No fraud of any kind.<li>No malware in uploads.\
               </ul><p>Last paragraph of the terms, which never closes its tags <b>nor <i>these\
               <table><tr><td>Data<td>Purpose<tr><td>Email<td>Login";
    let doc = check(src.as_bytes());
    let kinds: Vec<_> = doc
        .provisions
        .iter()
        .map(|p| (p.kind, p.text.as_str()))
        .collect();
    assert!(
        kinds.contains(&(ProvisionKind::ListItem, "No fraud of any kind.")),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&(ProvisionKind::TableRow, "Email | Login")),
        "{kinds:?}"
    );
    assert!(everything(&doc).contains("never closes its tags nor these"));
}

#[test]
fn text_injected_by_script_is_not_read() {
    let src = format!(
        "<html><body><main><h1>Terms</h1><p>{SENTENCE}</p>\
         <script>document.write('<p>Injected by script: you waive all rights.</p>');</script>\
         <script type=\"application/json\">{{\"text\": \"</p><p>Injected JSON clause.\"}}</script>\
         <noscript><p>Please enable JavaScript to read these terms.</p></noscript>\
         <template><p>Template clause never shown.</p></template>\
         <p hidden>Hidden clause.</p><div aria-hidden=\"true\"><p>Aria hidden clause.</p></div>\
         <p style=\"visibility: hidden\">Invisible clause.</p>\
         <p>The last clause is real and stays in the document.</p></main></body></html>"
    );
    let all = everything(&check(src.as_bytes()));
    for junk in [
        "injected",
        "enable javascript",
        "template clause",
        "hidden clause",
        "invisible clause",
    ] {
        assert!(!all.contains(junk), "{junk:?} in {all}");
    }
    assert!(all.contains("the last clause is real"), "{all}");
}
