//! Issue #19 (extraction that generalises): one test per failure class,
//! each on a project-written fixture in `tests/data/issue_19/`, plus the
//! coverage guarantee recorded beside the warnings.

use super::*;

fn fixture(name: &str) -> ExtractedDocument {
    check(&data(&format!("issue_19/{name}")))
}

/// Every provision's text, one per line.
fn texts(doc: &ExtractedDocument) -> Vec<&str> {
    doc.provisions.iter().map(|p| p.text.as_str()).collect()
}

fn has(doc: &ExtractedDocument, needle: &str) -> bool {
    doc.provisions.iter().any(|p| p.text.contains(needle))
}

#[test]
fn utility_class_page_with_a_sidebar_nav_keeps_its_provisions() {
    let doc = fixture("utility_sidebar.html");
    assert!(
        has(
            &doc,
            "You may use the service only in compliance with these terms"
        ),
        "{}",
        render_text(&doc)
    );
    assert!(
        doc.provisions.len() >= 6,
        "{} provisions:\n{}",
        doc.provisions.len(),
        render_text(&doc)
    );
    // The sidebar's legal links are navigation, not provisions.
    assert!(
        !texts(&doc).contains(&"Cookie Policy"),
        "{}",
        render_text(&doc)
    );
    assert!(
        doc.coverage.is_some_and(|c| c.share() >= 0.9),
        "{:?}",
        doc.coverage
    );
}

#[test]
fn provisions_starting_with_copyright_are_kept_and_notices_dropped() {
    let doc = fixture("copyright_provision.html");
    assert!(has(
        &doc,
        "Copyright infringement. If you believe your work was copied"
    ));
    assert!(has(&doc, "Copyright and trademarks. All logos shown"));
    assert!(!has(&doc, "All rights reserved"), "{}", render_text(&doc));
    assert!(!has(&doc, "© 2024"), "{}", render_text(&doc));
}

#[test]
fn protected_email_addresses_are_decoded() {
    let doc = fixture("protected_email.html");
    let all = render_text(&doc);
    assert!(!all.contains("protected]"), "{all}");
    assert!(
        has(&doc, "our privacy team at privacy@example.org at any time"),
        "{all}"
    );
    assert!(
        has(&doc, "in writing to legal@example.org and are effective"),
        "{all}"
    );
}

#[test]
fn relative_dates_and_back_to_top_links_are_dropped() {
    let doc = fixture("volatile_lines.html");
    let all = render_text(&doc).to_lowercase();
    for junk in [
        "months ago",
        "days ago",
        "return to top",
        "back to the top",
        "scroll to top",
    ] {
        assert!(!all.contains(junk), "{junk:?} kept in:\n{all}");
    }
    assert!(has(&doc, "Do not harass, threaten or insult other members"));
    assert_eq!(doc.title.as_deref(), Some("Community Rules"));
}

#[test]
fn title_from_og_title_when_the_page_has_no_h1_and_no_title() {
    let doc = fixture("title_og_only.html");
    assert_eq!(doc.title.as_deref(), Some("Seller Terms of Service"));
    assert!(has(&doc, "Sellers must be at least eighteen years old"));
}

#[test]
fn a_consent_banner_heading_is_not_the_title() {
    let doc = fixture("title_banner.html");
    assert_eq!(doc.title.as_deref(), Some("Privacy Policy"));
    assert!(has(&doc, "We collect the information you give us"));
}

#[test]
fn title_falls_back_to_the_first_heading() {
    let doc = check(
        b"<html><body><h2>Data Retention</h2><p>We keep account data for as long as the account is open, and delete it within ninety days of closing.</p><h2>Backups</h2><p>Backups are kept for thirty days and then overwritten without exception.</p></body></html>",
    );
    assert_eq!(doc.title.as_deref(), Some("Data Retention"));
}

