//! Bad input: each gets one clear error line and exit status 1 (or a result
//! with warnings), never a panic, never a partial record in the store.

use crate::util::Dir;

fn assert_no_documents(dir: &Dir) {
    if dir.home().join("clausewatch.db").exists() {
        let docs = dir.json(&["documents", "--format", "json"]);
        assert_eq!(docs, serde_json::json!([]), "a failed import left a record");
    }
}

fn extract_and_import_fail(dir: &Dir, file: &str) -> String {
    let e = dir.fails(&["extract", file, "--format", "json"]);
    dir.fails(&["import", file, "--platform", "x", "--document", "y"]);
    assert_no_documents(dir);
    e
}

#[test]
fn empty_file() {
    let dir = Dir::new();
    dir.write("empty.txt", b"");
    let e = extract_and_import_fail(&dir, "empty.txt");
    assert!(e.contains("empty"), "{e}");
}

#[test]
fn random_bytes() {
    let dir = Dir::new();
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let bytes: Vec<u8> = (0..4096)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect();
    dir.write("random.bin", &bytes);
    let e = extract_and_import_fail(&dir, "random.bin");
    assert!(e.contains("binary"), "{e}");
}

#[test]
fn png_image() {
    let dir = Dir::new();
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend(std::iter::repeat_n(0u8, 200));
    dir.write("policy.txt", &png);
    let e = extract_and_import_fail(&dir, "policy.txt");
    assert!(e.contains("PNG"), "{e}");
}

#[test]
fn invalid_utf8_is_read_with_a_warning_not_an_error() {
    let dir = Dir::new();
    let mut text = b"Terms of Service\n\nLast updated: May 1, 2024\n\nYou may not use the service for fraud.\n\nWe may suspend accounts that break these terms \xff\xfe at any time.\n".to_vec();
    text.extend(b"\nCaf\xe9 customers must be 18 or older.\n");
    dir.write("latin.txt", &text);
    let doc = dir.json(&["extract", "latin.txt", "--format", "json"]);
    let provisions = doc["provisions"].as_array().unwrap();
    assert!(
        provisions
            .iter()
            .any(|p| p["text"].as_str().unwrap().contains("fraud"))
    );
}

#[test]
fn file_of_200_mb() {
    let dir = Dir::new();
    let f = std::fs::File::create(dir.path().join("huge.txt")).unwrap();
    f.set_len(200 * 1024 * 1024).unwrap();
    let e = extract_and_import_fail(&dir, "huge.txt");
    assert!(e.contains("limit"), "{e}");
}

#[test]
fn path_that_does_not_exist() {
    let dir = Dir::new();
    let e = dir.fails(&["extract", "nope.txt"]);
    assert!(e.contains("nope.txt"), "{e}");
    dir.fails(&["import", "nope.txt", "--platform", "x", "--document", "y"]);
    assert_no_documents(&dir);
}

#[test]
fn read_only_commands_do_not_create_a_home() {
    let dir = Dir::new();
    let e = dir.fails(&["versions", "aws/aup"]);
    assert!(e.contains("no clausewatch home"), "{e}");
    assert!(!dir.home().exists());
}

#[test]
fn usage_errors_exit_2() {
    let dir = Dir::new();
    let out = dir.cmd().args(["extract"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = dir
        .cmd()
        .args([
            "import",
            "a.txt",
            "--platform",
            "Bad Slug",
            "--document",
            "x",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}
