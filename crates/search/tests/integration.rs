//! Integration tests for cw-search: a small made-up corpus (English, French
//! and Chinese provisions written for these tests) indexed in a temporary
//! folder, then searched through the public API only, one `mod` per feature.
// Test helpers outside `#[test]` functions fail loudly on purpose.
#![allow(clippy::panic)]

use chrono::NaiveDate;
use cw_model::ProvisionKind;
use cw_search::{ProvisionRow, QueryError, SearchError, SearchIndex, SearchOptions, SearchResults};
use tempfile::TempDir;

/// Builder-style harness: a temporary index folder plus rows to put in it.
struct TestIndex {
    _dir: TempDir,
    index: SearchIndex,
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
}

/// A row with defaults; tests override what they need.
fn row(document: &str, version: u32, position: u32, text: &str) -> ProvisionRow {
    let platform = document.split('/').next().unwrap_or_default().to_string();
    ProvisionRow {
        platform,
        document: document.into(),
        doc_type: Some("Terms of Service".into()),
        region: None,
        language: "en".into(),
        version_number: version,
        version_date: date("2024-01-01"),
        is_latest: true,
        position,
        heading_path: vec!["General".into()],
        provision_id: format!("general/{position}"),
        kind: ProvisionKind::Paragraph,
        text: text.into(),
        labels: vec![],
        lineage_key: format!("{document}#general/{position}"),
    }
}

/// The shared made-up corpus.
fn corpus() -> Vec<ProvisionRow> {
    let mut rows = Vec::new();
    // aws/aup-ningxia: two versions; version 2 changed provision 1.
    let mut v1 = vec![
        row(
            "aws/aup-ningxia",
            1,
            0,
            "You may not use the services to operate an open proxy or open mail relay.",
        ),
        row(
            "aws/aup-ningxia",
            1,
            1,
            "We may change this policy from time to time after giving thirty days notice.",
        ),
    ];
    let mut v2 = vec![
        row(
            "aws/aup-ningxia",
            2,
            0,
            "You may not use the services to operate an open proxy or open mail relay.",
        ),
        row(
            "aws/aup-ningxia",
            2,
            1,
            "We may change this policy at any time without notice, in our sole discretion.",
        ),
    ];
    for r in v1.iter_mut().chain(v2.iter_mut()) {
        r.doc_type = Some("Acceptable Use Policy".into());
        r.region = Some("Ningxia".into());
    }
    for r in &mut v1 {
        r.is_latest = false;
        r.version_date = date("2021-06-18");
    }
    for r in &mut v2 {
        r.version_date = date("2025-03-01");
    }
    v2[1].labels = vec!["tos_unilateral_change".into()];
    rows.extend(v1);
    rows.extend(v2);

    let mut gl = vec![
        row(
            "gitlab/terms",
            1,
            0,
            "Any dispute shall be resolved by binding arbitration in San Francisco.",
        ),
        row(
            "gitlab/terms",
            1,
            1,
            "Do not upload <script>alert('x')</script> or other malicious code & payloads.",
        ),
        row(
            "gitlab/terms",
            1,
            2,
            "Terminating accounts is at our sole discretion.",
        ),
    ];
    gl[0].labels = vec!["tos_arbitration".into()];
    gl[2].kind = ProvisionKind::ListItem;
    for r in &mut gl {
        r.version_date = date("2023-09-10");
    }
    rows.extend(gl);

    let mut fr = row(
        "deezer/cgu",
        1,
        0,
        "La résiliation du compte peut intervenir sans préavis.",
    );
    fr.language = "fr".into();
    fr.doc_type = Some("Conditions Générales".into());
    rows.push(fr);

    let mut zh = vec![
        row(
            "aliyun/privacy",
            1,
            0,
            "我们会在数据出境前进行安全评估，并告知您个人信息的接收方。",
        ),
        row(
            "aliyun/privacy",
            1,
            1,
            "您可以随时撤回对处理个人信息的同意。AWS 服务除外。",
        ),
        row("aliyun/privacy", 1, 2, "本政策可能会不时更新。"),
    ];
    for r in &mut zh {
        r.language = "zh-CN".into();
        r.doc_type = Some("Privacy Policy".into());
        r.version_date = date("2024-11-01");
    }
    rows.extend(zh);
    rows
}

impl TestIndex {
    fn with_rows(rows: &[ProvisionRow]) -> TestIndex {
        let dir = match TempDir::new() {
            Ok(d) => d,
            Err(e) => panic!("temp dir: {e}"),
        };
        let index = ok(SearchIndex::open_or_create(&dir.path().join("index")));
        let mut batch = ok(index.writer_with_memory(20_000_000));
        for r in rows {
            ok(batch.add(r));
        }
        ok(batch.commit());
        TestIndex { _dir: dir, index }
    }

