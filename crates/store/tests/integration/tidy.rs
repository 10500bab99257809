//! House rules checked as tests: every Rust file of this crate opens with a
//! `//!` paragraph saying what it is for, and every migration opens with a
//! comment giving its reasoning.

use std::fs;
use std::path::{Path, PathBuf};

fn files(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, ext, out);
        } else if path.extension().is_some_and(|e| e == ext) {
            out.push(path);
        }
    }
}

#[test]
fn every_rust_file_opens_with_a_purpose_paragraph() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = vec![root.join("build.rs")];
    files(&root.join("src"), "rs", &mut paths);
    files(&root.join("tests"), "rs", &mut paths);
    let missing: Vec<String> = paths
        .iter()
        .filter(|p| !fs::read_to_string(p).unwrap().starts_with("//! "))
        .map(|p| p.strip_prefix(root).unwrap().display().to_string())
        .collect();
    assert!(
        missing.is_empty(),
        "files without a `//!` purpose paragraph: {missing:?}"
    );
}

#[test]
fn every_migration_is_numbered_and_explains_itself() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut paths = Vec::new();
    files(&root, "sql", &mut paths);
    assert!(!paths.is_empty());
    for path in paths {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let (number, _) = name.split_once('_').unwrap();
        assert!(
            number.len() == 4 && number.bytes().all(|b| b.is_ascii_digit()),
            "{name}"
        );
        let text = fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with(&format!("-- {}:", name.trim_end_matches(".sql"))),
            "{name}"
        );
    }
}
