//! `clausewatch token create` and `clausewatch serve`: a token printed once
//! opens the API; without it the API answers 401; SIGTERM stops the server
//! gracefully.

use crate::util::Dir;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

fn http_get(addr: &str, path: &str, token: Option<&str>) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

#[test]
fn token_opens_the_api_and_sigterm_stops_the_server() {
    let dir = Dir::new();
    dir.ok(&["demo", "--seeds", "no-such-folder", "--no-serve"]);
    let token = dir.ok(&["token", "create", "--role", "viewer", "--name", "test"]);
    let token = token.trim();
    assert!(token.starts_with("cwt_") && token.len() == 68, "{token}");
    let list = dir.ok(&["token", "list"]);
    assert!(list.contains("viewer") && !list.contains(token), "{list}");

    let mut child = Command::new(assert_cmd::cargo::cargo_bin("clausewatch"))
        .args(["serve", "--addr", "127.0.0.1:0"])
        .env("CLAUSEWATCH_HOME", dir.home())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let addr = first
        .split("http://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap_or_else(|| panic!("no URL in {first:?}"))
        .to_string();

    let denied = http_get(&addr, "/api/documents", None);
    assert!(denied.starts_with("HTTP/1.1 401"), "{denied}");
    let ok = http_get(&addr, "/api/documents", Some(token));
    assert!(
        ok.starts_with("HTTP/1.1 200") && ok.contains("example-cloud/aup"),
        "{ok}"
    );

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(rest.iter().any(|l| l == "Stopped."), "{rest:?}");
}
