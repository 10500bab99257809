//! Documents are hostile input: a document carrying `<script>`, `onerror=`
//! attributes and `javascript:` links (as markup and as text) renders inert
//! on every page that shows it.

use crate::util::Builder;

fn hostile(version: u32) -> Vec<u8> {
    format!(
        r#"<!DOCTYPE html><html><head><title>Evil &lt;script&gt;alert(0)&lt;/script&gt; Terms</title></head><body>
<h1>Evil Terms &lt;script&gt;alert("h1")&lt;/script&gt;</h1>
<h2>Accounts &lt;img src=x onerror=alert(2)&gt;</h2>
<p>We may suspend or terminate your account at any time without notice &lt;script&gt;alert({version})&lt;/script&gt; for any reason.</p>
<p>Click &lt;a href="javascript:alert(4)"&gt;here&lt;/a&gt; to agree. <img src=x onerror=alert(5)> <a href="javascript:alert(6)">real link</a> version {version}.</p>
<p>We may change these terms at any time by posting them &lt;svg onload=alert(8)&gt; on this page{}.</p>
<script>alert(7)</script>
</body></html>"#,
        if version > 1 { " and you accept them by continuing" } else { "" }
    )
    .into_bytes()
}

/// Fails if `page` holds anything that could run: a script element other
/// than our own file, an event-handler attribute in a tag, an image or SVG
/// element, or a `javascript:` URL in an attribute.
fn assert_inert(uri: &str, page: &str) {
    let ours = r#"<script src="/static/app.js" defer></script>"#;
    let stripped = page.replace(ours, "");
    let lower = stripped.to_lowercase();
    assert!(!lower.contains("<script"), "{uri}: script element\n{page}");
    assert!(!lower.contains("<img"), "{uri}: img element\n{page}");
    assert!(!lower.contains("<svg onload"), "{uri}: svg element\n{page}");
    assert!(
        !lower.contains("href=\"javascript:"),
        "{uri}: javascript: link\n{page}"
    );
    assert!(
        !lower.contains("src=\"javascript:"),
        "{uri}: javascript: src\n{page}"
    );
    // Every `<` that opens a tag is followed by a known-safe tag name.
    for (i, _) in lower.match_indices('<') {
        let rest = &lower[i + 1..];
        let name: String = rest
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '!')
            .collect();
        assert!(
            !["script", "img", "iframe", "object", "embed", "svg onload"].contains(&name.as_str()),
            "{uri}: <{name}"
        );
        if name.is_empty() {
            continue;
        }
        let tag_end = rest.find('>').unwrap_or(rest.len());
        let tag = &rest[..tag_end];
        assert!(!tag.contains(" on"), "{uri}: event handler in <{tag}>");
    }
}

#[tokio::test]
async fn hostile_documents_render_inert_everywhere() {
    let app = Builder::new()
        .without_demo()
        .document("evil/terms", &hostile(1), "2024-01-01")
        .document("evil/terms", &hostile(2), "2024-06-01")
        .build()
        .await;
    let v = app.json("/api/documents/evil/terms/versions/2").await;
    let provisions = v["provisions"].as_array().unwrap();
    let texts: Vec<&str> = provisions
        .iter()
        .map(|p| p["text"].as_str().unwrap())
        .collect();
    assert!(
        texts
            .iter()
            .any(|t| t.contains("<script>alert(2)</script>")),
        "the hostile text must reach the store for this test to mean anything: {texts:?}"
    );
    let target = provisions
        .iter()
        .find(|p| p["text"].as_str().unwrap().contains("<script>alert(2)"))
        .unwrap();
    let pid = target["id"].as_str().unwrap();

    let pages = [
        "/".to_string(),
        "/documents".to_string(),
        "/p/evil".to_string(),
        "/d/evil/terms".to_string(),
        "/d/evil/terms/v/1".to_string(),
        "/d/evil/terms/v/2".to_string(),
        "/d/evil/terms/diff?from=1&to=2".to_string(),
        "/d/evil/terms/diff?from=1&to=2&view=inline".to_string(),
        format!("/d/evil/terms/provision/{pid}"),
        "/search?q=alert".to_string(),
        "/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E".to_string(),
        "/compare?left=evil/terms@1&right=evil/terms@2".to_string(),
    ];
    for uri in &pages {
        let page = app.ok(uri).await;
        assert_inert(uri, &page);
    }
    // The text is shown, escaped, where it belongs.
    let diff = app.ok("/d/evil/terms/diff?from=1&to=2").await;
    assert!(
        diff.contains("&lt;script&gt;alert(2)&lt;/script&gt;")
            || diff.contains("&lt;script&gt;alert(2)&lt;&#x2f;script&gt;")
            || diff.contains("alert(2)"),
        "{diff}"
    );
    let dash = app.ok("/").await;
    assert!(
        dash.contains("evil/terms"),
        "the dashboard must show the change: {dash}"
    );
    let prov = app.ok(&format!("/d/evil/terms/provision/{pid}")).await;
    assert!(
        prov.contains("&lt;script&gt;") || prov.contains("&#60;script&#62;"),
        "{prov}"
    );
    let search = app.ok("/search?q=alert").await;
    assert!(search.contains("evil/terms"), "{search}");
    // The Atom feed escapes too.
    let feed = app.get("/api/documents/evil/terms/feed.atom").await;
    assert!(!feed.body.contains("<script"), "{}", feed.body);
}
