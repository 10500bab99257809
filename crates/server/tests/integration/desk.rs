//! The analyst's desk (#22): structure and navigation (outline, pickers,
//! previous/next change, breadcrumbs, sides named by document and date, no
//! comparison of a document with itself) and provenance with a raw download
//! that is never rendered in the app's origin.

use crate::util::Builder;
use axum::http::{StatusCode, header};
use sha2::{Digest, Sha256};

#[tokio::test]
async fn a_version_shows_its_provenance_and_serves_its_bytes_as_a_download() {
    let app = Builder::new().build().await;
    let p = app
        .json("/api/documents/example-cloud/aup/versions/2/provenance")
        .await;
    assert_eq!(p["version"], 2);
    assert!(!p["extractor_version"].as_str().unwrap_or("").is_empty());
    let snap = &p["snapshots"][0];
    let sha = snap["sha256"].as_str().unwrap().to_string();
    let href = snap["raw_href"].as_str().unwrap().to_string();
    assert_eq!(href, format!("/d/example-cloud/aup/v/2/raw/{sha}"));

    let raw = app.get(&href).await;
    assert_eq!(raw.status, StatusCode::OK);
    assert_eq!(hex::encode(Sha256::digest(raw.body.as_bytes())), sha);
    let h = |name: header::HeaderName| {
        raw.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    assert!(
        h(header::CONTENT_DISPOSITION).starts_with("attachment; filename=\"example-cloud-aup-v2-")
    );
    assert_eq!(h(header::X_CONTENT_TYPE_OPTIONS), "nosniff");
    assert_eq!(
        h(header::CONTENT_SECURITY_POLICY),
        "sandbox; default-src 'none'"
    );
    let format = snap["format"].as_str().unwrap();
    let expected = match format {
        "html" => "text/html",
        "markdown" => "text/markdown",
        "text" => "text/plain",
        other => panic!("demo format {other}"),
    };
    assert_eq!(h(header::CONTENT_TYPE), expected);

    // Another version's snapshot is not reachable under this version.
    let other = app
        .json("/api/documents/example-cloud/aup/versions/1/provenance")
        .await;
    let other_sha = other["snapshots"][0]["sha256"].as_str().unwrap();
    let wrong = app
        .get(&format!("/d/example-cloud/aup/v/2/raw/{other_sha}"))
        .await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND);

    let page = app.ok("/d/example-cloud/aup/v/2").await;
    assert!(page.contains(&sha), "sha256 on the version page");
    assert!(page.contains(&href), "download link");
    assert!(page.contains("Extracted text (this page)"));
}

#[tokio::test]
async fn version_pages_show_the_outline_from_heading_paths() {
    let app = Builder::new().build().await;
    let v = app
        .json("/api/documents/example-cloud/aup/versions/4")
        .await;
    let outline = v["outline"].as_array().unwrap();
    assert!(!outline.is_empty(), "the demo AUP has headings");
    let first = outline[0]["heading"].as_str().unwrap();
    let page = app.ok("/d/example-cloud/aup/v/4").await;
    assert!(
        page.contains(&format!("id=\"h-0\">{}</h2>", first.replace('&', "&#38;"))),
        "first heading {first} rendered"
    );
    // Provisions carry permalinks to themselves in this version.
    let id = v["provisions"][0]["id"].as_str().unwrap();
    assert!(page.contains(&format!("id=\"p-{id}\"")));
    assert!(page.contains("?version=4"), "permalinks name the version");
}

#[tokio::test]
async fn the_diff_page_has_pickers_previous_next_and_named_sides() {
    let app = Builder::new().build().await;
    let page = app.ok("/d/example-cloud/aup/diff?from=2&to=3").await;
    assert!(page.contains("aria-label=\"Breadcrumb\""));
    assert!(page.contains("<select id=\"from\" name=\"from\">"));
    assert!(page.contains("<option value=\"2\" selected>@2 · "));
    assert!(page.contains("<option value=\"3\" selected>@3 · "));
    assert!(
        page.contains("href=\"/d/example-cloud/aup/diff?from=1&#38;to=2\""),
        "previous change"
    );
    assert!(
        page.contains("href=\"/d/example-cloud/aup/diff?from=3&#38;to=4\""),
        "next change"
    );
    assert!(!page.contains(">Old<") && !page.contains(">New<"));
    assert!(page.contains("example-cloud/aup @2</a>"));
    // Any two versions, newest first or not.
    let back = app.ok("/d/example-cloud/aup/diff?from=4&to=1").await;
    assert!(back.contains("@4 → @1"));
}

#[tokio::test]
async fn compare_never_opens_on_a_document_against_itself() {
    let app = Builder::new().build().await;
    let page = app.ok("/compare").await;
    let selected: Vec<&str> = page
        .match_indices(" selected>")
        .map(|(i, _)| {
            let start = page[..i].rfind("value=\"").map_or(0, |s| s + 7);
            &page[start..i - 1]
        })
        .collect();
    assert_eq!(selected.len(), 2, "{selected:?}");
    assert_ne!(selected[0], selected[1]);
    // Versions are offered on both sides, labelled with their dates.
    assert!(page.contains("value=\"example-cloud/aup@1\""));
    let cross = app
        .ok("/compare?left=example-cloud/privacy@1&right=example-cloud/privacy-cn")
        .await;
    assert!(cross.contains("example-cloud/privacy @1</a>"));
    assert!(!cross.contains(">Old<"));
}

#[tokio::test]
async fn diffs_say_why_they_matter_with_readable_labels() {
    let app = Builder::new().build().await;
    let mut seen = 0;
    for d in app.json("/api/documents").await.as_array().unwrap() {
        let key = d["key"].as_str().unwrap();
        let versions = d["version_count"].as_u64().unwrap_or(0);
        for to in 2..=versions {
            let diff = app
                .json(&format!(
                    "/api/documents/{key}/diff?from={}&to={to}",
                    to - 1
                ))
                .await;
            let why = &diff["why"];
            assert!(
                why["caveat"]
                    .as_str()
                    .unwrap()
                    .contains("not a legal determination")
            );
            let changes = why["label_changes"].as_array().unwrap();
            if changes.is_empty() {
                continue;
            }
            seen += changes.len();
            let first = &changes[0];
            let named = first["added"]
                .as_array()
                .unwrap()
                .iter()
                .chain(first["removed"].as_array().unwrap())
                .next()
                .cloned()
                .unwrap();
            let (id, name) = (
                named["id"].as_str().unwrap(),
                named["name"].as_str().unwrap(),
            );
            assert_ne!(id, name);
            let page = app
                .ok(&format!("/d/{key}/diff?from={}&to={to}", to - 1))
                .await;
            assert!(page.contains("id=\"why-h\""));
            assert!(
                page.contains(&format!("title=\"{id}\">+ {name}</span>"))
                    || page.contains(&format!("title=\"{id}\">− {name}</span>")),
                "{key}@{to}: chip {name} ({id})"
            );
        }
    }
    assert!(seen > 0, "some demo change gains or loses a label");
}

#[tokio::test]
async fn search_marks_matches_and_takes_form_flags() {
    let app = Builder::new().build().await;
    let page = app.ok("/search?q=account&all=on").await;
    assert!(page.contains("<mark>"), "highlights as <mark>");
    assert!(!page.contains("[["), "no raw markers");
    let bad = app.get("/api/search?q=account&all=maybe").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}
