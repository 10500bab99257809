//! Page classification: is a fetched body the document, or a fetch state?
//!
//! Bot walls, captcha pages, login walls, soft 404s, error pages and
//! near-empty JavaScript shells arrive with status 200 often enough that
//! treating every 2xx body as a new version of the terms causes false
//! alerts (changedetection.io #908/#712/#35, Open Terms Archive #319).
//! [`classify_page`] looks at the raw bytes with cheap, explainable
//! heuristics and returns a [`PageVerdict`] whose `signal` names the
//! evidence, so the record says why a fetch was not taken as a version.
//!
//! The rules are ordered from most to least specific. Every marker except
//! the soft-404 title check only counts on a *short* page (little visible
//! text): real policy pages are long, and a long page that merely mentions
//! "captcha" or embeds a reCAPTCHA newsletter form is still content.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

/// What a fetched body is, as far as the heuristics can tell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
#[non_exhaustive]
pub enum PageVerdict {
    /// Looks like a real document.
    Content,
    /// An anti-bot interstitial (Cloudflare, Akamai, Imperva, DataDome, …).
    BotWall {
        /// The evidence, for the record.
        signal: String,
    },
    /// A captcha challenge page.
    Captcha {
        /// The evidence, for the record.
        signal: String,
    },
    /// A sign-in page standing in for the document.
    LoginWall {
        /// The evidence, for the record.
        signal: String,
    },
    /// A "page not found" page served with a success status.
    SoftNotFound {
        /// The evidence, for the record.
        signal: String,
    },
    /// A server error page, or any body served with a 4xx/5xx status.
    ErrorPage {
        /// The evidence, for the record.
        signal: String,
    },
    /// (Almost) no visible text: an empty body, or a JavaScript shell that
    /// needs a browser to render.
    Empty {
        /// Characters of visible text found.
        text_chars: usize,
    },
}

impl PageVerdict {
    /// `true` for [`PageVerdict::Content`].
    pub fn is_content(&self) -> bool {
        matches!(self, Self::Content)
    }

    /// A stable snake_case code for records: `content`, `bot_wall`,
    /// `captcha`, `login_wall`, `soft_not_found`, `error_page`, `empty`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Content => "content",
            Self::BotWall { .. } => "bot_wall",
            Self::Captcha { .. } => "captcha",
            Self::LoginWall { .. } => "login_wall",
            Self::SoftNotFound { .. } => "soft_not_found",
            Self::ErrorPage { .. } => "error_page",
            Self::Empty { .. } => "empty",
        }
    }

    /// The evidence string, if the verdict has one.
    pub fn signal(&self) -> Option<&str> {
        match self {
            Self::BotWall { signal }
            | Self::Captcha { signal }
            | Self::LoginWall { signal }
            | Self::SoftNotFound { signal }
            | Self::ErrorPage { signal } => Some(signal),
            Self::Content | Self::Empty { .. } => None,
        }
    }

    /// Whether a headless browser might get the real document where the
    /// plain fetch did not: JavaScript challenges and JavaScript shells.
    pub fn browser_may_help(&self) -> bool {
        matches!(self, Self::BotWall { .. } | Self::Empty { .. })
    }
}

/// Pages with less visible text than this are "short": challenge, captcha
/// and login markers count only on short pages.
const SHORT_PAGE_CHARS: usize = 2_000;
/// Soft-404 titles count on pages shorter than this.
const NOT_FOUND_PAGE_CHARS: usize = 5_000;
/// Pages with less visible text than this are [`PageVerdict::Empty`].
const EMPTY_PAGE_CHARS: usize = 200;
/// Only this much of a body is inspected.
const SCAN_BYTES: usize = 2 * 1024 * 1024;