/// Headings by line shape in hard-wrapped text.
#[test]
fn plain_text_headings_by_line_shape() {
    let doc = fixture("numbered_caps_headings.txt");
    let headings: Vec<&str> = doc
        .provisions
        .iter()
        .filter_map(|p| p.heading_path.last().map(String::as_str))
        .collect();
    for h in [
        "1. SCOPE OF THIS AGREEMENT",
        "2. DISPUTE RESOLUTION AND JURY WAIVER",
        "3. PAYMENT TERMS",
        "4. NOTICES",
        "5. TERM AND TERMINATION",
    ] {
        assert!(
            headings.contains(&h),
            "{h:?} is not a heading:\n{}",
            render_text(&doc)
        );
    }
    // An all-caps warning is a paragraph of its section, not its heading.
    assert!(
        doc.provisions
            .iter()
            .any(|p| p.text.starts_with("IMPORTANT: READ THIS SECTION")
                && p.heading_path.last().map(String::as_str)
                    == Some("2. DISPUTE RESOLUTION AND JURY WAIVER")),
        "{}",
        render_text(&doc)
    );
    // A wrapped line in title case is part of its paragraph.
    assert!(has(
        &doc,
        "from the next Billing Period That Starts After The Notice Period Ends"
    ));
    // The address block under "4. NOTICES" is text of that section.
    assert!(
        doc.provisions
            .iter()
            .any(|p| p.text.contains("Harbour Road")
                && p.heading_path.last().map(String::as_str) == Some("4. NOTICES")),
        "{}",
        render_text(&doc)
    );
}

/// The demo's own plain-text terms (demo/northwind-bank): the cases the
/// issue names.
#[test]
fn demo_plain_text_terms_keep_their_headings() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../demo/northwind-bank/online-banking-terms/2024-10-01.txt");
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let doc = check(&bytes);
    let under = |heading: &str, text: &str| {
        doc.provisions.iter().any(|p| {
            p.text.contains(text) && p.heading_path.last().map(String::as_str) == Some(heading)
        })
    };
    assert!(
        under(
            "11. ARBITRATION AND CLASS ACTION WAIVER",
            "PLEASE READ THIS SECTION CAREFULLY"
        ),
        "{}",
        render_text(&doc)
    );
    assert!(
        under(
            "11. ARBITRATION AND CLASS ACTION WAIVER",
            "Binding Arbitration."
        ),
        "{}",
        render_text(&doc)
    );
    assert!(
        under("13. CONTACT US", "Northwind Bank Customer Care"),
        "{}",
        render_text(&doc)
    );
    // Below the title block, every heading is a numbered section (no piece
    // of a wrapped sentence, no warning in capitals).
    let first = doc
        .provisions
        .iter()
        .position(|p| p.heading_path.iter().any(|h| h.starts_with("1. ")))
        .unwrap_or(0);
    for p in &doc.provisions[first..] {
        let h = p.heading_path.last().map_or("", String::as_str);
        assert!(
            h.starts_with(|c: char| c.is_ascii_digit()),
            "heading {h:?} is not a numbered section:\n{}",
            render_text(&doc)
        );
    }
}

#[test]
fn coverage_is_recorded_beside_the_warnings() {
    let doc = check(&data("bank_privacy.html"));
    assert!(
        doc.coverage.is_some_and(|c| c.share() > 0.8),
        "{:?}",
        doc.coverage
    );
    let json = serde_json::to_string(&doc).unwrap_or_default();
    assert!(
        json.contains(r#""warnings":[],"coverage":"#) || json.contains(r#""coverage":"#),
        "{json}"
    );
}

#[test]
fn a_page_whose_text_sits_in_a_chrome_named_wrapper_is_widened() {
    // Every running paragraph sits inside a wrapper whose class names a
    // sidebar layout; the first choice keeps almost nothing of it.
    let para =
        "You agree to use the service lawfully and to keep your password secret at all times.";
    let mut html = String::from("<html><body><div class=\"prose\">");
    for _ in 0..3 {
        html.push_str(&format!("<p>{para}</p>"));
    }
    html.push_str("</div><div class=\"layout-with-sidebar\">");
    for i in 0..7 {
        html.push_str(&format!("<h2>Section {i}</h2><p>{para} Clause {i}.</p>"));
    }
    html.push_str("</div></body></html>");
    let doc = check(html.as_bytes());
    assert!(has(&doc, "Clause 6."), "{}", render_text(&doc));
    assert!(
        doc.coverage.is_some_and(|c| c.share() >= 0.9),
        "{:?}",
        doc.coverage
    );
}
