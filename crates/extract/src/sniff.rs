//! Format detection from content, never from a file name: magic numbers first
//! (PDF, images, archives, executables → a clear refusal), then a look at the
//! decoded text to tell an HTML page or fragment from Markdown (which may embed
//! raw HTML) from plain text.

use std::sync::LazyLock;

use cw_model::SourceFormat;
use regex::Regex;

use crate::blocks::re;

/// What the raw bytes are, before decoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Content {
    /// Text in some encoding.
    Text,
    /// A PDF file.
    Pdf,
    /// Something that is not a document; the name reads "the input is {name}".
    Binary(&'static str),
}

/// Signatures at offset 0, with the name a person understands.
const MAGIC: &[(&[u8], &str)] = &[
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xFF\xD8\xFF", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (
        b"PK\x03\x04",
        "a ZIP archive (DOCX, XLSX and EPUB files are ZIP archives too)",
    ),
    (b"PK\x05\x06", "a ZIP archive"),
    (b"PK\x07\x08", "a ZIP archive"),
    (b"\x1F\x8B", "gzip-compressed data (decompress it first)"),
    (
        b"\x28\xB5\x2F\xFD",
        "zstd-compressed data (decompress it first)",
    ),
    (b"\xFD7zXZ\x00", "xz-compressed data (decompress it first)"),
    (b"7z\xBC\xAF\x27\x1C", "a 7-Zip archive"),
    (b"Rar!\x1A\x07", "a RAR archive"),
    (b"\x7FELF", "an ELF executable"),
    (
        b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1",
        "a legacy Microsoft Office document",
    ),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\x00asm", "a WebAssembly module"),
    (b"\xCA\xFE\xBA\xBE", "a Java class file"),
    (b"wOFF", "a web font"),
    (b"wOF2", "a web font"),
    (b"OggS", "an Ogg media file"),
    (b"ID3", "an MP3 audio file"),
    (b"fLaC", "a FLAC audio file"),
    (b"%!PS", "a PostScript file"),
];

/// Classifies raw bytes by signature and by the share of control bytes.
pub(crate) fn sniff_bytes(bytes: &[u8]) -> Content {
    let head = bytes.get(..1024).unwrap_or(bytes);
    if memfind(head, b"%PDF-").is_some() {
        return Content::Pdf;
    }
    for (magic, name) in MAGIC {
        if bytes.starts_with(magic) {
            return Content::Binary(name);
        }
    }
    if bytes.len() >= 12 && bytes.starts_with(b"RIFF") {
        match bytes.get(8..12) {
            Some(b"WEBP") => return Content::Binary("a WebP image"),
            Some(b"WAVE") => return Content::Binary("a WAV audio file"),
            Some(b"AVI ") => return Content::Binary("an AVI video"),
            _ => {}
        }
    }
    if bytes.get(4..8) == Some(b"ftyp") {
        return Content::Binary("an MP4 or QuickTime media file");
    }
    if bytes.starts_with(b"BZh") && bytes.get(3).is_some_and(|b| (b'1'..=b'9').contains(b)) {
        return Content::Binary("bzip2-compressed data (decompress it first)");
    }
    if bytes.starts_with(b"MZ") && bytes.iter().take(64).any(|b| *b == 0) {
        return Content::Binary("a Windows executable");
    }
    if has_text_bom(bytes) || utf16_without_bom(bytes).is_some() {
        return Content::Text;
    }
    let sample = bytes.get(..8192).unwrap_or(bytes);
    let nul = sample.iter().filter(|b| **b == 0).count();
    let control = sample
        .iter()
        .filter(|b| matches!(**b, 0x00..=0x08 | 0x0E..=0x1A | 0x1C..=0x1F | 0x7F))
        .count();
    if nul * 100 > sample.len() || control * 20 > sample.len() {
        return Content::Binary("unrecognised binary data");
    }
    Content::Text
}

fn memfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn has_text_bom(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\xEF\xBB\xBF")
        || bytes.starts_with(b"\xFF\xFE")
        || bytes.starts_with(b"\xFE\xFF")
}

/// Detects UTF-16 text without a byte-order mark from its NUL pattern
/// (ASCII-range text has a zero in every other byte).
pub(crate) fn utf16_without_bom(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let sample = bytes.get(..4096).unwrap_or(bytes);
    let pairs = sample.len() / 2;
    if pairs < 8 {
        return None;
    }
    let (mut even_nul, mut odd_nul) = (0, 0);
    for pair in sample.chunks_exact(2) {
        if let [a, b] = pair {
            even_nul += usize::from(*a == 0);
            odd_nul += usize::from(*b == 0);
        }
    }
    if odd_nul * 10 >= pairs * 4 && even_nul * 20 < pairs {
        Some(encoding_rs::UTF_16LE)
    } else if even_nul * 10 >= pairs * 4 && odd_nul * 20 < pairs {
        Some(encoding_rs::UTF_16BE)
    } else {
        None
    }
}