/// Markers of anti-bot interstitials, searched in the lowercased raw body.
const BOT_WALL_MARKERS: &[&str] = &[
    "cf-challenge",
    "cf_chl_opt",
    "/cdn-cgi/challenge-platform",
    "cf-browser-verification",
    "checking your browser before accessing",
    "checking if the site connection is secure",
    "enable javascript and cookies to continue",
    "please enable javascript and cookies",
    "please enable cookies.",
    "ddos-guard",
    "sucuri website firewall",
    "incapsula incident id",
    "_incapsula_resource",
    "request unsuccessful. incapsula",
    "awswaf",
    "aws-waf-token",
    "/_sec/cp_challenge",
    "pardon our interruption",
];

/// Titles of anti-bot interstitials (lowercased, compared after trimming).
const BOT_WALL_TITLES: &[&str] = &[
    "just a moment...",
    "just a moment…",
    "attention required! | cloudflare",
    "access denied",
    "security check",
    "ddos-guard",
    "one moment, please...",
    "please wait...",
    "pardon our interruption",
    "request rejected",
];

/// Markers of captcha challenges.
const CAPTCHA_MARKERS: &[&str] = &[
    "g-recaptcha",
    "google.com/recaptcha",
    "recaptcha/api.js",
    "hcaptcha.com",
    "h-captcha",
    "cf-turnstile",
    "challenges.cloudflare.com/turnstile",
    "captcha-delivery.com",
    "px-captcha",
    "geetest",
    "are you a robot",
    "verify you are human",
    "not a robot",
    "unusual traffic from your computer network",
    "验证码",
];

/// Body phrases of "not found" pages.
const NOT_FOUND_PHRASES: &[&str] = &[
    "page not found",
    "404 not found",
    "error 404",
    "page you requested could not be found",
    "page you are looking for",
    "page you were looking for",
    "page you're looking for",
    "this page doesn't exist",
    "this page does not exist",
    "page cannot be found",
    "页面不存在",
    "找不到页面",
    "您访问的页面不存在",
];

/// Title phrases of "not found" pages (besides a standalone `404`).
const NOT_FOUND_TITLES: &[&str] = &[
    "not found",
    "page does not exist",
    "page doesn't exist",
    "page cannot be found",
    "页面不存在",
    "找不到",
];

/// Title and heading phrases of server error pages.
const ERROR_PHRASES: &[&str] = &[
    "internal server error",
    "service unavailable",
    "service temporarily unavailable",
    "bad gateway",
    "gateway timeout",
    "gateway time-out",
    "under maintenance",
    "down for maintenance",
    "an error occurred while processing your request",
    "web server is returning an unknown error",
];

/// Title phrases of sign-in pages.
const LOGIN_TITLES: &[&str] = &["sign in", "log in", "login", "sign-in", "log-in", "登录"];

/// Classifies a fetched body.
///
/// `status` is the HTTP status, `content_type` the raw `Content-Type`
/// header. Any body with a 4xx/5xx status is at best an
/// [`PageVerdict::ErrorPage`] (a more specific wall verdict wins); a 2xx
/// body is [`PageVerdict::Content`] unless a heuristic fires. Non-text
/// bodies (PDF, …) are only checked for emptiness.
///
/// ```
/// use cw_fetch::{classify_page, PageVerdict};
/// let wall = b"<html><head><title>Just a moment...</title></head>\
///     <body><div id=\"cf-challenge-running\"></div></body></html>";
/// assert!(matches!(classify_page(403, Some("text/html"), wall),
///     PageVerdict::BotWall { .. }));
/// let terms = format!("<html><title>Terms</title><p>{}</p></html>",
///     "You agree to these terms. ".repeat(40));
/// assert_eq!(classify_page(200, Some("text/html"), terms.as_bytes()),
///     PageVerdict::Content);
/// ```
pub fn classify_page(status: u16, content_type: Option<&str>, body: &[u8]) -> PageVerdict {
    let mime = content_type
        .and_then(|ct| ct.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase());
    let scanned = &body[..body.len().min(SCAN_BYTES)];
    let is_html = match mime.as_deref() {
        Some(m) => m.contains("html") || m.ends_with("xml"),
        None => looks_like_html(scanned),
    };
    let is_text = is_html || mime.as_deref().is_none_or(|m| m.starts_with("text/"));
    if !is_text {
        return if body.is_empty() {
            PageVerdict::Empty { text_chars: 0 }
        } else if status >= 400 {
            PageVerdict::ErrorPage {
                signal: format!("HTTP {status}"),
            }
        } else {
            PageVerdict::Content
        };
    }

    let text = decode(scanned, content_type);
    let lower = text.to_lowercase();
    let page = if is_html {
        Page::from_html(&lower)
    } else {
        Page::from_text(&lower)
    };
    let short = page.text_chars < SHORT_PAGE_CHARS;

    if short && let Some(signal) = bot_wall(&page, &lower) {
        return PageVerdict::BotWall { signal };
    }
    if short && let Some(signal) = captcha(&page, &lower) {
        return PageVerdict::Captcha { signal };
    }
    if short && let Some(signal) = login_wall(&page, &lower) {
        return PageVerdict::LoginWall { signal };
    }
    if status >= 400 {
        return PageVerdict::ErrorPage {
            signal: format!("HTTP {status}"),
        };
    }
    if let Some(signal) = soft_not_found(&page, &lower) {
        return PageVerdict::SoftNotFound { signal };
    }
    if short && let Some(signal) = error_page(&page) {
        return PageVerdict::ErrorPage { signal };
    }
    if page.text_chars < EMPTY_PAGE_CHARS {
        return PageVerdict::Empty {
            text_chars: page.text_chars,
        };
    }
    PageVerdict::Content
}

