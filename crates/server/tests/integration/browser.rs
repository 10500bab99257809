//! The web UI in a real headless Chromium (Debian's chromium and
//! chromium-driver), driven over WebDriver by fantoccini: the dashboard, a
//! diff (with the layout switch), a provision page, a search, the sources
//! page, signing in as an admin to create a subscription, tracking a URL
//! and pausing, resuming and re-checking it (#22). Screenshots
//! go to `target/ui-screenshots/` as artefacts.

use crate::util::Builder;
use fantoccini::{ClientBuilder, Locator};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

fn screenshots_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/ui-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The analyst's desk (#22) at a laptop's and a phone's width: version
/// pickers and previous/next, the why-it-matters panel, the unchanged
/// provisions loaded on demand, the outline and table of contents, and the
/// provenance with its download link (fetched to check it is an attachment).
async fn desk(
    client: &fantoccini::Client,
    base: &str,
    shots: &std::path::Path,
) -> Result<(), fantoccini::error::CmdError> {
    for (width, height) in [(1366u32, 900u32), (390, 844)] {
        client.set_window_size(width, height).await?;
        client
            .goto(&format!("{base}/d/example-cloud/aup/diff?from=1&to=2"))
            .await?;
        // Pick another pair with the version pickers.
        click(client, Locator::Css("#to option[value='4']")).await?;
        click(client, Locator::Css(".pickers button[type=submit]")).await?;
        // The form's page may still be loading when `click` returns.
        client
            .wait()
            .at_most(Duration::from_secs(5))
            .for_element(Locator::Css("#to option[value='4'][selected]"))
            .await?;
        let url = client.current_url().await?;
        assert!(
            url.as_str()
                .ends_with("/d/example-cloud/aup/diff?from=1&to=4"),
            "{url}"
        );
        let why = client.find(Locator::Id("why-h")).await?.text().await?;
        assert_eq!(why, "Why it matters");
        let prev_next = client.find_all(Locator::Css(".prev-next a")).await?.len();
        assert_eq!(prev_next, 0, "@1 → @4 of four versions has no neighbours");
        // Unchanged provisions load when their fold opens.
        click(client, Locator::Css("details.lazy > summary")).await?;
        client
            .wait()
            .at_most(Duration::from_secs(5))
            .for_element(Locator::Css(".lazy-body[data-loaded] .prov.unchanged"))
            .await?;
        let width_px: f64 = client
            .execute("return document.documentElement.scrollWidth", vec![])
            .await?
            .as_f64()
            .unwrap_or(0.0);
        assert!(
            width_px <= f64::from(width) + 10.0,
            "no horizontal scrolling at {width}: {width_px}"
        );
        std::fs::write(
            shots.join(format!("desk-diff-{width}.png")),
            client.screenshot().await?,
        )
        .unwrap();

        // A version: outline, contents, provenance and its download.
        client
            .goto(&format!("{base}/d/example-cloud/aup/v/2"))
            .await?;
        let headings = client
            .find_all(Locator::Css(".doc-text h2[id^='h-']"))
            .await?;
        assert!(!headings.is_empty(), "the outline's headings");
        click(client, Locator::Css("#provenance > summary")).await?;
        let raw = client
            .find(Locator::Css("#provenance a.raw"))
            .await?
            .attr("href")
            .await?
            .unwrap_or_default();
        assert!(raw.contains("/raw/"), "{raw}");
        let disposition = client
            .execute_async(
                "const done = arguments[arguments.length - 1]; fetch(arguments[0]).then(r => done(r.headers.get('content-disposition') + ' | ' + r.headers.get('content-security-policy')));",
                vec![serde_json::json!(raw)],
            )
            .await?;
        let disposition = disposition.as_str().unwrap_or_default().to_string();
        assert!(
            disposition.starts_with("attachment;") && disposition.contains("sandbox"),
            "{disposition}"
        );
        std::fs::write(
            shots.join(format!("desk-version-{width}.png")),
            client.screenshot().await?,
        )
        .unwrap();
    }
    client.set_window_size(1200, 900).await?;
    Ok(())
}