static HTML_START: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)^(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|\?xml)\b"));
static HTML_BLOCK_TAG: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)</?(?:p|div|h[1-6]|ul|ol|li|table|tr|td|th|section|article|main|header|footer|nav|br|span|a|strong|em|b|body|html|head|meta|script|style|link)\b[^>\n]*>",
    )
});
static MD_ATX: LazyLock<Regex> = LazyLock::new(|| re(r"(?m)^ {0,3}#{1,6}[ \t]+\S"));
static MD_SETEXT: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?m)^\S[^\n]*\n {0,3}(?:=+|-{2,})[ \t]*$"));
static MD_LINK: LazyLock<Regex> = LazyLock::new(|| re(r"\[[^\]\n]*\]\([^)\n]*\)"));
static MD_BOLD: LazyLock<Regex> = LazyLock::new(|| re(r"\*\*[^*\n]+\*\*|__[^_\n]+__"));
static MD_FENCE: LazyLock<Regex> = LazyLock::new(|| re(r"(?m)^ {0,3}(?:```|~~~)"));
static MD_TABLE: LazyLock<Regex> = LazyLock::new(|| re(r"(?m)^ {0,3}\|?[ \t]*:?-{3,}:?[ \t]*\|"));

/// Decides the format of decoded text.
pub(crate) fn sniff_text(text: &str) -> SourceFormat {
    let head = prefix(text, 256 * 1024);
    let trimmed = head.trim_start();
    if HTML_START.is_match(prefix(trimmed, 4096)) {
        return SourceFormat::Html;
    }
    let tags = HTML_BLOCK_TAG.find_iter(head).count();
    let md = 2 * MD_ATX.find_iter(head).count()
        + 2 * MD_SETEXT.find_iter(head).count()
        + 2 * MD_LINK.find_iter(head).count()
        + MD_BOLD.find_iter(head).count()
        + 2 * MD_FENCE.find_iter(head).count()
        + 2 * MD_TABLE.find_iter(head).count();
    if trimmed.starts_with('<') && tags >= 2 && md < tags {
        return SourceFormat::Html;
    }
    if md >= 2 {
        return SourceFormat::Markdown;
    }
    if tags >= 3 {
        return SourceFormat::Html;
    }
    SourceFormat::Text
}

/// The longest prefix of at most `max` bytes that ends on a character boundary.
pub(crate) fn prefix(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.get(..end).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_binary_signatures() {
        assert_eq!(
            sniff_bytes(b"\x89PNG\r\n\x1a\n\x00\x00junk"),
            Content::Binary("a PNG image")
        );
        assert_eq!(sniff_bytes(b"%PDF-1.7\n%\xE2\xE3"), Content::Pdf);
        assert!(
            matches!(sniff_bytes(b"\x1F\x8B\x08\x00"), Content::Binary(n) if n.starts_with("gzip"))
        );
        assert!(
            matches!(sniff_bytes(b"PK\x03\x04\x14\x00"), Content::Binary(n) if n.starts_with("a ZIP"))
        );
        assert_eq!(
            sniff_bytes(b"\x00\x01\x02\x03\x04\x05\x06\x07\x00\x00"),
            Content::Binary("unrecognised binary data")
        );
        assert_eq!(
            sniff_bytes("Terms of Service\n\nHello.".as_bytes()),
            Content::Text
        );
    }

    #[test]
    fn recognises_utf16_without_bom() {
        let le: Vec<u8> = "Terms of Service apply."
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert_eq!(sniff_bytes(&le), Content::Text);
        assert_eq!(utf16_without_bom(&le), Some(encoding_rs::UTF_16LE));
    }

    #[test]
    fn tells_text_formats_apart() {
        assert_eq!(
            sniff_text("<!DOCTYPE html><html><body><p>x</p></body></html>"),
            SourceFormat::Html
        );
        assert_eq!(
            sniff_text("<h2>Terms</h2><p>You agree.</p><ul><li>a</li></ul>"),
            SourceFormat::Html
        );
        assert_eq!(
            sniff_text("# Terms\n\nSee [the policy](https://x).\n"),
            SourceFormat::Markdown
        );
        assert_eq!(
            sniff_text("LEGAL\n\n# Policy\n\n- **A.** b\n\nLEGAL\t<p>x</p>\nT\t<h2>H</h2>"),
            SourceFormat::Markdown
        );
        assert_eq!(
            sniff_text("Acceptable Use Policy\nLast Updated: June 1, 2021\n• a;\n• b."),
            SourceFormat::Text
        );
        assert_eq!(
            sniff_text("Privacy\n=======\n\nWe collect **data**.\n"),
            SourceFormat::Markdown
        );
    }
}
