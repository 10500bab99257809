//! Bytes → text. In order: a byte-order mark; the charset of the
//! `Content-Type` the bytes came with (an HTTP header), if known; valid
//! UTF-8; UTF-16 without a mark; a `<meta charset>` / `http-equiv` or XML
//! `encoding` declaration; UTF-8 with a few broken bytes; and finally a
//! statistical guess (chardetng) decoded with encoding_rs, which covers the
//! legacy encodings of Chinese (GBK/GB18030, Big5), Japanese (Shift_JIS,
//! EUC-JP), Korean (EUC-KR) and Western (windows-1252) pages. Lossy decoding
//! is reported as a warning, never an error. Line endings are normalised to
//! `\n` (form feeds, the page breaks of PDF-to-text tools, are kept).

use std::sync::LazyLock;

use cw_model::Warning;
use encoding_rs::Encoding;
use regex::bytes::Regex as BytesRegex;

use crate::sniff::utf16_without_bom;

static META_CHARSET: LazyLock<BytesRegex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    BytesRegex::new(r#"(?i)<meta[^>]{0,200}?charset\s*=\s*["']?\s*([a-z0-9_:.\-]{2,40})"#)
        .expect("constant regex pattern compiles")
});
static XML_ENCODING: LazyLock<BytesRegex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    BytesRegex::new(
        r#"^(?:\xEF\xBB\xBF)?\s*<\?xml[^>]{0,100}?encoding\s*=\s*["']([A-Za-z0-9_:.\-]{2,40})["']"#,
    )
    .expect("constant regex pattern compiles")
});

/// Decodes `bytes` to text, pushing a warning when some bytes could not be
/// decoded. `content_type` is the `Content-Type` the bytes came with (or a
/// bare charset label), when known. `forced` skips the search and decodes
/// with that encoding (a BOM still wins). Returns the text and the
/// encoding used.
pub(crate) fn decode(
    bytes: &[u8],
    content_type: Option<&str>,
    forced: Option<&'static Encoding>,
    warnings: &mut Vec<Warning>,
) -> (String, &'static Encoding) {
    let (text, encoding, lossy) = match forced {
        Some(enc) if Encoding::for_bom(bytes).is_none() => {
            let (text, lossy) = enc.decode_without_bom_handling(bytes);
            (text.into_owned(), enc, lossy)
        }
        _ => decode_raw(bytes, content_type),
    };
    if lossy {
        warnings.push(Warning::new(format!(
            "some bytes were not valid {} and were replaced with U+FFFD; parts of the text may be garbled",
            encoding.name()
        )));
    }
    (normalise_newlines(text), encoding)
}

/// The encoding a statistical look at the bytes alone suggests (chardetng),
/// whatever the header or the page declares: the second opinion when the
/// declared charset gave a garbled text (GBK bytes labelled UTF-8).
pub(crate) fn detect(bytes: &[u8]) -> &'static Encoding {
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(bytes, true);
    detector.guess(None, true)
}

/// The encoding named by a `Content-Type` value (`text/html; charset="gbk"`)
/// or by a bare label (`shift_jis`); `None` when it names none we know.
pub(crate) fn content_type_encoding(content_type: &str) -> Option<&'static Encoding> {
    let lower = content_type.to_ascii_lowercase();
    let label = match lower.find("charset") {
        Some(at) => {
            let rest = lower.get(at + "charset".len()..)?.trim_start();
            let rest = rest.strip_prefix('=')?.trim_start();
            let rest = rest.trim_start_matches(['"', '\'']);
            rest.split(['"', '\'', ';', ',', ' ', '\t'])
                .next()
                .unwrap_or_default()
        }
        // A bare label; a media type without a charset says nothing.
        None if !lower.contains('/') && !lower.contains(';') => lower.trim(),
        None => return None,
    };
    Encoding::for_label(label.as_bytes())
}

fn decode_raw(bytes: &[u8], content_type: Option<&str>) -> (String, &'static Encoding, bool) {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        let body = bytes.get(bom_len..).unwrap_or_default();
        let (text, lossy) = enc.decode_without_bom_handling(body);
        return (text.into_owned(), enc, lossy);
    }
    if let Some(enc) = content_type.and_then(content_type_encoding) {
        // Servers that never set a charset default to ISO-8859-1; a body that
        // is valid UTF-8 with non-ASCII text was not written in it.
        let latin_default = enc == encoding_rs::WINDOWS_1252;
        let utf8 = std::str::from_utf8(bytes).ok();
        if !(latin_default && utf8.is_some_and(|t| !t.is_ascii())) {
            let (text, lossy) = enc.decode_without_bom_handling(bytes);
            return (text.into_owned(), enc, lossy);
        }
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return (text.to_string(), encoding_rs::UTF_8, false);
    }
    if let Some(enc) = utf16_without_bom(bytes) {
        let (text, lossy) = enc.decode_without_bom_handling(bytes);
        return (text.into_owned(), enc, lossy);
    }
    let head = bytes.get(..4096).unwrap_or(bytes);
    let declared = XML_ENCODING
        .captures(head)
        .or_else(|| META_CHARSET.captures(head))
        .and_then(|c| c.get(1))
        .and_then(|m| Encoding::for_label(m.as_bytes()));
    let enc = match declared {
        Some(enc) => enc,
        None if mostly_utf8(bytes) => encoding_rs::UTF_8,
        None => detect(bytes),
    };
    // A declared UTF-16 in an ASCII-compatible document is a lie the HTML spec tells us to ignore.
    let enc = if enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE {
        encoding_rs::UTF_8
    } else {
        enc
    };
    let (text, lossy) = enc.decode_without_bom_handling(bytes);
    (text.into_owned(), enc, lossy)
}

