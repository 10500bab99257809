//! PDF reading through the public API, on the PDFs `tests/data/make_fixtures.py`
//! writes: a three-page policy with running header, page numbers, a hyphenated
//! line break, a paragraph over a page break and headings by size and weight;
//! a Chinese policy in a non-embedded CJK font; an encrypted, an
//! owner-password-only and an image-only (scanned) PDF.

use super::*;

fn pdf(name: &str) -> Vec<u8> {
    data(&format!("pdf/{name}"))
}

/// Pins `doc` as `tests/snapshots/integration__pdf__NAME.snap`, beside the
/// other extraction snapshots.
fn snapshot(name: &str, doc: &ExtractedDocument) {
    insta::with_settings!({ snapshot_path => "../snapshots" }, {
        insta::assert_json_snapshot!(name, doc);
    });
}

fn err(input: &[u8]) -> ExtractError {
    match extract(input, &ExtractOptions::default()) {
        Ok(doc) => panic!("expected an error, got {doc:?}"),
        Err(e) => e,
    }
}

#[test]
fn multi_page_policy() {
    let doc = check(&pdf("policy_multipage.pdf"));
    assert_eq!(doc.format, SourceFormat::Pdf);
    assert_eq!(doc.title.as_deref(), Some("Acceptable Use Policy"));
    assert_eq!(
        doc.effective_date.map(|d| d.to_string()).as_deref(),
        Some("2025-03-03")
    );
    assert_eq!(doc.language, "en");
    assert_clean(&doc);
    let all = everything(&doc);
    // Running header and "Page N of 3" footers are gone, the title stays.
    assert!(!all.contains("larkspur cloud ltd ·"), "{all}");
    assert!(!all.contains("page 1 of 3") && !all.contains("page 3 of 3"));
    // End-of-line hyphenation joined, paragraphs reflowed.
    let text = |id: &str| {
        doc.provisions
            .iter()
            .find(|p| p.id == id)
            .map(|p| p.text.clone())
            .unwrap_or_else(|| panic!("no provision {id} in\n{}", render_text(&doc)))
    };
    assert_eq!(
        text("2-prohibited-uses/1"),
        "You may not use the services to attack, probe or disrupt any infrastructure, \
         whether it belongs to us, to another customer or to a third party. \
         Prohibited activities include:"
    );
    // A paragraph that runs over a page break is one provision.
    assert!(
        text("4-enforcement/1").ends_with(
            "and you can export your data during that period through the console or the public API."
        ),
        "{}",
        text("4-enforcement/1")
    );
    // Bulleted items, wrapped onto two lines, are one list item each.
    let items: Vec<&str> = doc
        .provisions
        .iter()
        .filter(|p| p.kind == ProvisionKind::ListItem)
        .map(|p| p.text.as_str())
        .collect();
    assert_eq!(
        items,
        [
            "Denial of service: flooding a target with requests or traffic.",
            "Scanning networks or hosts for vulnerabilities without the written permission of their owner.",
            "Sending unsolicited bulk e-mail.",
        ]
    );
    // Headings from a larger size ("1. Scope") and from weight alone ("Account security").
    let account = doc
        .provisions
        .iter()
        .find(|p| {
            p.text
                .starts_with("You are responsible for the credentials")
        })
        .unwrap_or_else(|| panic!("account paragraph missing"));
    assert_eq!(
        account.heading_path,
        ["2. Prohibited Uses", "Account security"]
    );
    snapshot("policy_multipage", &doc);
}

#[test]
fn chinese_policy_with_a_non_embedded_cjk_font() {
    let doc = check(&pdf("zh_privacy.pdf"));
    assert_eq!(doc.format, SourceFormat::Pdf);
    assert_eq!(doc.title.as_deref(), Some("隐私政策"));
    assert_eq!(doc.language, "zh");
    assert_eq!(
        doc.effective_date.map(|d| d.to_string()).as_deref(),
        Some("2024-05-20")
    );
    let all = everything(&doc);
    assert!(
        !all.contains("青禾云科技有限公司"),
        "running header kept: {all}"
    );
    assert!(!all.contains("第 1 页") && !all.contains("第1页"), "{all}");
    // Wrapped CJK lines join without a space.
    assert!(
        doc.provisions.iter().any(|p| p.text
            == "当您注册青禾云账号时，我们会收集您的手机号码和电子邮件地址，用于验证您的身份并向您发送服务通知。"),
        "{}",
        render_text(&doc)
    );
    assert!(
        doc.provisions
            .iter()
            .any(|p| p.heading_path == ["二、信息的使用与共享"])
    );
    snapshot("zh_privacy", &doc);
}

#[test]
fn encrypted_pdf_is_refused_with_the_reason() {
    let e = err(&pdf("encrypted.pdf"));
    assert_eq!(e, ExtractError::PdfEncrypted);
    assert!(
        e.to_string().contains("encrypted and needs a password"),
        "{e}"
    );
}

#[test]
fn owner_password_only_pdf_is_read() {
    let doc = check(&pdf("owner_only.pdf"));
    assert_eq!(doc.title.as_deref(), Some("Printing Permissions Notice"));
    assert!(everything(&doc).contains("every reader can open it"));
    snapshot("owner_only", &doc);
}

#[test]
fn scanned_pdf_is_refused_with_the_reason() {
    let e = err(&pdf("scanned.pdf"));
    assert_eq!(e, ExtractError::PdfNoText { pages: 1 });
    assert!(e.to_string().contains("no text layer"), "{e}");
    assert!(e.to_string().contains("OCR"), "{e}");
}

#[test]
fn sniffed_from_content() {
    assert_eq!(
        sniff_format(&pdf("policy_multipage.pdf")),
        Some(SourceFormat::Pdf)
    );
}

#[test]
fn damaged_pdfs_are_errors_not_panics() {
    let full = pdf("policy_multipage.pdf");
    // Too short to hold a page: an error that names the PDF.
    for cut in [9, 100, 500] {
        let e = err(&full[..cut]);
        assert!(matches!(e, ExtractError::Pdf(_)), "{cut}: {e:?}");
    }
    // Cut later, or with bytes flipped: the reader recovers what it can.
    let cuts = (1000..full.len())
        .step_by(501)
        .map(|cut| full[..cut].to_vec());
    let flips = (200..full.len()).step_by(397).map(|at| {
        let mut bytes = full.clone();
        bytes[at] ^= 0x5A;
        bytes
    });
    for bytes in cuts.chain(flips) {
        // Either some text survives or a PDF error says why; never a panic.
        match extract(&bytes, &ExtractOptions::default()) {
            Ok(doc) => assert_eq!(doc.format, SourceFormat::Pdf),
            Err(e) => assert!(
                matches!(e, ExtractError::Pdf(_) | ExtractError::PdfNoText { .. }),
                "{} bytes: {e:?}",
                bytes.len()
            ),
        }
    }
    assert!(matches!(err(b"%PDF-1.4\n1 0 obj\n"), ExtractError::Pdf(_)));
}

#[test]
fn deterministic() {
    for name in ["policy_multipage.pdf", "zh_privacy.pdf"] {
        let bytes = pdf(name);
        assert_eq!(check(&bytes), check(&bytes), "{name}");
    }
}
