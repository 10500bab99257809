//! Body limits: truncated bodies, oversize bodies, decompression bombs.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::header;
use axum::routing::get;
use cw_fetch::{FetchFailure, defaults};
use flate2::Compression;
use flate2::write::DeflateEncoder;

use crate::harness::{Origin, config, failed, fetcher, get as fetch};

#[tokio::test]
async fn body_shorter_than_content_length_is_truncated() {
    let mut response =
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 1000\r\n\r\n".to_vec();
    response.extend_from_slice(&[b'a'; 100]);
    let origin = Origin::raw(response).await;
    let mut cfg = config();
    cfg.retries = 1;
    assert_eq!(
        failed(fetch(&fetcher(cfg), origin.url("/")).await),
        FetchFailure::Truncated
    );
}

#[tokio::test]
async fn chunked_body_cut_midway_is_truncated() {
    let response =
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n\
                     400\r\n<html><body>only the start"
            .to_vec();
    let origin = Origin::raw(response).await;
    let mut cfg = config();
    cfg.retries = 0;
    assert_eq!(
        failed(fetch(&fetcher(cfg), origin.url("/")).await),
        FetchFailure::Truncated
    );
}

#[tokio::test]
async fn declared_oversize_body_is_refused() {
    let origin =
        Origin::start(Router::new().route("/big", get(|| async { vec![b'x'; 256 * 1024] }))).await;
    let mut cfg = config();
    cfg.max_body_bytes = 64 * 1024;
    assert_eq!(
        failed(fetch(&fetcher(cfg), origin.url("/big")).await),
        FetchFailure::TooLarge { limit: 64 * 1024 }
    );
}

/// A single-member gzip stream of `chunks` MiB of zeros, built from one
/// compressed MiB repeated (about 1 KiB each), with a correct trailer.
fn gzip_bomb(chunks: u32) -> Vec<u8> {
    const MIB: usize = 1 << 20;
    let zeros = vec![0u8; MIB];
    let mut encoder = DeflateEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(&zeros).unwrap();
    encoder.flush().unwrap(); // sync flush: non-final, byte-aligned blocks
    let block = encoder.get_ref().clone();
    let all = encoder.finish().unwrap();
    let final_block = &all[block.len()..];

    let mut crc_mib = crc32fast::Hasher::new();
    crc_mib.update(&zeros);
    let mut crc = crc32fast::Hasher::new();
    for _ in 0..chunks {
        crc.combine(&crc_mib);
    }
    let total = u64::from(chunks) * MIB as u64;

    let mut bomb = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 0xff];
    for _ in 0..chunks {
        bomb.extend_from_slice(&block);
    }
    bomb.extend_from_slice(final_block);
    bomb.extend_from_slice(&crc.finalize().to_le_bytes());
    bomb.extend_from_slice(&(total as u32).to_le_bytes());
    bomb
}

#[test]
fn gzip_bomb_builder_makes_valid_gzip() {
    let small = gzip_bomb(3);
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(&small[..])
        .read_to_end(&mut out)
        .unwrap();
    assert_eq!(out.len(), 3 << 20);
    assert!(out.iter().all(|b| *b == 0));
}

#[tokio::test]
async fn gzip_bomb_is_too_large() {
    let bomb = gzip_bomb(1024); // 1 GiB of zeros
    assert!(bomb.len() < 2 << 20, "compressed to {} bytes", bomb.len());
    let origin = Origin::start(Router::new().route(
        "/bomb",
        get(move || {
            let bomb = bomb.clone();
            async move {
                (
                    [
                        (header::CONTENT_TYPE, "text/html"),
                        (header::CONTENT_ENCODING, "gzip"),
                    ],
                    bomb,
                )
            }
        }),
    ))
    .await;
    let cfg = config();
    assert_eq!(cfg.max_body_bytes, defaults::max_body_bytes());
    let started = Instant::now();
    assert_eq!(
        failed(fetch(&fetcher(cfg), origin.url("/bomb")).await),
        FetchFailure::TooLarge {
            limit: 20 * 1024 * 1024
        }
    );
    // Stopping at the cap means decoding ~20 MiB, not 1 GiB.
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[tokio::test]
async fn corrupt_and_cut_compressed_bodies() {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), Compression::default());
    gz.write_all(crate::harness::terms_page("1").as_bytes())
        .unwrap();
    let whole = gz.finish().unwrap();
    let cut = whole[..whole.len() / 2].to_vec();
    let serve = |body: Vec<u8>| {
        get(move || {
            let body = body.clone();
            async move {
                (
                    [
                        (header::CONTENT_TYPE, "text/html"),
                        (header::CONTENT_ENCODING, "gzip"),
                    ],
                    body,
                )
            }
        })
    };
    let origin = Origin::start(
        Router::new()
            .route("/garbage", serve(b"this is not gzip at all".to_vec()))
            .route("/cut", serve(cut)),
    )
    .await;
    let mut cfg = config();
    cfg.retries = 0;
    let fetcher = fetcher(cfg);
    match failed(fetch(&fetcher, origin.url("/garbage")).await) {
        FetchFailure::Decode(_) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(
        failed(fetch(&fetcher, origin.url("/cut")).await),
        FetchFailure::Truncated
    );
}
