//! Issue #18: every headless Chromium clausewatch starts — the fetch
//! fallback, PDF printing and a WebDriver session (as the UI tests use) —
//! reaches only the page it was sent to.
//!
//! The test re-runs itself inside a network namespace it creates
//! (`unshare -rn`, loopback up), so nothing can leave the machine whatever
//! happens, and every Chromium writes its net log (`--log-net-log`). It
//! asserts on those logs that no host other than the page's loopback
//! address was resolved, queried in DNS or connected to, that the only
//! requests to other hosts Chromium even started went to the reserved
//! `.invalid` name its updater is redirected to, and that the page's own
//! WebSocket and WebRTC attempts never reached the origin. Where no
//! namespace can be created it says so loudly and asserts on the net logs
//! alone.

use crate::util::Dir;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Set inside the namespace: run the body instead of re-running.
const INNER: &str = "CLAUSEWATCH_TEST_IN_NETNS";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

#[test]
fn browser_reaches_only_the_page_it_was_sent_to() {
    if std::env::var_os(INNER).is_none() {
        match rerun_in_network_namespace(
            "browser_isolation::browser_reaches_only_the_page_it_was_sent_to",
        ) {
            Some(status) => {
                assert!(
                    status.success(),
                    "the test failed inside its network namespace (see above)"
                );
                return;
            }
            None => eprintln!(
                "\n*** WARNING: cannot create a network namespace here (`unshare -rn` with `ip`): \
                 the browser isolation test asserts on Chromium's net logs alone ***\n"
            ),
        }
    }
    isolation_body();
}

/// Runs this one test again inside a new user + network namespace with
/// loopback up; `None` when no namespace can be made here.
fn rerun_in_network_namespace(test: &str) -> Option<std::process::ExitStatus> {
    let probe = Command::new("unshare")
        .args(["-rn", "sh", "-c", "ip link set lo up"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if !probe.is_ok_and(|s| s.success()) {
        return None;
    }
    let exe = std::env::current_exe().unwrap();
    let status = Command::new("unshare")
        .args(["-rn", "sh", "-c", "ip link set lo up && exec \"$0\" \"$@\""])
        .arg(exe)
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(INNER, "1")
        .status()
        .unwrap();
    Some(status)
}

fn isolation_body() {
    assert!(
        Path::new("/usr/bin/chromium").exists() && Path::new(CHROMEDRIVER).exists(),
        "Debian's chromium and chromium-driver are required (scripts/test.sh installs them)"
    );
    let dir = Dir::new();
    let logs = dir.path().join("netlogs");
    std::fs::create_dir_all(&logs).unwrap();
    let origin = Origin::start();
    let base = format!("http://127.0.0.1:{}", origin.port);

    // 1. The fetch fallback: an empty JavaScript shell makes `watch` retry in
    //    the browser, which renders the text the script writes.
    let run = |args: &[&str]| {
        let out = dir
            .cmd()
            .env(cw_chromium::NET_LOG_DIR_ENV, &logs)
            .args(args)
            .timeout(Duration::from_secs(180))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "clausewatch {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let shell = format!("{base}/shell.html");
    run(&[
        "track",
        &shell,
        "--platform",
        "isolated",
        "--document",
        "aup",
        "--allow-private",
        "--language",
        "en",
    ]);
    run(&["watch", "--once", "--all", "--allow-private"]);
    let shown = run(&["show", "isolated/aup"]);
    assert!(
        shown.contains("rendered by the page's own script"),
        "the browser fallback rendered the page: {shown}"
    );
    let fetch_logs = log_files(&logs);
    assert_eq!(
        fetch_logs.len(),
        1,
        "one browser for the fallback: {fetch_logs:?}"
    );

    // 2. PDF printing of a report.
    let policy = dir.write(
        "policy.txt",
        "Acceptable Use Policy\n\n1. No abuse\n\nYou may not use the service to harm others.\n",
    );
    run(&[
        "import",
        policy.to_str().unwrap(),
        "--platform",
        "isolated",
        "--document",
        "printed",
    ]);
    let pdf = dir.path().join("report.pdf");
    run(&[
        "report",
        "isolated/printed",
        "--format",
        "pdf",
        "--output",
        pdf.to_str().unwrap(),
    ]);
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF"));

    // 3. A WebDriver session through chromedriver, launched as the UI tests
    //    launch it.
    let webdriver_log = logs.join("webdriver.json");
    webdriver_session(&format!("{base}/page.html"), &webdriver_log);
    assert!(
        webdriver_log.is_file(),
        "chromedriver's Chromium wrote its net log"
    );

    // Every net log: nothing but the page's loopback origin.
    let files = log_files(&logs);
    assert!(files.len() >= 3, "fetch, PDF and WebDriver logs: {files:?}");
    for file in &files {
        let summary = cw_chromium::netlog::read(file).unwrap();
        assert!(summary.events > 0, "{}: empty net log", file.display());
        let contacts = summary.foreign_contacts(&["127.0.0.1"]);
        assert!(contacts.is_empty(), "{}: {contacts:?}", file.display());
        let requests: Vec<String> = summary
            .foreign_requests(&["127.0.0.1"])
            .into_iter()
            .filter(|url| !url.contains(cw_chromium::nowhere_host()))
            .collect();
        assert!(
            requests.is_empty(),
            "{}: requests to other hosts {requests:?}",
            file.display()
        );
    }
    // The fallback's page tried a WebSocket back to its own origin: refused
    // inside the browser, so the origin never saw it.
    let seen = origin.paths();
    assert!(seen.iter().any(|p| p == "/shell.html"), "{seen:?}");
    assert!(
        !seen.iter().any(|p| p.starts_with("/ws")),
        "a WebSocket got out: {seen:?}"
    );
}

fn log_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

/// The JavaScript shell: no text until its script runs; the script also
/// tries every kind of traffic the browser must not send.
fn shell_page(port: u16) -> String {
    format!(
        r#"<!doctype html><html><head><title>Loading</title>
<link rel="preconnect" href="https://preconnect.example">
<link rel="dns-prefetch" href="//prefetch.example">
<link rel="stylesheet" href="https://cdn.example/site.css">
</head><body><div id="app"></div>
<script>
document.getElementById('app').innerHTML =
  '<h1>Acceptable Use Policy</h1>' +
  '<h2>1. Prohibited uses</h2><p>This text was rendered by the page\'s own script. You may not use the service to ' +
  'send spam, to attack other networks, or to distribute malware. We may suspend accounts that break these rules.</p>' +
  '<h2>2. Reporting</h2><p>Report abuse to our team; we review every report within two business days and tell you the outcome.</p>';
new Image().src = 'http://img.example/pixel.png';
fetch('https://api.example/track').catch(() => {{}});
try {{ new WebSocket('ws://127.0.0.1:{port}/ws'); }} catch (e) {{}}
try {{ const pc = new RTCPeerConnection({{ iceServers: [{{ urls: 'stun:stun.example:3478' }}] }});
      pc.createDataChannel('x'); pc.createOffer().then(o => pc.setLocalDescription(o)); }} catch (e) {{}}
</script></body></html>"#
    )
}

/// A loopback origin on a thread: `/shell.html`, `/page.html`, 404
/// otherwise; it records every request path.
struct Origin {
    port: u16,
    paths: Arc<Mutex<Vec<String>>>,
}

impl Origin {
    fn start() -> Origin {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let paths = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&paths);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let seen = Arc::clone(&seen);
                std::thread::spawn(move || serve(stream, port, &seen));
            }
        });
        Origin { port, paths }
    }

    fn paths(&self) -> Vec<String> {
        self.paths.lock().unwrap().clone()
    }
}

