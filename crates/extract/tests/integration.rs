//! Integration tests of cw-extract through its public API only: one module per
//! concern (formats, junk, metadata, provisions, bad input, properties), each
//! driven by the small `check*` helpers below. Fixtures are invented documents
//! in `tests/data/`; results are pinned as insta snapshots in `tests/snapshots/`.

// Test helpers outside `#[test]` functions: failing loudly is their job.
#![allow(clippy::panic)]

use std::path::Path;

use cw_extract::{
    ExtractError, ExtractOptions, extract, render_markdown, render_text, sniff_format,
};
use cw_model::{ExtractedDocument, ProvisionKind, SourceFormat};

/// Reads a fixture from `tests/data/`.
fn data(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Extracts with default options; the input must be a readable document.
fn check(input: &[u8]) -> ExtractedDocument {
    extract(input, &ExtractOptions::default()).unwrap_or_else(|e| panic!("extraction failed: {e}"))
}

/// Every provision text and heading, lowercased, one per line.
fn everything(doc: &ExtractedDocument) -> String {
    let mut out = doc.title.clone().unwrap_or_default().to_lowercase();
    for p in &doc.provisions {
        out.push('\n');
        out.push_str(&p.text.to_lowercase());
        for h in &p.heading_path {
            out.push('\n');
            out.push_str(&h.to_lowercase());
        }
    }
    out
}

/// Extracts `input` and checks that each of `kept` sits inside one provision
/// and that none of `junk` appears anywhere (text, headings or title).
fn check_junk(input: &str, kept: &[&str], junk: &[&str]) -> ExtractedDocument {
    let doc = check(input.as_bytes());
    let all = everything(&doc);
    for k in kept {
        let k = k.to_lowercase();
        assert!(
            doc.provisions
                .iter()
                .any(|p| p.text.to_lowercase().contains(&k)),
            "{k:?} not kept in:\n{}",
            render_text(&doc)
        );
    }
    for j in junk {
        assert!(
            !all.contains(&j.to_lowercase()),
            "junk {j:?} survived in:\n{}",
            render_text(&doc)
        );
    }
    doc
}

/// No Markdown or HTML markup left anywhere, ids unique and non-empty.
fn assert_clean(doc: &ExtractedDocument) {
    let mut ids = std::collections::HashSet::new();
    for p in &doc.provisions {
        assert!(
            !p.id.is_empty() && ids.insert(p.id.clone()),
            "duplicate id {}",
            p.id
        );
        for t in std::iter::once(&p.text).chain(&p.heading_path) {
            for markup in ["**", "](", "<p>", "<li>", "<a ", "</", "&amp;", "&nbsp;"] {
                assert!(
                    !t.contains(markup),
                    "markup {markup:?} left in {:?}: {t}",
                    p.id
                );
            }
            assert!(!t.starts_with('#'), "heading marker left in {t}");
            assert_eq!(t.trim(), t, "untrimmed text {t:?}");
            assert!(!t.contains("  "), "uncollapsed whitespace in {t:?}");
        }
    }
}

#[path = "integration/charsets.rs"]
mod charsets;
#[path = "integration/declarations.rs"]
mod declarations;
#[path = "integration/hostile.rs"]
mod hostile;
#[path = "integration/issue_19.rs"]
mod issue_19;
#[path = "integration/pdf.rs"]
mod pdf;

mod formats {
    use super::*;

    #[test]
    fn html_page() {
        let doc = check(&data("bank_privacy.html"));
        assert_eq!(doc.format, SourceFormat::Html);
        assert_eq!(doc.title.as_deref(), Some("Privacy Notice"));
        assert_eq!(
            doc.effective_date.map(|d| d.to_string()).as_deref(),
            Some("2024-02-28")
        );
        assert_eq!(doc.language, "en");
        assert_clean(&doc);
        insta::assert_json_snapshot!("html_page", doc);
    }

    #[test]
    fn html_fragment() {
        let doc = check(&data("html_fragment.html"));
        assert_eq!(doc.format, SourceFormat::Html);
        assert_clean(&doc);
        insta::assert_json_snapshot!("html_fragment", doc);
    }

    #[test]
    fn markdown() {
        let doc = check(&data("game_terms.md"));
        assert_eq!(doc.format, SourceFormat::Markdown);
        assert_eq!(
            doc.title.as_deref(),
            Some("Pixel Forge Studios Terms of Service")
        );
        assert_clean(&doc);
        insta::assert_json_snapshot!("markdown", doc);
    }

    #[test]
    fn markdown_with_embedded_html() {
        let doc = check(&data("md_embedded_html.md"));
        assert_eq!(doc.format, SourceFormat::Markdown);
        assert_eq!(doc.title.as_deref(), Some("Brightwave Fair Use Policy"));
        assert_clean(&doc);
        insta::assert_json_snapshot!("markdown_with_embedded_html", doc);
    }

    #[test]
    fn text_pdf_scrape() {
        let doc = check(&data("hosting_aup_scrape.txt"));
        assert_eq!(doc.format, SourceFormat::Text);
        // The paragraph split by the page 2/3 break is joined again.
        assert!(
            doc.provisions
                .iter()
                .any(|p| p.text.contains("help you to choose one that fits"))
        );
        assert_clean(&doc);
        insta::assert_json_snapshot!("text_pdf_scrape", doc);
    }

    #[test]
    fn text_one_paragraph_per_line() {
        let doc = check(&data("plain_terms.txt"));
        assert_eq!(doc.format, SourceFormat::Text);
        assert_clean(&doc);
        insta::assert_json_snapshot!("text_one_paragraph_per_line", doc);
    }

    #[test]
    fn zh_text() {
        let doc = check(&data("zh_privacy.txt"));
        assert_eq!(doc.language, "zh");
        assert_eq!(
            doc.effective_date.map(|d| d.to_string()).as_deref(),
            Some("2021-06-18")
        );
        assert_clean(&doc);
        insta::assert_json_snapshot!("zh_text", doc);
    }

    #[test]
    fn gbk_encoded_zh_text_matches_utf8() {
        let utf8 = data("zh_privacy.txt");
        // GBK has no "©"; the copyright line is dropped either way.
        let text = String::from_utf8(utf8.clone())
            .unwrap_or_default()
            .replace('©', "(c)");
        let (gbk, _, unmappable) = encoding_rs::GBK.encode(&text);
        assert!(!unmappable);
        let from_gbk = check(&gbk);
        assert_eq!(from_gbk, check(&utf8));
        assert!(from_gbk.warnings.is_empty());
    }

    #[test]
    fn renders_text_and_markdown() {
        let doc = check(&data("game_terms.md"));
        insta::assert_snapshot!("render_text", render_text(&doc));
        insta::assert_snapshot!("render_markdown", render_markdown(&doc));
        // The Markdown rendering reads back as the same provisions.
        let again = check(render_markdown(&doc).as_bytes());
        let texts = |d: &ExtractedDocument| {
            d.provisions
                .iter()
                .map(|p| p.text.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(texts(&again), texts(&doc));
        assert_eq!(again.title, doc.title);
    }

    #[test]
    fn sniffs_from_content_not_names() {
        assert_eq!(
            sniff_format(&data("bank_privacy.html")),
            Some(SourceFormat::Html)
        );
        assert_eq!(
            sniff_format(&data("html_fragment.html")),
            Some(SourceFormat::Html)
        );
        assert_eq!(
            sniff_format(&data("game_terms.md")),
            Some(SourceFormat::Markdown)
        );
        assert_eq!(
            sniff_format(&data("md_embedded_html.md")),
            Some(SourceFormat::Markdown)
        );
        assert_eq!(
            sniff_format(&data("hosting_aup_scrape.txt")),
            Some(SourceFormat::Text)
        );
        assert_eq!(sniff_format(b"%PDF-1.7\n"), Some(SourceFormat::Pdf));
        assert_eq!(sniff_format(b"\x89PNG\r\n\x1a\n"), None);
    }
}

mod junk {
    use super::*;

    const BODY: &str = "You must not use the service to send spam, to harass other people, or to break the law in any country.";

    #[test]
    fn short_rules_at_the_end_are_content_not_a_menu() {
        // Regression: a final section of two-word rules was dropped as navigation.
        check_junk(
            "# Example Terms\n\nLast updated: June 1, 2024\n\n## Suspension\n\nWe may suspend your account without notice.\n\n## Conduct\n\n- No spam.\n- No fraud.\n- No cryptocurrency mining.\n",
            &["No spam.", "No fraud.", "No cryptocurrency mining."],
            &[],
        );
    }

    #[test]
    fn navigation_menus_and_link_lists() {
        let input = format!(
            "[Home](/) [Products](/p) [Pricing](/pricing) [Blog](/blog)\n\n# Community Guidelines\n\n{BODY}\n\n\
             Be kind to other members. Disagree with ideas, not with people, and assume good faith.\n\n\
             - [About](/about)\n- [Careers](/careers)\n- [Press kit](/press)\n"
        );
        let doc = check_junk(
            &input,
            &[BODY, "assume good faith"],
            &["Pricing", "Careers", "Press kit"],
        );
        insta::assert_snapshot!("junk_navigation", render_text(&doc));
    }

    #[test]
    fn html_chrome_footer_and_cookie_banner() {
        let input = format!(
            "<html><body><div class=\"cookie-banner\"><p>We use cookies to improve your experience. By continuing you accept our use of cookies.</p>\
             <button>Accept</button></div><header><nav><a href=\"/\">Home</a><a href=\"/shop\">Shop</a></nav></header>\
             <main><h1>Terms of Sale</h1><p>{BODY}</p><p>Orders are accepted when we send you a confirmation email, not before.</p></main>\
             <footer><p>Acme Trading Ltd, 1 High Street, Exampletown.</p><ul><li><a href=\"/jobs\">Jobs</a></li><li><a href=\"/help\">Help</a></li></ul></footer></body></html>"
        );
        let doc = check_junk(
            &input,
            &[BODY, "confirmation email"],
            &[
                "We use cookies",
                "you accept our use",
                "Shop",
                "1 High Street",
                "Jobs",
            ],
        );
        insta::assert_snapshot!("junk_html_chrome", render_text(&doc));
    }

    #[test]
    fn cookie_banner_in_scraped_text() {
        let input = format!(
            "Privacy Policy\n\nThis site uses cookies. By continuing to browse you agree to our use of cookies.\n\nAccept all\n\nReject all\n\n{BODY}\n\nWe keep your data for as long as your account is open, and then for six years.\n"
        );
        let doc = check_junk(
            &input,
            &[BODY],
            &["This site uses cookies", "Accept all", "Reject all"],
        );
        insta::assert_snapshot!("junk_cookie_banner", render_text(&doc));
    }

    #[test]
    fn language_pickers() {
        let input = format!(
            "### Language\n\n[عربي |](#)[Bahasa Indonesia |](#)[Deutsch |](#)[English |](#)[Español](#)\n\n# House Rules\n\n{BODY}\n\n\
             Members must be 16 or older, and must use their real name on their profile page.\n\n- English\n- 中文 (简体)\n- Français\n"
        );
        let doc = check_junk(
            &input,
            &[BODY],
            &["Bahasa Indonesia", "Deutsch", "中文", "Français"],
        );
        insta::assert_snapshot!("junk_language_pickers", render_text(&doc));
    }

    #[test]
    fn copyright_and_licence_lines() {
        let input = format!(
            "用户协议\n\n{BODY}\n\n您应当遵守中华人民共和国的法律法规，不得利用本服务从事违法活动。\n\n© 2020 Example Cloud, Inc. or its affiliates. All rights reserved.\nCopyright 2021 Example Cloud\n京ICP备06062228号-7\n京公网安备11010102001339号\n"
        );
        let doc = check_junk(
            &input,
            &[BODY, "不得利用本服务从事违法活动"],
            &["All rights reserved", "Copyright 2021", "ICP", "公网安备"],
        );
        insta::assert_snapshot!("junk_copyright_licence", render_text(&doc));
    }

    #[test]
    fn call_to_action_buttons() {
        let input = format!(
            "<p><a class=\"btn btn-primary\" href=\"/signup\">Create your free account</a></p><h1>Acceptable Use</h1><p>{BODY}</p>\
             <p>We may suspend accounts that break these rules, and we will tell you why we did it.</p>\
             <p><a href=\"/login\">Sign in to the Console</a></p><p>Request an account</p><p>Rate this page</p><p>Was this page helpful?</p><p>Back to top</p>"
        );
        let doc = check_junk(
            &input,
            &[BODY],
            &[
                "Create your free account",
                "Sign in",
                "Request an account",
                "Rate this page",
                "helpful",
                "Back to top",
            ],
        );
        insta::assert_snapshot!("junk_call_to_action", render_text(&doc));
    }

    #[test]
    fn repeated_page_headers_and_page_numbers() {
        let doc = check(&data("hosting_aup_scrape.txt"));
        let all = everything(&doc);
        for junk in ["northwind hosting ltd. |", "page 1 of 3", "page 3 of 3"] {
            assert!(!all.contains(junk), "{junk} survived");
        }
        let doc = check(&data("md_embedded_html.md"));
        let all = everything(&doc);
        assert!(!all.contains("policies"));
        let title_as_text = doc
            .provisions
            .iter()
            .filter(|p| p.text == "Brightwave Fair Use Policy")
            .count();
        assert_eq!(title_as_text, 0);
        insta::assert_snapshot!("junk_running_headers", render_text(&doc));
    }

    #[test]
    fn tables_of_contents() {
        let input = format!(
            "# Terms\n\n{BODY}\n\nOn this page:\n\n1. Accounts\n2. Payments\n3. Termination\n\n## 1. Accounts\n\n{BODY}\n\n## 2. Payments\n\nYou pay in advance, every month, by card or by bank transfer.\n\n## 3. Termination\n\nEither of us may end these terms with thirty days' written notice.\n"
        );
        let doc = check_junk(&input, &["pay in advance"], &["On this page"]);
        assert!(
            doc.provisions
                .iter()
                .all(|p| p.text != "Accounts" && p.text != "Payments"),
            "{doc:#?}"
        );
        insta::assert_snapshot!("junk_table_of_contents", render_text(&doc));
    }

    #[test]
    fn images_and_tracking_pixels() {
        let input = format!(
            "![Company logo](/logo.png)\n\n# Refund Policy\n\n{BODY}\n\n![](https://stats.example/pixel.gif?u=1)\n\n\
             Refunds are paid to the card you used, within fourteen days of our decision.\n\n<img src=\"https://t.example/p.gif\" width=\"1\" height=\"1\">\n"
        );
        let doc = check_junk(
            &input,
            &[BODY, "fourteen days"],
            &["logo", "pixel", "p.gif"],
        );
        insta::assert_snapshot!("junk_images", render_text(&doc));
    }
}

mod metadata {
    use super::*;

    fn date_of(input: &str) -> Option<String> {
        check(input.as_bytes())
            .effective_date
            .map(|d| d.to_string())
    }

    #[test]
    fn effective_dates_in_many_forms() {
        let body =
            "\n\nYou may not use the service to attack networks, send spam or break the law.\n";
        for (line, want) in [
            ("Last Updated: December 28, 2021", "2021-12-28"),
            ("Updated September 16th, 2016", "2016-09-16"),
            ("*Last updated: March 9, 2017.*", "2017-03-09"),
            ("Effective as of 2024-02-28", "2024-02-28"),
            ("Effective Date: 28 February 2024", "2024-02-28"),
            ("最后更新：2021年6月18日", "2021-06-18"),
            ("更新日期：2021-06-18", "2021-06-18"),
            ("生效日期：2024年2月28日", "2024-02-28"),
        ] {
            assert_eq!(
                date_of(&format!("Policy\n\n{line}{body}")).as_deref(),
                Some(want),
                "{line}"
            );
        }
        assert_eq!(
            date_of("Policy\n\nWe changed this policy in 2020 and may change it again."),
            None
        );
    }

    #[test]
    fn date_line_and_title_are_not_provisions() {
        let doc = check(b"Acceptable Use Policy\nLast Updated: June 18, 2021\nYou may not spam people or attack networks.\n");
        assert_eq!(doc.title.as_deref(), Some("Acceptable Use Policy"));
        assert_eq!(doc.provisions.len(), 1);
        assert_eq!(doc.provisions[0].heading_path, Vec::<String>::new());
    }

    #[test]
    fn titles_from_each_format() {
        let title = |input: &str| check(input.as_bytes()).title;
        assert_eq!(title("[Privacy Policy]()\n==================\n\n*Last updated: March 9, 2017.*\n\nWe collect data, and we protect it well.").as_deref(), Some("Privacy Policy"));
        assert_eq!(title("<html><head><title>Cookie Notice - Example</title></head><body><p>We use cookies on this site, and you can turn them off.</p></body></html>").as_deref(), Some("Cookie Notice"));
        assert_eq!(title("This analysis describes what the agreement states, permits or reserves, and what it does not.").as_deref(), None);
    }

    #[test]
    fn languages() {
        let lang = |input: &str| check(input.as_bytes()).language;
        assert_eq!(
            lang(
                "You may not use the services to violate the security or integrity of any network or computer."
            ),
            "en"
        );
        assert_eq!(
            lang(
                "我们非常重视您的个人信息和隐私保护。我们将按照法律法规的要求，采取相应的安全保护措施。"
            ),
            "zh"
        );
        assert_eq!(
            lang(
                "Vous ne pouvez pas utiliser les services pour porter atteinte à la sécurité d'un réseau ou d'un système informatique."
            ),
            "fr"
        );
        assert_eq!(lang("Sí."), "und");
    }
}

mod provisions {
    use super::*;

    #[test]
    fn lead_ins_items_and_run_in_titles() {
        let doc = check(
            b"## No Security Violations\n\nYou may not violate the security of any System. Prohibited activities include:\n\n\
              - **Unauthorized Access.** Accessing any System without permission.\n- **Interception.** Monitoring of data without permission.\n",
        );
        let got: Vec<_> = doc
            .provisions
            .iter()
            .map(|p| (p.id.as_str(), p.kind, p.text.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "no-security-violations/1",
                    ProvisionKind::Paragraph,
                    "You may not violate the security of any System. Prohibited activities include:"
                ),
                (
                    "no-security-violations/2",
                    ProvisionKind::ListItem,
                    "Unauthorized Access. Accessing any System without permission."
                ),
                (
                    "no-security-violations/3",
                    ProvisionKind::ListItem,
                    "Interception. Monitoring of data without permission."
                ),
            ]
        );
    }

    #[test]
    fn ids_are_unique_when_headings_repeat() {
        let doc = check(b"# P\n\n## Scope\n\nThis applies to you, always.\n\n## Scope\n\nThis applies to us, always.\n\nText before nothing, and more text.\n");
        let ids: Vec<_> = doc.provisions.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["scope/1", "scope-2/1", "scope-2/2"]);
    }

    #[test]
    fn mid_sentence_starts_are_kept_and_warned_about() {
        let doc = check(&data("md_embedded_html.md"));
        let lost: Vec<_> = doc
            .provisions
            .iter()
            .filter(|p| p.text.starts_with("peer-to-peer"))
            .collect();
        assert_eq!(lost.len(), 1);
        let warning = format!(
            "possible lost text before provision {} (starts mid-sentence)",
            lost[0].id
        );
        assert!(
            doc.warnings.iter().any(|w| w.0 == warning),
            "{:?}",
            doc.warnings
        );
    }

    #[test]
    fn extraction_is_deterministic_across_fixtures() {
        for name in [
            "bank_privacy.html",
            "game_terms.md",
            "md_embedded_html.md",
            "hosting_aup_scrape.txt",
            "zh_privacy.txt",
        ] {
            let bytes = data(name);
            assert_eq!(check(&bytes), check(&bytes), "{name}");
        }
    }
}

mod bad_input {
    use super::*;

    fn err(input: &[u8]) -> ExtractError {
        match extract(input, &ExtractOptions::default()) {
            Ok(doc) => panic!("expected an error, got {doc:?}"),
            Err(e) => e,
        }
    }

    /// A fixed pseudo-random byte sequence (xorshift), so the test is repeatable.
    fn noise(len: usize, mut seed: u64) -> Vec<u8> {
        (0..len)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                (seed >> 24) as u8
            })
            .collect()
    }

    #[test]
    fn empty_and_whitespace() {
        assert_eq!(err(b""), ExtractError::Empty);
        assert_eq!(err(b" \n\t\r\n  "), ExtractError::Empty);
        assert_eq!(err("\u{FEFF}\u{200B}  \n".as_bytes()), ExtractError::Empty);
    }

    #[test]
    fn binary_formats_are_named() {
        let mut png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR".to_vec();
        png.extend(noise(500, 7));
        let e = err(&png);
        assert_eq!(
            e,
            ExtractError::Binary {
                what: "a PNG image".into()
            }
        );
        assert!(e.to_string().contains("PNG image"));
        assert!(
            matches!(err(b"PK\x03\x04\x14\x00\x06\x00"), ExtractError::Binary { what } if what.contains("ZIP"))
        );
        assert!(
            matches!(err(b"\x1f\x8b\x08\x00\x00\x00"), ExtractError::Binary { what } if what.contains("gzip"))
        );
        assert!(matches!(err(b"%PDF-1.4\n1 0 obj\n"), ExtractError::Pdf(_)));
    }

    #[test]
    fn random_bytes_are_refused_or_read_without_panicking() {
        for seed in 1..20 {
            let bytes = noise(4096, seed);
            match extract(&bytes, &ExtractOptions::default()) {
                Err(ExtractError::Binary { what }) => assert_eq!(what, "unrecognised binary data"),
                Err(e) => panic!("unexpected error {e}"),
                Ok(doc) => assert!(!doc.warnings.is_empty() || !doc.provisions.is_empty()),
            }
        }
    }

    #[test]
    fn invalid_utf8_is_decoded_with_a_warning() {
        let doc = check(b"Nutzungsbedingungen f\xc3\xbcr alle Kunden. Gr\xc3\xbc\xc3\x9fe \xff und \xc3\xa4hnliche Regeln gelten f\xc3\xbcr jeden.");
        assert!(doc.provisions[0].text.contains('\u{FFFD}'));
        assert!(
            doc.warnings.iter().any(|w| w.0.contains("U+FFFD")),
            "{:?}",
            doc.warnings
        );
        // Latin-1 throughout is a legacy encoding, not broken UTF-8.
        let doc = check(b"Conditions g\xe9n\xe9rales: vous acceptez ces r\xe8gles en utilisant le service, \xe0 tout moment.");
        assert!(
            doc.provisions[0].text.contains("générales"),
            "{:?}",
            doc.provisions
        );
    }

    #[test]
    fn over_the_size_limit() {
        let options = ExtractOptions::default().with_max_bytes(10);
        assert_eq!(
            extract(b"0123456789AB", &options),
            Err(ExtractError::TooLarge {
                size: 12,
                limit: 10
            })
        );
        assert!(
            extract(
                b"Short text.",
                &ExtractOptions::default().with_max_bytes(11)
            )
            .is_ok()
        );
    }

    #[test]
    fn deeply_nested_html_does_not_overflow() {
        let input = format!(
            "{}<p>You must not attack our network, ever, for any reason.</p>{}",
            "<div>".repeat(10_000),
            "</div>".repeat(10_000)
        );
        let doc = check(input.as_bytes());
        assert_eq!(doc.provisions.len(), 1);
        let unclosed = format!(
            "<html><body>{}<p>Deep text that is still read, even so deep.",
            "<div><span>".repeat(5_000)
        );
        assert_eq!(check(unclosed.as_bytes()).provisions.len(), 1);
    }

    #[test]
    fn deeply_nested_markdown_does_not_overflow() {
        let quotes = format!(
            "# T\n\n{} You must not spam, ever, for any reason at all.\n",
            ">".repeat(5_000)
        );
        assert!(extract(quotes.as_bytes(), &ExtractOptions::default()).is_ok());
        let lists: String = (0..2_000)
            .map(|i| format!("{}- item {i}, with words.\n", "  ".repeat(i)))
            .collect();
        assert!(extract(lists.as_bytes(), &ExtractOptions::default()).is_ok());
        let brackets = format!(
            "[{}x{}](y) **{}",
            "[".repeat(5_000),
            "]".repeat(5_000),
            "*".repeat(5_000)
        );
        assert!(extract(brackets.as_bytes(), &ExtractOptions::default()).is_ok());
    }

    #[test]
    fn huge_single_line() {
        let line =
            "You must not misuse the service, and you must follow these rules. ".repeat(40_000);
        let doc = check(line.as_bytes());
        // Issue #25: split at sentence ends into bounded provisions, with a
        // warning, nothing dropped.
        assert!(doc.provisions.len() > 100, "{}", doc.provisions.len());
        assert!(
            doc.provisions
                .iter()
                .all(|p| p.text.len() <= 16 * 1024 && p.text.ends_with("rules."))
        );
        let joined: Vec<&str> = doc.provisions.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(joined.join(" "), line.trim());
        assert!(doc.warnings.iter().any(|w| w.0.contains("was split into")));
        let word = "a".repeat(2_000_000);
        assert!(extract(word.as_bytes(), &ExtractOptions::default()).is_ok());
    }

    #[test]
    fn markup_only_input_gives_a_warning_not_an_error() {
        let doc = check(b"<html><body><nav><a href=\"/\">Home</a></nav></body></html>");
        assert!(doc.provisions.is_empty());
        assert!(doc.warnings.iter().any(|w| w.0.contains("no provisions")));
    }
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn markupish() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("# ".to_string()),
            Just("## ".to_string()),
            Just("**".to_string()),
            Just("*".to_string()),
            Just("- ".to_string()),
            Just("1. ".to_string()),
            Just("• ".to_string()),
            Just("(a) ".to_string()),
            Just("\n".to_string()),
            Just("\n\n".to_string()),
            Just("\t".to_string()),
            Just("\u{c}".to_string()),
            Just("[link](#)".to_string()),
            Just("<p>".to_string()),
            Just("</p>".to_string()),
            Just("<li>".to_string()),
            Just("<ul>".to_string()),
            Just("<h2>".to_string()),
            Just("<div class=\"nav\">".to_string()),
            Just("<a href=x>".to_string()),
            Just("</a>".to_string()),
            Just("<table><tr><td>".to_string()),
            Just("&amp;".to_string()),
            Just("Last updated: March 9, 2017".to_string()),
            Just("© 2020 All rights reserved".to_string()),
            Just("Page 2 of 3".to_string()),
            Just("===\n".to_string()),
            Just("| a | b |\n|---|---|\n".to_string()),
            Just("我们收集信息。".to_string()),
            "[A-Za-z ,.;:]{0,40}",
        ];
        prop::collection::vec(piece, 0..80).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
            let _ = extract(&bytes, &ExtractOptions::default());
            let _ = sniff_format(&bytes);
        }

        #[test]
        fn deterministic_and_clean_on_markup_soup(input in markupish()) {
            let first = extract(input.as_bytes(), &ExtractOptions::default());
            let second = extract(input.as_bytes(), &ExtractOptions::default());
            let json = |r: &Result<ExtractedDocument, ExtractError>| r.as_ref().map(|d| serde_json::to_string(d).unwrap_or_default()).map_err(Clone::clone);
            prop_assert_eq!(json(&first), json(&second));
            if let Ok(doc) = first {
                let mut ids = std::collections::HashSet::new();
                for p in &doc.provisions {
                    prop_assert!(ids.insert(p.id.clone()), "duplicate id {}", p.id);
                    prop_assert!(!p.text.contains("**") && !p.text.contains("]("), "markup in {:?}", p.text);
                    prop_assert!(!p.text.is_empty());
                }
                let _ = render_text(&doc);
                let _ = render_markdown(&doc);
            }
        }
    }
}