/// UTF-8 with a handful of broken sequences (a truncated download, one stray
/// Latin-1 byte) is still UTF-8: guessing a legacy encoding would garble every
/// other non-ASCII character.
pub(crate) fn mostly_utf8(bytes: &[u8]) -> bool {
    let (mut errors, mut multibyte) = (0usize, 0usize);
    let mut rest = bytes;
    while !rest.is_empty() {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                multibyte += s.chars().filter(|c| !c.is_ascii()).count();
                break;
            }
            Err(e) => {
                let valid = e.valid_up_to();
                if let Some(s) = rest.get(..valid).and_then(|v| std::str::from_utf8(v).ok()) {
                    multibyte += s.chars().filter(|c| !c.is_ascii()).count();
                }
                errors += 1;
                let skip = valid + e.error_len().unwrap_or(rest.len() - valid).max(1);
                rest = rest.get(skip..).unwrap_or_default();
            }
        }
    }
    multibyte > 0 && errors * 4 <= multibyte
}

fn normalise_newlines(text: String) -> String {
    if !text.contains('\r') {
        return text;
    }
    text.replace("\r\n", "\n").replace('\r', "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(bytes: &[u8]) -> (String, Vec<Warning>) {
        let mut w = Vec::new();
        let t = decode(bytes, None, None, &mut w).0;
        (t, w)
    }

    #[test]
    fn decodes_utf8_and_boms() {
        assert_eq!(dec("Grüße\r\nok".as_bytes()).0, "Grüße\nok");
        assert_eq!(dec(b"\xEF\xBB\xBFhello").0, "hello");
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("条款".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(dec(&utf16).0, "条款");
    }

    #[test]
    fn decodes_gbk_with_and_without_meta() {
        let text = "隐私政策\n最后更新：2021年6月18日\n我们非常重视您的个人信息和隐私保护。我们将按照法律法规的要求，采取相应的安全保护措施。";
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        let (out, w) = dec(&gbk);
        assert_eq!(out, text);
        assert!(w.is_empty());
        let mut html = b"<html><head><meta charset=\"gbk\"></head><body>".to_vec();
        html.extend_from_slice(&gbk);
        assert!(dec(&html).0.contains("最后更新"));
    }

    #[test]
    fn content_type_charset_wins_over_meta_and_detection() {
        let text = "利用規約：本規約は当社のサービスの利用条件を定めるものです。";
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(text);
        let mut html = b"<html><head><meta charset=\"euc-kr\"></head><body><p>".to_vec();
        html.extend_from_slice(&sjis);
        let mut w = Vec::new();
        let out = decode(
            &html,
            Some("text/html; charset=\"Shift_JIS\""),
            None,
            &mut w,
        )
        .0;
        assert!(out.contains(text), "{out}");
        assert!(w.is_empty());
        // A BOM still wins over the header.
        let mut w = Vec::new();
        let bom = [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat();
        assert_eq!(
            decode(&bom, Some("text/plain; charset=gbk"), None, &mut w).0,
            text
        );
        // The ISO-8859-1 server default does not garble a UTF-8 body.
        let mut w = Vec::new();
        assert_eq!(
            decode(
                text.as_bytes(),
                Some("text/html; charset=ISO-8859-1"),
                None,
                &mut w
            )
            .0,
            text
        );
        // An unknown or missing charset falls through to detection.
        let mut w = Vec::new();
        assert_eq!(decode(&sjis, Some("text/plain"), None, &mut w).0, text);
        let mut w = Vec::new();
        assert_eq!(
            decode(&sjis, Some("text/plain; charset=klingon"), None, &mut w).0,
            text
        );
    }

    #[test]
    fn parses_content_type_values() {
        let e = |s: &str| content_type_encoding(s).map(Encoding::name);
        assert_eq!(e("text/html; charset=utf-8"), Some("UTF-8"));
        assert_eq!(e("text/html;charset='GB2312'"), Some("GBK"));
        assert_eq!(e("Text/HTML; Charset = \"big5\"; q=1"), Some("Big5"));
        assert_eq!(e("euc-jp"), Some("EUC-JP"));
        assert_eq!(e("text/html"), None);
        assert_eq!(e("charset"), None);
        assert_eq!(e(""), None);
    }

    #[test]
    fn xml_encoding_declaration() {
        let (bytes, _, _) = encoding_rs::EUC_KR.encode(
            "<?xml version=\"1.0\" encoding=\"EUC-KR\"?><html><body><p>개인정보 처리방침</p></body></html>",
        );
        assert!(dec(&bytes).0.contains("개인정보 처리방침"));
    }

    #[test]
    fn warns_on_lossy_utf8() {
        let (out, w) = dec(b"Gr\xC3\xBC\xC3\x9Fe \xFF und mehr \xC3\xA4\xC3\xB6");
        assert!(out.starts_with("Grüße \u{FFFD}"));
        assert_eq!(w.len(), 1);
    }
}
