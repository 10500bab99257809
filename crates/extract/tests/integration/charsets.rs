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