/// The parts of a (lowercased) page the rules look at.
#[derive(Debug)]
struct Page {
    title: String,
    /// Visible text, whitespace collapsed.
    text: String,
    /// Non-whitespace characters of visible text.
    text_chars: usize,
}

impl Page {
    fn from_html(lower: &str) -> Self {
        let title = between(lower, "<title", "</title>")
            .and_then(|t| t.split_once('>').map(|(_, inner)| collapse(inner)))
            .unwrap_or_default();
        let text = collapse(&visible_text(lower));
        let text_chars = text.chars().filter(|c| !c.is_whitespace()).count();
        Self {
            title,
            text,
            text_chars,
        }
    }

    fn from_text(lower: &str) -> Self {
        let text = collapse(lower);
        let title = text
            .lines()
            .next()
            .unwrap_or_default()
            .chars()
            .take(200)
            .collect();
        let text_chars = text.chars().filter(|c| !c.is_whitespace()).count();
        Self {
            title,
            text,
            text_chars,
        }
    }
}

fn bot_wall(page: &Page, lower: &str) -> Option<String> {
    if let Some(t) = BOT_WALL_TITLES.iter().find(|t| page.title == **t) {
        // Akamai's "Access Denied" carries a reference number.
        if *t == "access denied" && lower.contains("you don't have permission to access") {
            return Some("akamai access denied page".to_owned());
        }
        return Some(format!("title {t:?}"));
    }
    if page.title.ends_with("| cloudflare") {
        return Some(format!("title {:?}", page.title));
    }
    BOT_WALL_MARKERS
        .iter()
        .find(|m| lower.contains(**m))
        .map(|m| format!("body contains {m:?}"))
}

fn captcha(page: &Page, lower: &str) -> Option<String> {
    if page.title.contains("captcha") {
        return Some(format!("title {:?}", page.title));
    }
    CAPTCHA_MARKERS
        .iter()
        .find(|m| lower.contains(**m))
        .map(|m| format!("body contains {m:?}"))
}

fn login_wall(page: &Page, lower: &str) -> Option<String> {
    let password_field = ["type=\"password\"", "type='password'", "type=password"]
        .iter()
        .any(|m| lower.contains(m));
    if password_field {
        return Some(format!(
            "password field on a short page ({} characters of text)",
            page.text_chars
        ));
    }
    let login_title = LOGIN_TITLES.iter().find(|t| page.title.contains(**t));
    match login_title {
        Some(t) if lower.contains("<form") => Some(format!("sign-in title {t:?} with a form")),
        _ => None,
    }
}