/// Watching from the UI (#22), signed in as an admin: track a URL through
/// the form on /sources, see it listed, pause and resume it on its page,
/// re-check it now, and follow "subscribe" to a filled-in subscription
/// form; at a laptop's and a phone's width.
async fn watching(
    client: &fantoccini::Client,
    base: &str,
    shots: &std::path::Path,
) -> Result<(), fantoccini::error::CmdError> {
    client.set_window_size(1366, 900).await?;
    client.goto(&format!("{base}/sources")).await?;
    let form = client.find(Locator::Css("form.track-form")).await?;
    form.find(Locator::Id("url"))
        .await?
        .send_keys("https://acme.example/legal/terms")
        .await?;
    form.find(Locator::Id("platform"))
        .await?
        .send_keys("acme")
        .await?;
    form.find(Locator::Id("document"))
        .await?
        .send_keys("terms")
        .await?;
    let every = form.find(Locator::Id("every")).await?;
    every.clear().await?;
    every.send_keys("12h").await?;
    click(client, Locator::Css("input[name=browser][value=never]")).await?;
    click(client, Locator::Css("form.track-form button[type=submit]")).await?;
    let notice = notice(client).await?;
    assert!(notice.starts_with("Tracking acme/terms"), "{notice}");
    let row = client
        .find(Locator::XPath(
            "//table[contains(@class,'sources')]//tr[.//a[@href='/sources/acme/terms']]",
        ))
        .await?
        .text()
        .await?;
    assert!(
        row.contains("every 12 h") && row.contains("not fetched yet"),
        "{row}"
    );
    std::fs::write(
        shots.join("watch-sources-1366.png"),
        client.screenshot().await?,
    )
    .unwrap();
    shoot_form(client, &shots.join("watch-form-1366.png")).await?;

    // The source's page: pause, resume, re-check.
    click(client, Locator::Css("a[href='/sources/acme/terms']")).await?;
    // Each button reloads the page; wait for the notice it leads to (the
    // page before may show another notice).
    let step = |button: &'static str, said: &'static str| async move {
        click(client, Locator::Css(button)).await?;
        let at = format!("//p[@role='status'][contains(., '{said}')]");
        if client
            .wait()
            .at_most(Duration::from_secs(5))
            .for_element(Locator::XPath(&at))
            .await
            .is_err()
        {
            let html = client.source().await?;
            panic!("{button}: no notice saying {said:?}\n{html}");
        }
        Ok::<(), fantoccini::error::CmdError>(())
    };
    step("form[action$='/pause'] button", "paused:").await?;
    let due = client
        .find(Locator::XPath(
            "//dt[.='Next due']/following-sibling::dd[1]",
        ))
        .await?
        .text()
        .await?;
    assert!(due.starts_with("paused"), "{due}");
    step("form[action$='/resume'] button", "resumed").await?;
    step("form[action$='/recheck'] button", "at its next look").await?;
    std::fs::write(
        shots.join("watch-source-1366.png"),
        client.screenshot().await?,
    )
    .unwrap();
    click(client, Locator::Css("a.button-link")).await?;
    let documents = client
        .wait()
        .at_most(Duration::from_secs(5))
        .for_element(Locator::Id("documents"))
        .await?
        .prop("value")
        .await?
        .unwrap_or_default();
    assert_eq!(documents, "acme/terms");

    // A phone: the list, the form and a source's page fit the width.
    client.set_window_size(390, 844).await?;
    for (path, name) in [
        ("/sources", "watch-sources-390.png"),
        ("/sources/acme/terms", "watch-source-390.png"),
    ] {
        client.goto(&format!("{base}{path}")).await?;
        let width: f64 = client
            .execute("return document.documentElement.scrollWidth", vec![])
            .await?
            .as_f64()
            .unwrap_or(0.0);
        assert!(width <= 400.0, "{path}: no horizontal scrolling: {width}");
        std::fs::write(shots.join(name), client.screenshot().await?).unwrap();
    }
    client.goto(&format!("{base}/sources")).await?;
    shoot_form(client, &shots.join("watch-form-390.png")).await?;
    client.set_window_size(1200, 900).await?;
    Ok(())
}