    fn new() -> TestIndex {
        TestIndex::with_rows(&corpus())
    }

    fn search(&self, q: &str) -> SearchResults {
        ok(self.index.search(q, &SearchOptions::default()))
    }

    fn search_all(&self, q: &str) -> SearchResults {
        ok(self.index.search(
            q,
            &SearchOptions {
                all_versions: true,
                ..SearchOptions::default()
            },
        ))
    }

    /// `document@version#provision_id` of every hit, best first.
    fn keys(&self, q: &str) -> Vec<String> {
        keys(&self.search(q))
    }
}

fn keys(r: &SearchResults) -> Vec<String> {
    r.hits
        .iter()
        .map(|h| format!("{}@{}#{}", h.document, h.version_number, h.provision_id))
        .collect()
}

#[track_caller]
fn ok<T, E: std::fmt::Display>(r: Result<T, E>) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("unexpected error: {e}"),
    }
}

#[track_caller]
fn query_error(index: &TestIndex, q: &str) -> QueryError {
    match index.index.search(q, &SearchOptions::default()) {
        Err(SearchError::Query(e)) => e,
        Err(e) => panic!("expected a query error for {q:?}, got {e}"),
        Ok(r) => panic!("expected a query error for {q:?}, got {} hits", r.total),
    }
}

mod words_and_phrases {
    use super::*;

    #[test]
    fn a_word_is_stemmed() {
        let t = TestIndex::new();
        assert_eq!(t.keys("terminate"), ["gitlab/terms@1#general/2"]);
        assert_eq!(t.keys("ARBITRATION"), ["gitlab/terms@1#general/0"]);
    }

    #[test]
    fn all_words_must_match() {
        let t = TestIndex::new();
        assert_eq!(t.keys("open relay"), ["aws/aup-ningxia@2#general/0"]);
        assert!(t.keys("open arbitration").is_empty());
    }

    #[test]
    fn phrase_needs_adjacent_words() {
        let t = TestIndex::new();
        assert_eq!(
            t.keys("\"without notice\""),
            ["aws/aup-ningxia@2#general/1"]
        );
        assert_eq!(t.keys("\"open proxy\""), ["aws/aup-ningxia@2#general/0"]);
        assert!(t.keys("\"proxy open\"").is_empty());
        // Both words occur, not side by side.
        assert!(t.keys("\"open relay\"").is_empty());
    }

    #[test]
    fn sole_discretion_ranks_and_ties_deterministically() {
        let t = TestIndex::new();
        let r = t.search("\"sole discretion\"");
        assert_eq!(
            keys(&r),
            ["gitlab/terms@1#general/2", "aws/aup-ningxia@2#general/1"]
        );
        assert!(r.hits[0].score > r.hits[1].score);
    }

    #[test]
    fn exclusion() {
        let t = TestIndex::new();
        assert_eq!(
            t.keys("\"sole discretion\" -terminating"),
            ["aws/aup-ningxia@2#general/1"]
        );
    }

    #[test]
    fn french_is_accent_folded() {
        let t = TestIndex::new();
        assert_eq!(t.keys("resiliation"), ["deezer/cgu@1#general/0"]);
        assert_eq!(t.keys("\"sans préavis\""), ["deezer/cgu@1#general/0"]);
    }
}

mod chinese {
    use super::*;

    #[test]
    fn chinese_words_are_segmented() {
        let t = TestIndex::new();
        assert_eq!(t.keys("数据出境"), ["aliyun/privacy@1#general/0"]);
        // Both match; the shorter provision ranks first (BM25 length normalisation).
        assert_eq!(
            t.keys("个人信息"),
            ["aliyun/privacy@1#general/1", "aliyun/privacy@1#general/0"]
        );
        assert_eq!(t.keys("个人信息 撤回"), ["aliyun/privacy@1#general/1"]);
        assert!(t.keys("出境数据").is_empty());
    }

    #[test]
    fn chinese_snippets_mark_whole_words() {
        let t = TestIndex::new();
        let r = t.search("数据出境");
        assert_eq!(
            r.hits[0].snippet_text,
            "我们会在[[数据出境]]前进行安全评估，并告知您个人信息的接收方。"
        );
        assert!(r.hits[0].snippet_html.contains("<mark>数据出境</mark>"));
    }