fn serve(stream: TcpStream, port: u16, seen: &Mutex<Vec<String>>) {
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    loop {
        let mut header = String::new();
        match reader.read_line(&mut header) {
            Ok(0) | Err(_) => break,
            Ok(_) if header == "\r\n" || header == "\n" => break,
            Ok(_) => {}
        }
    }
    let path = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .to_owned();
    seen.lock().unwrap().push(path.clone());
    let (status, body) = match path.as_str() {
        "/shell.html" => ("200 OK", shell_page(port)),
        "/page.html" => (
            "200 OK",
            "<!doctype html><title>Isolation</title><p>A page for a WebDriver session.</p>"
                .to_owned(),
        ),
        _ => ("404 Not Found", "not found".to_owned()),
    };
    let mut stream = reader.into_inner();
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

/// Opens a WebDriver session on chromedriver with the launcher's switches,
/// loads `url`, reads the title and ends the session.
fn webdriver_session(url: &str, net_log: &Path) {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut driver = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not listen");
        std::thread::sleep(Duration::from_millis(50));
    }
    let profile = tempfile::tempdir().unwrap();
    cw_chromium::prepare_profile(profile.path()).unwrap();
    let launch = cw_chromium::Launch::new(
        cw_chromium::default_executable(),
        cw_chromium::Reach::only_address("127.0.0.1"),
    )
    .unwrap()
    .net_log(net_log);
    let session = http_json(
        port,
        "POST",
        "/session",
        &serde_json::json!({ "capabilities": { "alwaysMatch": { "goog:chromeOptions": {
            "binary": launch.executable(),
            "args": launch.args(profile.path()),
        }}}}),
    );
    let id = session["value"]["sessionId"]
        .as_str()
        .unwrap_or_else(|| panic!("no WebDriver session: {session}"))
        .to_owned();
    http_json(
        port,
        "POST",
        &format!("/session/{id}/url"),
        &serde_json::json!({ "url": url }),
    );
    let title = http_json(
        port,
        "GET",
        &format!("/session/{id}/title"),
        &serde_json::Value::Null,
    );
    assert_eq!(title["value"], "Isolation");
    http_json(
        port,
        "DELETE",
        &format!("/session/{id}"),
        &serde_json::Value::Null,
    );
    let _ = driver.kill();
    let _ = driver.wait();
}

/// One WebDriver call over plain HTTP/1.1. chromedriver may keep the
/// connection open, so the body is read by its length (or its chunks), not
/// to the end of the stream.
fn http_json(port: u16, method: &str, path: &str, body: &serde_json::Value) -> serde_json::Value {
    let body = if body.is_null() {
        String::new()
    } else {
        body.to_string()
    };
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(120)))
        .unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut reader = BufReader::new(stream);
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap() == 0 || line == "\r\n" {
            break;
        }
        head.push_str(&line);
    }
    let lower = head.to_ascii_lowercase();
    let payload = if lower.contains("transfer-encoding: chunked") {
        let mut out = Vec::new();
        loop {
            let mut size = String::new();
            reader.read_line(&mut size).unwrap();
            let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
            if n == 0 {
                break;
            }
            let mut chunk = vec![0; n + 2];
            reader.read_exact(&mut chunk).unwrap();
            out.extend_from_slice(&chunk[..n]);
        }
        out
    } else {
        let length = lower
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse::<usize>().ok())
            .unwrap_or(0);
        let mut out = vec![0; length];
        reader.read_exact(&mut out).unwrap();
        out
    };
    serde_json::from_slice(&payload).unwrap_or_else(|e| {
        panic!(
            "{method} {path}: {e}: {head}{}",
            String::from_utf8_lossy(&payload)
        )
    })
}