fn soft_not_found(page: &Page, lower: &str) -> Option<String> {
    if page.text_chars < NOT_FOUND_PAGE_CHARS {
        if title_says_404(&page.title) {
            return Some(format!("title {:?}", page.title));
        }
        if let Some(t) = NOT_FOUND_TITLES.iter().find(|t| page.title.contains(**t)) {
            return Some(format!("title contains {t:?}"));
        }
    }
    if page.text_chars < SHORT_PAGE_CHARS {
        let haystack = if page.text.is_empty() {
            lower
        } else {
            &page.text
        };
        if let Some(p) = NOT_FOUND_PHRASES.iter().find(|p| haystack.contains(**p)) {
            return Some(format!("text contains {p:?}"));
        }
    }
    None
}

/// Whether a (lowercased) title announces a 404: the number leads the title
/// ("404 – Example"), the title is little more than the number ("Error
/// 404", "Example: 404"), or error words come with it. A number inside a
/// real title ("Acceptable Use Policy 404", "Section 404 Notice") is not one.
fn title_says_404(title: &str) -> bool {
    let words: Vec<&str> = title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    if !words.contains(&"404") {
        return false;
    }
    words.first() == Some(&"404")
        || words.len() <= 3
        || [
            "error",
            "oops",
            "missing",
            "not found",
            "page",
            "错误",
            "找不到",
        ]
        .iter()
        .any(|w| title.contains(w))
}

fn error_page(page: &Page) -> Option<String> {
    if let Some(p) = ERROR_PHRASES.iter().find(|p| page.title.contains(**p)) {
        return Some(format!("title contains {p:?}"));
    }
    ERROR_PHRASES
        .iter()
        .find(|p| page.text_chars < EMPTY_PAGE_CHARS * 3 && page.text.contains(**p))
        .map(|p| format!("text contains {p:?}"))
}

fn looks_like_html(body: &[u8]) -> bool {
    let head = &body[..body.len().min(1024)];
    let head = String::from_utf8_lossy(head).to_ascii_lowercase();
    let trimmed = head.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    trimmed.starts_with('<') && (head.contains("<html") || head.contains("<!doctype html"))
        || head.contains("<body")
}

/// Decodes with the charset named in `Content-Type` or an early
/// `<meta charset>`, falling back to lossy UTF-8. The markers are ASCII, so
/// only the few CJK phrases depend on this.
fn decode<'a>(body: &'a [u8], content_type: Option<&str>) -> Cow<'a, str> {
    let label = content_type
        .and_then(charset_param)
        .or_else(|| meta_charset(body));
    let encoding = label
        .and_then(|l| encoding_rs::Encoding::for_label(l.as_bytes()))
        .unwrap_or(encoding_rs::UTF_8);
    let (text, _, _) = encoding.decode(body);
    text
}

/// The `charset` parameter of a `Content-Type` value, lowercased.
pub(crate) fn charset_param(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("charset") {
            return None;
        }
        let value = value.trim().trim_matches(['"', '\'']).trim();
        (!value.is_empty()).then(|| value.to_ascii_lowercase())
    })
}

fn meta_charset(body: &[u8]) -> Option<String> {
    let head = &body[..body.len().min(2048)];
    let head = String::from_utf8_lossy(head).to_ascii_lowercase();
    let at = head.find("charset=")? + "charset=".len();
    let value: String = head[at..]
        .trim_start_matches(['"', '\''])
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
        .collect();
    (!value.is_empty()).then_some(value)
}

/// The text between the first `open` and the following `close`.
fn between<'a>(s: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let start = s.find(open)? + open.len();
    let len = s[start..].find(close)?;
    Some(&s[start..start + len])
}