    #[test]
    fn latin_words_find_chinese_documents_too() {
        let t = TestIndex::new();
        assert_eq!(t.keys("aws lang:zh"), ["aliyun/privacy@1#general/1"]);
    }
}

mod filters {
    use super::*;

    #[test]
    fn platform() {
        let t = TestIndex::new();
        assert_eq!(
            t.keys("\"sole discretion\" platform:aws"),
            ["aws/aup-ningxia@2#general/1"]
        );
        assert_eq!(
            t.keys("\"sole discretion\" platform:AWS platform:gitlab")
                .len(),
            2
        );
        assert_eq!(
            t.keys("\"sole discretion\" -platform:gitlab"),
            ["aws/aup-ningxia@2#general/1"]
        );
    }

    #[test]
    fn document_by_key_or_slug() {
        let t = TestIndex::new();
        assert_eq!(t.search("document:aws/aup-ningxia").total, 2);
        assert_eq!(t.search("document:aup-ningxia").total, 2);
        assert_eq!(t.search("doc:terms").total, 3);
        assert_eq!(t.search("document:aws/terms").total, 0);
    }

    #[test]
    fn doc_type_as_slug() {
        let t = TestIndex::new();
        assert_eq!(t.search("type:acceptable-use-policy").total, 2);
        assert_eq!(t.search("type:\"Acceptable Use Policy\"").total, 2);
        assert_eq!(
            t.keys("type:privacy-policy 撤回"),
            ["aliyun/privacy@1#general/1"]
        );
    }

    #[test]
    fn label() {
        let t = TestIndex::new();
        assert_eq!(
            t.keys("label:tos_unilateral_change"),
            ["aws/aup-ningxia@2#general/1"]
        );
        assert_eq!(
            t.keys("label:tos_arbitration dispute"),
            ["gitlab/terms@1#general/0"]
        );
        assert!(t.keys("label:tos_arbitration proxy").is_empty());
    }

    #[test]
    fn language() {
        let t = TestIndex::new();
        assert_eq!(t.search("lang:zh").total, 3);
        assert_eq!(t.search("lang:zh-cn").total, 3);
        assert_eq!(t.search("lang:fr").total, 1);
        assert_eq!(t.search("lang:en").total, 5);
    }

    #[test]
    fn kind_and_region() {
        let t = TestIndex::new();
        assert_eq!(t.keys("kind:list_item"), ["gitlab/terms@1#general/2"]);
        assert_eq!(t.keys("kind:list-item"), ["gitlab/terms@1#general/2"]);
        assert_eq!(t.search("region:ningxia").total, 2);
    }

    #[test]
    fn since_and_until() {
        let t = TestIndex::new();
        // In force: aws v2 (2025-03-01), gitlab (2023-09-10), deezer (2024-01-01), aliyun (2024-11-01).
        assert_eq!(t.search("since:2025-01-01").total, 2);
        assert_eq!(t.search("until:2023-12-31").total, 3);
        assert_eq!(t.search("since:2024 until:2024").total, 4);
        assert_eq!(t.search("since:2024-11-01 until:2024-11-01").total, 3);
        // With history: aws v1 (2021) joins.
        assert_eq!(t.search_all("until:2021").total, 2);
    }

    #[test]
    fn filters_alone_list_in_reading_order() {
        let t = TestIndex::new();
        let r = t.search("platform:gitlab");
        assert_eq!(
            keys(&r),
            [
                "gitlab/terms@1#general/0",
                "gitlab/terms@1#general/1",
                "gitlab/terms@1#general/2"
            ]
        );
        assert!(r.hits.iter().all(|h| h.score == 0.0));
        assert_eq!(r.hits[0].snippet_text, r.hits[0].text);
    }
}

mod versions {
    use super::*;

    /// Issue #25: the derived-data checks read which versions have rows;
    /// a deleted version is gone from the list.
    #[test]
    fn indexed_versions_lists_live_versions_only() {
        let t = TestIndex::new();
        let listed = ok(t.index.indexed_versions());
        assert!(listed.contains(&("aws/aup-ningxia".to_string(), 1)));
        assert!(listed.contains(&("aws/aup-ningxia".to_string(), 2)));
        let mut batch = ok(t.index.writer_with_memory(20_000_000));
        batch.delete_version("aws/aup-ningxia", 1);
        ok(batch.finish());
        let listed = ok(t.index.indexed_versions());
        assert!(!listed.contains(&("aws/aup-ningxia".to_string(), 1)));
        assert!(listed.contains(&("aws/aup-ningxia".to_string(), 2)));
    }

