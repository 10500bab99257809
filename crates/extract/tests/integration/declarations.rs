//! Declarations (Open Terms Archive style) through the public API: CSS
//! `select` and `remove`, range selectors with each start and end edge, their
//! precedence over the automatic main-content choice, their JSON form, and
//! the errors for invalid selectors and selections that match nothing.

use super::*;
use cw_extract::{Declaration, DeclarationError, Selector};

/// A page whose automatic choice is the long `<main>`; `#annex` sits
/// outside it in an `<aside>` and would be dropped without a declaration.
fn page() -> String {
    let long = "Users must not abuse the service or interfere with other users. ".repeat(8);
    format!(
        "<html><head><title>Terms</title></head><body>\
         <nav><a href=\"/\">Home</a> <a href=\"/help\">Help</a></nav>\
         <main><h1>Terms of Service</h1>\
         <h2 id=\"a\">1. Accounts</h2><p>You keep your password secret. {long}</p>\
         <div class=\"promo\"><p>Try our premium plan today, it is great value for everyone.</p></div>\
         <h2 id=\"b\">2. Conduct</h2><p>You behave well towards other people at all times.</p>\
         <h2 id=\"c\">3. Law</h2><p>French law governs these terms and any dispute about them.</p>\
         </main>\
         <aside id=\"annex\"><h2>Annex</h2><p>The annex lists the fees that apply to paid plans.</p></aside>\
         <footer><p>Footer text about the company and its offices.</p></footer>\
         </body></html>"
    )
}

fn with(select: &[&str], remove: &[&str]) -> ExtractedDocument {
    let decl = Declaration::new(select, remove).unwrap_or_else(|e| panic!("declaration: {e}"));
    extract(
        page().as_bytes(),
        &ExtractOptions::default().with_declaration(decl),
    )
    .unwrap_or_else(|e| panic!("extraction failed: {e}"))
}

#[test]
fn automatic_choice_without_declaration() {
    let all = everything(&check(page().as_bytes()));
    assert!(all.contains("you keep your password secret"));
    assert!(!all.contains("annex lists the fees"), "{all}");
}

#[test]
fn css_select_wins_over_the_automatic_choice() {
    let doc = with(&["#annex"], &[]);
    let all = everything(&doc);
    assert!(all.contains("annex lists the fees"), "{all}");
    assert!(!all.contains("password"), "{all}");
    assert!(!all.contains("footer text"), "{all}");
    assert_eq!(doc.title.as_deref(), Some("Terms"));
}

#[test]
fn several_select_selectors_keep_document_order() {
    let doc = with(&["#annex", "footer"], &[]);
    let texts: Vec<&str> = doc.provisions.iter().map(|p| p.text.as_str()).collect();
    let annex = texts.iter().position(|t| t.contains("annex lists"));
    let footer = texts.iter().position(|t| t.contains("Footer text"));
    assert!(
        annex.is_some() && footer.is_some() && annex < footer,
        "{texts:?}"
    );
}

#[test]
fn css_remove_drops_content_from_the_automatic_choice() {
    let all = everything(&with(&[], &[".promo", "#c + p"]));
    assert!(all.contains("you keep your password secret"), "{all}");
    assert!(!all.contains("premium plan"), "{all}");
    assert!(!all.contains("french law"), "{all}");
    assert!(all.contains("you behave well"), "{all}");
}

#[test]
fn select_and_remove_together() {
    let all = everything(&with(&["main"], &[".promo"]));
    assert!(all.contains("french law governs"), "{all}");
    assert!(!all.contains("premium plan"), "{all}");
    assert!(!all.contains("home"), "{all}");
}

#[test]
fn range_start_before_end_before() {
    let all = everything(&with(
        &[r##"{"startBefore": "#b", "endBefore": "#c"}"##],
        &[],
    ));
    assert!(all.contains("2. conduct"), "{all}");
    assert!(all.contains("you behave well"), "{all}");
    assert!(!all.contains("3. law"), "{all}");
    assert!(!all.contains("password"), "{all}");
}

#[test]
fn range_start_after_end_after() {
    let all = everything(&with(
        &[r##"{"startAfter": "#a", "endAfter": "#b + p"}"##],
        &[],
    ));
    assert!(!all.contains("1. accounts"), "{all}");
    assert!(all.contains("password"), "{all}");
    assert!(all.contains("2. conduct"), "{all}");
    assert!(all.contains("you behave well"), "{all}");
    assert!(!all.contains("3. law"), "{all}");
    assert!(!all.contains("french law governs"), "{all}");
}

#[test]
fn range_remove() {
    let all = everything(&with(
        &["main"],
        &[r##"{"startBefore": ".promo", "endBefore": "#c"}"##],
    ));
    assert!(all.contains("password"), "{all}");
    assert!(!all.contains("premium plan"), "{all}");
    assert!(!all.contains("you behave well"), "{all}");
    assert!(all.contains("french law governs"), "{all}");
}

#[test]
fn invalid_selectors_are_clear_errors() {
    let e = Declaration::new(&["div["], &[]).err();
    assert!(
        matches!(&e, Some(DeclarationError::InvalidSelector { selector, .. }) if selector == "div["),
        "{e:?}"
    );
    let msg = e.map(|e| e.to_string()).unwrap_or_default();
    assert!(msg.starts_with("invalid CSS selector \"div[\""), "{msg}");
    let e = Selector::parse(r##"{"startBefore": "#a"}"##).err();
    assert!(
        matches!(e, Some(DeclarationError::InvalidRange { .. })),
        "{e:?}"
    );
    let e = Selector::parse(r##"{"startBefore": "#a", "endBefore": ":::"}"##).err();
    assert!(
        matches!(e, Some(DeclarationError::InvalidSelector { .. })),
        "{e:?}"
    );
    assert!(Declaration::from_json("{\"pick\": \"main\"}").is_err());
}

#[test]
fn a_selection_that_matches_nothing_is_an_error() {
    let decl = Declaration::new(&["#nowhere"], &[]).unwrap_or_default();
    let got = extract(
        page().as_bytes(),
        &ExtractOptions::default().with_declaration(decl),
    );
    assert_eq!(got.err(), Some(ExtractError::SelectorMatchedNothing));
}

#[test]
fn declarations_on_other_formats_are_ignored_with_a_warning() {
    let decl = Declaration::new(&["main"], &[]).unwrap_or_default();
    let doc = extract(
        b"# Terms\n\nUsers must not abuse the service or interfere with others.\n",
        &ExtractOptions::default().with_declaration(decl),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        doc.warnings
            .iter()
            .any(|w| w.to_string().contains("HTML pages only"))
    );
    assert!(everything(&doc).contains("must not abuse"));
}

#[test]
fn json_form_round_trips() {
    let decl = Declaration::new(
        &["main", r##"{"startAfter": "#a", "endBefore": "#c"}"##],
        &[".promo"],
    )
    .unwrap_or_default();
    let back = Declaration::from_json(&decl.to_json());
    assert_eq!(back.ok(), Some(decl));
}
