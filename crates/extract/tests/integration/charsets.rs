//! Legacy charsets through the public API: the same invented policies in
//! simplified Chinese (GB18030), traditional Chinese (Big5), Japanese
//! (Shift_JIS, EUC-JP), Korean (EUC-KR) and French (windows-1252), as HTML
//! with and without `<meta charset>` and as plain text, must read exactly
//! like their UTF-8 twins (`tests/data/charset/`, written by
//! `tests/data/make_fixtures.py`).

use super::*;

const DOCS: &[(&str, &str)] = &[
    ("zh_hans", "zh"),
    ("zh_hant", "zh"),
    ("ja", "ja"),
    ("ja_eucjp", "ja"),
    ("ko", "ko"),
    ("fr", "fr"),
];

fn doc_with(name: &str, options: &ExtractOptions) -> ExtractedDocument {
    extract(&data(&format!("charset/{name}")), options)
        .unwrap_or_else(|e| panic!("{name}: extraction failed: {e}"))
}

#[test]
fn legacy_encodings_read_like_utf8() {
    for (stem, lang) in DOCS {
        for (legacy, utf8) in [
            (
                format!("{stem}.meta.html"),
                format!("{stem}.meta.utf8.html"),
            ),
            (
                format!("{stem}.nometa.html"),
                format!("{stem}.nometa.utf8.html"),
            ),
            (format!("{stem}.txt"), format!("{stem}.utf8.txt")),
        ] {
            let options = ExtractOptions::default();
            let got = doc_with(&legacy, &options);
            let want = doc_with(&utf8, &options);
            assert!(
                got.warnings.is_empty(),
                "{legacy}: warnings {:?}",
                got.warnings
            );
            assert_eq!(got.title, want.title, "{legacy}");
            assert_eq!(
                got.provisions,
                want.provisions,
                "{legacy}:\n{}",
                render_text(&got)
            );
            assert_eq!(got.language, *lang, "{legacy}");
            assert!(!got.provisions.is_empty(), "{legacy}");
        }
    }
}

#[test]
fn content_type_charset_is_used_and_wins() {
    let utf8 = doc_with("zh_hant.nometa.utf8.html", &ExtractOptions::default());
    let hinted = doc_with(
        "zh_hant.nometa.html",
        &ExtractOptions::default().with_content_type("text/html; charset=Big5"),
    );
    assert_eq!(hinted.provisions, utf8.provisions);
    // The header wins over the page's own <meta charset="gb2312">: a wrong
    // header gives mojibake, which shows the header was obeyed.
    let wrong = doc_with(
        "zh_hans.meta.html",
        &ExtractOptions::default().with_content_type("text/html; charset=windows-1251"),
    );
    assert!(
        !everything(&wrong).contains("隐私政策"),
        "{}",
        render_text(&wrong)
    );
    // A header without a charset changes nothing.
    let plain = doc_with(
        "ja.meta.html",
        &ExtractOptions::default().with_content_type("text/html"),
    );
    assert_eq!(
        plain.provisions,
        doc_with("ja.meta.utf8.html", &ExtractOptions::default()).provisions
    );
}

#[test]
fn byte_order_mark_wins_over_content_type() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(data("charset/ko.utf8.txt"));
    let doc = extract(
        &bytes,
        &ExtractOptions::default().with_content_type("text/plain; charset=euc-kr"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let plain = doc_with("ko.utf8.txt", &ExtractOptions::default());
    assert_eq!(doc.provisions, plain.provisions);
    assert!(everything(&doc).contains("개인정보의 보유 및 이용 기간"));
}

/// Issue #25: legacy bytes labelled UTF-8 (in the header, in `<meta>`, or
/// both) are decoded again with the charset the bytes suggest, with a
/// warning; the text then reads exactly like the UTF-8 twin.
#[test]
fn legacy_bytes_labelled_utf8_are_redecoded() {
    for (stem, lang) in DOCS {
        let utf8 = doc_with(
            &format!("{stem}.nometa.utf8.html"),
            &ExtractOptions::default(),
        );
        let legacy = data(&format!("charset/{stem}.nometa.html"));
        let mut labelled = b"<meta charset=\"utf-8\">".to_vec();
        labelled.extend_from_slice(&legacy);
        for (bytes, options) in [
            (
                &legacy,
                ExtractOptions::default().with_content_type("text/html; charset=UTF-8"),
            ),
            (&labelled, ExtractOptions::default()),
            (
                &labelled,
                ExtractOptions::default().with_content_type("text/html; charset=utf-8"),
            ),
        ] {
            let got = cw_extract::extract_checked(bytes, &options)
                .unwrap_or_else(|e| panic!("{stem}: {e}"));
            assert_eq!(got.document.language, *lang, "{stem}");
            assert_eq!(got.document.provisions, utf8.provisions, "{stem}");
            assert!(got.integrity.redecoded_as.is_some(), "{stem}");
            assert_eq!(got.integrity.garbled(), None, "{stem}");
            assert!(
                got.document
                    .warnings
                    .iter()
                    .any(|w| w.0.contains("instead of the declared UTF-8")),
                "{stem}: {:?}",
                got.document.warnings
            );
        }
    }
}

/// Issue #25: a text that no charset makes readable (valid UTF-8 that is
/// mostly U+FFFD already) is garbled, not re-decoded into something else.
#[test]
fn undecodable_text_is_garbled() {
    let page = "<html><body><h1>Terms</h1><p>Y\u{FFFD}u m\u{FFFD}y n\u{FFFD}t us\u{FFFD} th\u{FFFD} s\u{FFFD}rvic\u{FFFD}.</p></body></html>";
    let got = cw_extract::extract_checked(page.as_bytes(), &ExtractOptions::default())
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        got.integrity
            .garbled()
            .is_some_and(|w| w.contains("U+FFFD"))
    );
    assert_eq!(got.integrity.redecoded_as, None);
    // One stray replacement character in a long text is not garbled.
    let fine = format!(
        "<html><body><p>{}\u{FFFD}</p></body></html>",
        "Plain words here. ".repeat(20)
    );
    let got = cw_extract::extract_checked(fine.as_bytes(), &ExtractOptions::default())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(got.integrity.garbled(), None);
}