    #[test]
    fn old_wording_is_found_only_with_all_versions() {
        let t = TestIndex::new();
        assert!(t.keys("\"thirty days notice\"").is_empty());
        let r = t.search_all("\"thirty days notice\"");
        assert_eq!(keys(&r), ["aws/aup-ningxia@1#general/1"]);
        assert!(!r.hits[0].is_latest);
    }

    #[test]
    fn unchanged_text_in_several_versions_lists_newest_first() {
        let t = TestIndex::new();
        let r = t.search_all("\"open proxy\"");
        assert_eq!(
            keys(&r),
            ["aws/aup-ningxia@2#general/0", "aws/aup-ningxia@1#general/0"]
        );
        assert_eq!(r.hits[0].score, r.hits[1].score);
    }

    #[test]
    fn set_latest_moves_the_flag_to_a_new_version() {
        let t = TestIndex::new();
        let mut batch = ok(t.index.writer_with_memory(20_000_000));
        let mut v3 = row(
            "aws/aup-ningxia",
            3,
            0,
            "You must not run an open proxy on any instance.",
        );
        v3.version_date = date("2026-01-01");
        ok(batch.add(&v3));
        assert_eq!(ok(batch.set_latest("aws/aup-ningxia", 3)), 2);
        ok(batch.commit());
        drop(batch);
        assert_eq!(
            t.keys("\"open proxy\" platform:aws"),
            ["aws/aup-ningxia@3#general/0"]
        );
        assert_eq!(t.search_all("\"open proxy\" platform:aws").total, 3);
        // Idempotent: nothing left to rewrite.
        let mut batch = ok(t.index.writer_with_memory(20_000_000));
        assert_eq!(ok(batch.set_latest("aws/aup-ningxia", 3)), 0);
    }

    #[test]
    fn deleting_a_version_and_making_the_previous_one_latest() {
        let t = TestIndex::new();
        let mut batch = ok(t.index.writer_with_memory(20_000_000));
        batch.delete_version("aws/aup-ningxia", 2);
        // Rewrites version 1 only; the deleted version 2 is not brought back.
        assert_eq!(ok(batch.set_latest("aws/aup-ningxia", 1)), 2);
        ok(batch.commit());
        assert_eq!(
            t.keys("\"thirty days notice\""),
            ["aws/aup-ningxia@1#general/1"]
        );
        assert_eq!(t.search_all("document:aws/aup-ningxia").total, 2);
    }

    #[test]
    fn deleting_a_document() {
        let t = TestIndex::new();
        let mut batch = ok(t.index.writer_with_memory(20_000_000));
        batch.delete_document("gitlab/terms");
        ok(batch.commit());
        assert!(t.keys("arbitration").is_empty());
        assert_eq!(ok(t.index.num_rows()), 8);
    }

    #[test]
    fn reopening_keeps_rows_and_recreate_empties() {
        let dir = ok(TempDir::new());
        let path = dir.path().join("index");
        {
            let index = ok(SearchIndex::open_or_create(&path));
            let mut batch = ok(index.writer_with_memory(20_000_000));
            for r in corpus() {
                ok(batch.add(&r));
            }
            ok(batch.finish());
        }
        let index = ok(SearchIndex::open_or_create(&path));
        assert_eq!(ok(index.num_rows()), 11);
        // A second writer while one is open is refused with a clear error.
        let held = ok(index.writer_with_memory(20_000_000));
        assert!(matches!(
            index.writer_with_memory(20_000_000),
            Err(SearchError::Locked)
        ));
        drop(held);
        let index = ok(SearchIndex::recreate(&path));
        assert_eq!(ok(index.num_rows()), 0);
        // A folder with other files is not deleted.
        let other = dir.path().join("other");
        ok(std::fs::create_dir_all(&other));
        ok(std::fs::write(other.join("notes.txt"), "keep me"));
        assert!(matches!(
            SearchIndex::recreate(&other),
            Err(SearchError::NotAnIndex { .. })
        ));
    }
}

mod snippets {
    use super::*;

    #[test]
    fn html_is_escaped_and_matches_marked() {
        let t = TestIndex::new();
        let r = t.search("malicious");
        let hit = &r.hits[0];
        assert_eq!(
            hit.snippet_html,
            "Do not upload &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; or other <mark>malicious</mark> code &amp; payloads."
        );
        assert_eq!(
            hit.snippet_text,
            "Do not upload <script>alert('x')</script> or other [[malicious]] code & payloads."
        );
        assert!(!hit.snippet_html.contains("<script>"));
    }