/// The text of the page's status notice, once the page that has one is there.
async fn notice(client: &fantoccini::Client) -> Result<String, fantoccini::error::CmdError> {
    client
        .wait()
        .at_most(Duration::from_secs(5))
        .for_element(Locator::Css(".notice[role=status]"))
        .await?
        .text()
        .await
}

/// A screenshot of the "track a URL" form, scrolled into view.
async fn shoot_form(
    client: &fantoccini::Client,
    to: &std::path::Path,
) -> Result<(), fantoccini::error::CmdError> {
    client
        .execute(
            "document.getElementById('track-h').scrollIntoView()",
            vec![],
        )
        .await?;
    std::fs::write(to, client.screenshot().await?).unwrap();
    Ok(())
}

/// Finds the element at `at` and clicks it.
async fn click(
    client: &fantoccini::Client,
    at: Locator<'_>,
) -> Result<(), fantoccini::error::CmdError> {
    client.find(at).await?.click().await?;
    Ok(())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn wait_for_port(port: u16) {
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not listen on {port}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_work_in_headless_chromium() {
    assert!(
        std::path::Path::new(CHROMIUM).exists() && std::path::Path::new(CHROMEDRIVER).exists(),
        "Debian's chromium and chromium-driver are required (scripts/test.sh installs them)"
    );
    let app = Builder::new().build().await;
    crate::watching::track_sources(&app).await;
    let admin = app
        .engine
        .store()
        .create_token("browser", cw_store::Role::Admin)
        .await
        .unwrap()
        .secret;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let state = cw_server::AppState::new(
        std::sync::Arc::clone(&app.engine),
        cw_server::ServerConfig {
            anonymous_read: true,
        },
    );
    let server = tokio::spawn(cw_server::serve(listener, state, async {
        let _ = stopped.await;
    }));

    let port = free_port();
    let mut driver = tokio::process::Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("starting chromedriver");
    wait_for_port(port).await;

    // The one launcher every Chromium of clausewatch goes through: isolated
    // profile, background services off, only the app's loopback address.
    let profile = tempfile::tempdir().unwrap();
    cw_chromium::prepare_profile(profile.path()).unwrap();
    let launch = cw_chromium::Launch::new(CHROMIUM, cw_chromium::Reach::only_address("127.0.0.1"))
        .unwrap()
        .arg("--window-size=1200,900");
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": launch.executable(),
            "args": launch.args(profile.path()),
        }),
    );
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("a WebDriver session");
    let shots = screenshots_dir();
    let result = async {
        // Dashboard.
        client.goto(&format!("{base}/")).await?;
        let h1 = client.find(Locator::Css("h1")).await?.text().await?;
        assert_eq!(h1, "What changed");
        let cards = client.find_all(Locator::Css(".cards .card")).await?;
        assert!(!cards.is_empty(), "recent changes on the dashboard");
        std::fs::write(shots.join("dashboard.png"), client.screenshot().await?).unwrap();

        // A diff, reached by clicking through; the layout switch works with JS.
        click(&client, Locator::Css(".card a.more")).await?;
        let summary = client.find(Locator::Css("#sum-h")).await?.text().await?;
        assert_eq!(summary, "Summary");
        assert!(client.current_url().await?.as_str().contains("/diff?"));
        std::fs::write(shots.join("diff-side.png"), client.screenshot().await?).unwrap();
        click(&client, Locator::Css(".view-switch a[data-view=inline]")).await?;
        let class = client
            .find(Locator::Id("changes"))
            .await?
            .attr("class")
            .await?
            .unwrap_or_default();
        assert!(class.contains("inline"), "{class}");
        std::fs::write(shots.join("diff-inline.png"), client.screenshot().await?).unwrap();

        // A provision page from the diff.
        client.find(Locator::Css("a.pid")).await?.click().await?;
        let labels = client.find(Locator::Css("#labels-h")).await?.text().await?;
        assert_eq!(labels, "Labels");
        let caveat = client.find(Locator::Css(".caveat")).await?.text().await?;
        assert!(caveat.contains("not a legal determination"), "{caveat}");
        std::fs::write(shots.join("provision.png"), client.screenshot().await?).unwrap();

        // Search through the form.
        client.goto(&format!("{base}/search")).await?;
        let q = client.find(Locator::Id("q")).await?;
        q.send_keys("account").await?;
        click(&client, Locator::Css(".search-form button")).await?;
        // A submitted form's page may still be loading when `click` returns.
        if client
            .wait()
            .at_most(Duration::from_secs(5))
            .for_element(Locator::Css(".result-count"))
            .await
            .is_err()
        {
            let text = client.find(Locator::Css("main")).await?.text().await?;
            panic!("no search results: {}\n{text}", client.current_url().await?);
        }
        let hits = client.find_all(Locator::Css(".results li")).await?;
        assert!(!hits.is_empty(), "search hits");
        std::fs::write(shots.join("search.png"), client.screenshot().await?).unwrap();

        // The document page with its chart; then a phone-sized window.
        client.goto(&format!("{base}/d/example-cloud/aup")).await?;
        let bars = client.find_all(Locator::Css(".chart rect.bar-sub")).await?;
        assert_eq!(bars.len(), 4);
        std::fs::write(shots.join("document.png"), client.screenshot().await?).unwrap();
        client.set_window_size(390, 844).await?;
        client
            .goto(&format!("{base}/d/example-cloud/aup/diff?from=1&to=2"))
            .await?;
        let width: f64 = client
            .execute("return document.documentElement.scrollWidth", vec![])
            .await?
            .as_f64()
            .unwrap_or(0.0);
        assert!(
            width <= 400.0,
            "no horizontal scrolling on a phone: {width}"
        );
        std::fs::write(shots.join("diff-phone.png"), client.screenshot().await?).unwrap();
        client.set_window_size(1200, 900).await?;

        // Sources with their fetch states, reached from the navigation.
        click(&client, Locator::Css("nav a[href='/sources']")).await?;
        let problem = client
            .find(Locator::Css("table.sources .state.problem"))
            .await?
            .text()
            .await?;
        assert!(problem.contains("blocked by a bot wall"), "{problem}");
        std::fs::write(shots.join("sources.png"), client.screenshot().await?).unwrap();

        // Sign in as an admin, then create a subscription through the form.
        client
            .goto(&format!("{base}/login?next=/subscriptions"))
            .await?;
        client
            .find(Locator::Id("token"))
            .await?
            .send_keys(&admin)
            .await?;
        click(&client, Locator::Css("form.login button")).await?;
        // Signed in and sent on to the subscriptions page, which now has the form.
        if client
            .wait()
            .at_most(Duration::from_secs(5))
            .for_element(Locator::Css(".sub-form"))
            .await
            .is_err()
        {
            let url = client.current_url().await?;
            let html = client.source().await?;
            panic!("no subscription form after signing in: {url}\n{html}");
        }
        let url = client.current_url().await?;
        assert!(url.as_str().ends_with("/subscriptions"), "{url}");
        click(&client, Locator::Css("input[name=channel][value=webhook]")).await?;
        client
            .find(Locator::Id("webhook"))
            .await?
            .send_keys("https://hooks.example.com/clausewatch")
            .await?;
        client
            .find(Locator::Id("secret"))
            .await?
            .send_keys(crate::watching::SECRET)
            .await?;
        client
            .find(Locator::Id("platforms"))
            .await?
            .send_keys("example-cloud")
            .await?;
        click(&client, Locator::Css("input[name=substantive_only]")).await?;
        click(&client, Locator::Css(".sub-form button[type=submit]")).await?;
        let notice = notice(&client).await?;
        assert_eq!(notice, "Subscription sub-1 created.");
        let row = client
            .find(Locator::Css("table.subscriptions tbody tr"))
            .await?
            .text()
            .await?;
        assert!(
            row.contains("https://hooks.example.com/clausewatch")
                && row.contains("platform example-cloud, substantive only"),
            "{row}"
        );
        let html = client.source().await?;
        assert!(!html.contains(crate::watching::SECRET), "secret shown back");
        std::fs::write(shots.join("subscriptions.png"), client.screenshot().await?).unwrap();
        watching(&client, &base, &shots).await?;
        desk(&client, &base, &shots).await?;
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    let _ = client.close().await;
    let _ = driver.kill().await;
    let _ = stop.send(());
    server.await.unwrap().unwrap();
    result.unwrap();
}
