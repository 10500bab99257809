//! Successive versions of a document, content decoding and charsets.

use std::io::Write;

use axum::Router;
use axum::http::header;
use axum::routing::get;
use cw_fetch::PageVerdict;

use crate::harness::{Counter, Origin, config, fetched, fetcher, get as fetch, terms_page};

#[tokio::test]
async fn successive_versions_are_fetched() {
    let version = Counter::default();
    let v = version.clone();
    let origin = Origin::start(Router::new().route(
        "/terms",
        get(move || {
            let v = v.clone();
            async move {
                (
                    [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                    terms_page(&v.get().to_string()),
                )
            }
        }),
    ))
    .await;
    let fetcher = fetcher(config());
    let mut bodies = Vec::new();
    for _ in 0..3 {
        let page = fetched(fetch(&fetcher, origin.url("/terms")).await);
        assert_eq!(page.status, 200);
        assert_eq!(page.final_url, origin.url("/terms"));
        assert_eq!(page.verdict, PageVerdict::Content);
        assert!(!page.via_browser);
        assert_eq!(page.attempts, 1);
        assert_eq!(page.meta.charset.as_deref(), Some("utf-8"));
        bodies.push(String::from_utf8(page.body).unwrap());
        version.bump();
    }
    assert!(bodies[0].contains("Version 0."));
    assert!(bodies[1].contains("Version 1."));
    assert!(bodies[2].contains("Version 2."));
}

fn encode(coding: &str, data: &[u8]) -> Vec<u8> {
    match coding {
        "gzip" => {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            gz.write_all(data).unwrap();
            gz.finish().unwrap()
        }
        "deflate" => {
            let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
            z.write_all(data).unwrap();
            z.finish().unwrap()
        }
        "br" => {
            let mut out = Vec::new();
            let mut br = brotli::CompressorWriter::new(&mut out, 4096, 5, 22);
            br.write_all(data).unwrap();
            drop(br);
            out
        }
        "zstd" => zstd::encode_all(data, 3).unwrap(),
        other => panic!("unknown coding {other}"),
    }
}

#[tokio::test]
async fn compressed_bodies_are_decoded() {
    let page = terms_page("compressed");
    let mut router = Router::new();
    for coding in ["gzip", "deflate", "br", "zstd"] {
        let encoded = encode(coding, page.as_bytes());
        assert_ne!(encoded, page.as_bytes());
        router = router.route(
            &format!("/{coding}"),
            get(move || {
                let encoded = encoded.clone();
                async move {
                    (
                        [
                            (header::CONTENT_TYPE, "text/html"),
                            (header::CONTENT_ENCODING, coding),
                        ],
                        encoded,
                    )
                }
            }),
        );
    }
    let origin = Origin::start(router).await;
    let fetcher = fetcher(config());
    for coding in ["gzip", "deflate", "br", "zstd"] {
        let got = fetched(fetch(&fetcher, origin.url(&format!("/{coding}"))).await);
        assert_eq!(got.body, page.as_bytes(), "{coding}");
    }
}

#[tokio::test]
async fn legacy_charset_is_recorded_and_bytes_kept() {
    let text = format!(
        "<html><head><title>服务条款</title></head><body>{}</body></html>",
        "<p>用户不得利用本服务从事任何违法活动，包括但不限于发送垃圾邮件。</p>".repeat(10)
    );
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(&text);
    assert!(!unmappable);
    let served = gbk.to_vec();
    let origin = Origin::start(Router::new().route(
        "/zh",
        get(move || {
            let served = served.clone();
            async move { ([(header::CONTENT_TYPE, "text/html; charset=GBK")], served) }
        }),
    ))
    .await;
    let page = fetched(fetch(&fetcher(config()), origin.url("/zh")).await);
    assert_eq!(page.meta.charset.as_deref(), Some("gbk"));
    assert_eq!(
        page.meta.content_type.as_deref(),
        Some("text/html; charset=GBK")
    );
    assert_eq!(page.body, gbk.as_ref(), "raw bytes are archived as sent");
    assert_eq!(page.verdict, PageVerdict::Content);
}