    #[test]
    fn script_as_a_search_word_is_escaped_too() {
        let t = TestIndex::new();
        let r = t.search("script");
        assert!(
            r.hits[0]
                .snippet_html
                .contains("&lt;<mark>script</mark>&gt;"),
            "{}",
            r.hits[0].snippet_html
        );
    }

    #[test]
    fn long_text_is_cut_around_the_match() {
        let filler = "Lorem ipsum dolor sit amet. ".repeat(30);
        let text = format!("{filler}We may terminate your account without notice. {filler}");
        let t = TestIndex::with_rows(&[row("x/long", 1, 0, &text)]);
        let hit = &t.search("\"without notice\"").hits[0];
        assert!(
            hit.snippet_text.starts_with('…') && hit.snippet_text.ends_with('…'),
            "{}",
            hit.snippet_text
        );
        assert!(
            hit.snippet_text.contains("[[without notice]]"),
            "{}",
            hit.snippet_text
        );
        assert!(hit.snippet_text.chars().count() < 220);
    }
}

mod ordering {
    use super::*;

    #[test]
    fn ties_are_ordered_the_same_whatever_the_segments() {
        // Same rows, added one commit (one segment) at a time in reverse order.
        let mut rows = corpus();
        rows.reverse();
        let dir = ok(TempDir::new());
        let index = ok(SearchIndex::open_or_create(dir.path()));
        let mut batch = ok(index.writer_with_memory(20_000_000));
        for r in &rows {
            ok(batch.add(r));
            ok(batch.commit());
        }
        let single = TestIndex::new();
        for q in [
            "platform:aws",
            "type:acceptable-use-policy",
            "lang:zh",
            "\"open proxy\"",
        ] {
            let opts = SearchOptions {
                all_versions: true,
                ..SearchOptions::default()
            };
            let many = keys(&ok(index.search(q, &opts)));
            assert_eq!(many, keys(&single.search_all(q)), "{q}");
        }
        assert_eq!(
            keys(&ok(index.search(
                "type:acceptable-use-policy",
                &SearchOptions {
                    all_versions: true,
                    ..SearchOptions::default()
                }
            ))),
            [
                "aws/aup-ningxia@2#general/0",
                "aws/aup-ningxia@2#general/1",
                "aws/aup-ningxia@1#general/0",
                "aws/aup-ningxia@1#general/1"
            ]
        );
    }
}

mod paging {
    use super::*;

    #[test]
    fn offset_limit_and_total() {
        let t = TestIndex::new();
        let page = |offset, limit| {
            ok(t.index.search(
                "type:acceptable-use-policy",
                &SearchOptions {
                    all_versions: true,
                    limit,
                    offset,
                },
            ))
        };
        let full = page(0, 10);
        assert_eq!(full.total, 4);
        assert_eq!(keys(&page(1, 2)), keys(&full)[1..3]);
        let none = page(0, 0);
        assert_eq!((none.total, none.hits.len()), (4, 0));
        assert!(page(usize::MAX, 5).hits.is_empty());
    }
}

mod errors {
    use super::*;

    #[test]
    fn query_syntax_errors_are_typed() {
        let t = TestIndex::new();
        assert!(matches!(
            query_error(&t, "\"open proxy"),
            QueryError::UnclosedQuote { column: 1 }
        ));
        assert!(matches!(
            query_error(&t, "since:2024-02-30"),
            QueryError::BadDate { .. }
        ));
        assert!(matches!(
            query_error(&t, "until:soon"),
            QueryError::BadDate { .. }
        ));
        assert!(matches!(
            query_error(&t, "colour:red"),
            QueryError::UnknownFilter { .. }
        ));
        assert!(matches!(
            query_error(&t, "label:"),
            QueryError::EmptyFilterValue { .. }
        ));
        assert!(matches!(query_error(&t, ""), QueryError::Empty));
        assert!(matches!(
            query_error(&t, "— …"),
            QueryError::NothingSearchable(_)
        ));
        assert!(matches!(
            query_error(&t, "since:2026 until:2025"),
            QueryError::EmptyDateRange { .. }
        ));
        let e = SearchError::from(query_error(&t, "\"x"));
        assert!(e.is_user_error());
        assert_eq!(
            e.to_string(),
            "invalid query: unclosed quote starting at column 1: add the closing \""
        );
    }

    #[test]
    fn odd_input_never_panics() {
        let t = TestIndex::new();
        for q in [
            "-",
            "--",
            "\"\"",
            ":",
            "a:b:c",
            "platform:\"\"",
            "“",
            "-\"x\"",
            "\u{0}",
            "数据\"",
            "x:",
            "-platform:aws",
        ] {
            let _ = t.index.search(q, &SearchOptions::default());
        }
    }
}