/// Visible text of lowercased HTML: tags, comments, and the contents of
/// `script`, `style`, `noscript`, `template`, `svg` and `head` dropped.
fn visible_text(html: &str) -> String {
    const SKIP: &[&str] = &["script", "style", "noscript", "template", "svg", "head"];
    let mut out = String::with_capacity(html.len() / 2);
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        out.push(' ');
        let tag = &rest[lt..];
        if let Some(after) = tag.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |end| &after[end + 3..]);
            continue;
        }
        let name: String = tag[1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        let Some(gt) = tag.find('>') else {
            rest = "";
            break;
        };
        rest = &tag[gt + 1..];
        if SKIP.contains(&name.as_str()) && !tag[..gt].ends_with('/') {
            let close = format!("</{name}");
            rest = rest
                .find(&close)
                .and_then(|end| rest[end..].find('>').map(|gt2| &rest[end + gt2 + 1..]))
                .unwrap_or("");
        }
    }
    out.push_str(rest);
    out.replace("&nbsp;", " ")
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html(title: &str, body: &str) -> Vec<u8> {
        format!(
            "<!doctype html><html><head><title>{title}</title></head><body>{body}</body></html>"
        )
        .into_bytes()
    }

    fn prose(n: usize) -> String {
        "These terms govern your use of the service and form a binding agreement. ".repeat(n)
    }

    #[track_caller]
    fn check(status: u16, ct: Option<&str>, body: &[u8], expected: &str) {
        let verdict = classify_page(status, ct, body);
        let shown = match verdict.signal() {
            Some(s) => format!("{}: {s}", verdict.code()),
            None => match verdict {
                PageVerdict::Empty { text_chars } => format!("empty: {text_chars}"),
                _ => verdict.code().to_owned(),
            },
        };
        assert_eq!(shown, expected);
    }

    const HTML: Option<&str> = Some("text/html; charset=utf-8");

    #[test]
    fn content() {
        check(200, HTML, &html("Terms of Service", &prose(40)), "content");
        check(200, Some("text/plain"), prose(10).as_bytes(), "content");
        check(200, Some("application/pdf"), b"%PDF-1.7 ...", "content");
        check(200, None, prose(10).as_bytes(), "content");
    }

    #[test]
    fn long_pages_mentioning_markers_are_content() {
        let body = format!(
            "{}<p>You may not circumvent any CAPTCHA or access denied notice.</p>\
             <form><div class=\"g-recaptcha\"></div></form><p>page not found</p>",
            prose(60)
        );
        check(200, HTML, &html("Acceptable Use Policy", &body), "content");
    }

    #[test]
    fn bot_walls() {
        check(
            503,
            HTML,
            &html(
                "Just a moment...",
                "<div id=\"cf-challenge-running\"></div>",
            ),
            "bot_wall: title \"just a moment...\"",
        );
        check(
            403,
            HTML,
            &html(
                "Attention Required! | Cloudflare",
                "Sorry, you have been blocked",
            ),
            "bot_wall: title \"attention required! | cloudflare\"",
        );
        check(
            403,
            HTML,
            &html(
                "Access Denied",
                "<h1>Access Denied</h1>You don't have permission to access \
                 \"http://www.example.com/legal\" on this server.<p>Reference #18.1234</p>",
            ),
            "bot_wall: akamai access denied page",
        );
        check(
            200,
            HTML,
            &html(
                "example.com",
                "<noscript>Please enable JavaScript and cookies to continue</noscript>",
            ),
            "bot_wall: body contains \"enable javascript and cookies to continue\"",
        );
        check(
            200,
            HTML,
            &html(
                "Loading",
                "<script src=\"/cdn-cgi/challenge-platform/h/b/orchestrate/jsch/v1\"></script>",
            ),
            "bot_wall: body contains \"/cdn-cgi/challenge-platform\"",
        );
    }

    #[test]
    fn captchas() {
        check(
            200,
            HTML,
            &html(
                "Verification",
                "<form><div class=\"g-recaptcha\" data-sitekey=\"x\"></div></form>",
            ),
            "captcha: body contains \"g-recaptcha\"",
        );
        check(
            200,
            HTML,
            &html(
                "Check",
                "<script src=\"https://hcaptcha.com/1/api.js\"></script>",
            ),
            "captcha: body contains \"hcaptcha.com\"",
        );
        check(
            429,
            HTML,
            &html(
                "Sorry...",
                "Our systems have detected unusual traffic from your computer network.",
            ),
            "captcha: body contains \"unusual traffic from your computer network\"",
        );
        check(
            200,
            HTML,
            &html("请输入验证码", "请输入验证码以继续访问"),
            "captcha: body contains \"验证码\"",
        );
    }

    #[test]
    fn login_walls() {
        check(
            200,
            HTML,
            &html(
                "Welcome",
                "<form action=\"/session\"><input name=\"user\"><input type=\"password\" \
                 name=\"pw\"><button>Continue</button></form>",
            ),
            "login_wall: password field on a short page (8 characters of text)",
        );
        check(
            200,
            HTML,
            &html(
                "Sign in to your account",
                "<form><input name=email></form> Next",
            ),
            "login_wall: sign-in title \"sign in\" with a form",
        );
    }

    #[test]
    fn soft_404s() {
        check(
            200,
            HTML,
            &html("Page Not Found | Example", &format!("<p>{}</p>", prose(3))),
            "soft_not_found: title contains \"not found\"",
        );
        check(
            200,
            HTML,
            &html("404 – Example", "Sorry"),
            "soft_not_found: title \"404 – example\"",
        );
        check(
            200,
            HTML,
            &html(
                "Example",
                "<h1>Oops</h1><p>We can't find the page you're looking for. Go home?</p>",
            ),
            "soft_not_found: text contains \"page you're looking for\"",
        );
        check(
            200,
            HTML,
            &html("抱歉，页面不存在", "返回首页"),
            "soft_not_found: title contains \"页面不存在\"",
        );
        check(
            200,
            HTML,
            &html("Error 404 | Example", "Sorry"),
            "soft_not_found: title \"error 404 | example\"",
        );
        // A policy whose title carries the number 404 is content.
        for title in [
            "Acceptable Use Policy 404",
            "Section 404 Notice of Service Terms",
        ] {
            check(
                200,
                HTML,
                &html(title, &format!("<p>{}</p>", prose(12))),
                "content",
            );
        }
        // A real 404 status is an error page, not a soft one.
        check(
            404,
            HTML,
            &html("Page Not Found", "nothing"),
            "error_page: HTTP 404",
        );
    }

    #[test]
    fn error_pages_and_empty() {
        check(
            500,
            Some("application/json"),
            b"{\"error\":1}",
            "error_page: HTTP 500",
        );
        check(
            200,
            HTML,
            &html("502 Bad Gateway", "<center>nginx</center>"),
            "error_page: title contains \"bad gateway\"",
        );
        check(200, HTML, b"", "empty: 0");
        check(200, Some("application/pdf"), b"", "empty: 0");
        check(
            200,
            HTML,
            &html(
                "App",
                "<div id=\"root\"></div><script>window.boot({lots: 'of script text'})</script>",
            ),
            "empty: 0",
        );
    }

    #[test]
    fn gbk_signals_decode_with_declared_charset() {
        let (bytes, _, _) = encoding_rs::GBK.encode("<title>页面不存在</title><p>返回</p>");
        check(
            200,
            Some("text/html; charset=GBK"),
            &bytes,
            "soft_not_found: title contains \"页面不存在\"",
        );
    }

    #[test]
    fn charset_params() {
        assert_eq!(
            charset_param("text/html; charset=\"GBK\"").as_deref(),
            Some("gbk")
        );
        assert_eq!(
            charset_param("text/html;Charset=utf-8").as_deref(),
            Some("utf-8")
        );
        assert_eq!(charset_param("text/html"), None);
        assert_eq!(charset_param("text/html; charset="), None);
    }

    #[test]
    fn visible_text_drops_scripts_and_comments() {
        let t =
            visible_text("<p>a</p><script>var x = '<p>';</script><!-- c --><style>p{}</style>b");
        assert_eq!(collapse(&t), "a b");
        // Unclosed constructs never panic.
        let _ = visible_text("<script>never closed");
        let _ = visible_text("<!-- never closed");
        let _ = visible_text("<p");
        let _ = classify_page(200, None, &[0xff, 0xfe, b'<', 0x80]);
    }
}
