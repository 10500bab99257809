//! The scripted loopback origin of the watch tests (`cw_testkit::Origin`:
//! each path serves a queue of replies, the last one repeating) and the
//! pages they play: policies, walls, soft 404s, a truncated answer.

pub(crate) use cw_testkit::{Origin, Reply};

/// A raw server that declares 200 000 bytes, sends the headers and part of
/// a page, then closes the connection: a truncated body. Returns its URL
/// and the server (stopped when dropped).
pub(crate) async fn truncated_origin() -> (String, Origin) {
    let page = policy("Truncated", 4, "");
    let mut response =
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 200000\r\n\r\n".to_vec();
    response.extend_from_slice(&page.as_bytes()[..page.len() / 2]);
    let origin = Origin::raw(response).await;
    (format!("http://{}/doc", origin.addr), origin)
}

/// An English policy page with `sections` sections of two provisions each;
/// `twist` is appended to the first provision (a change).
pub(crate) fn policy(title: &str, sections: usize, twist: &str) -> String {
    let mut html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><title>{title}</title></head><body>\
         <nav><a href=\"/\">Home</a> <a href=\"/legal\">Legal</a></nav><main><h1>{title}</h1>"
    );
    for i in 1..=sections {
        let extra = if i == 1 { twist } else { "" };
        html.push_str(&format!(
            "<h2>Section {i}: Use of the services</h2>\
             <p>You must not use the services in section {i} to violate the law, to infringe the \
             rights of others, or to distribute malware, spam or other harmful content.{extra}</p>\
             <p>We may suspend or terminate your access to the services described in section {i} \
             if you breach this policy, and we will give you notice where the law requires it.</p>"
        ));
    }
    html.push_str("</main><footer>© Example Corp</footer></body></html>");
    html
}

/// The same policy in French (wrong language for an English source).
pub(crate) fn policy_fr(sections: usize) -> String {
    let mut html = String::from(
        "<!DOCTYPE html><html lang=\"fr\"><head><title>Politique d'utilisation</title></head><body><main>\
         <h1>Politique d'utilisation acceptable</h1>",
    );
    for i in 1..=sections {
        html.push_str(&format!(
            "<h2>Section {i} : Utilisation des services</h2>\
             <p>Vous ne devez pas utiliser les services de la section {i} pour enfreindre la loi, \
             porter atteinte aux droits d'autrui ou diffuser des logiciels malveillants.</p>\
             <p>Nous pouvons suspendre ou résilier votre accès aux services décrits dans la section \
             {i} si vous enfreignez cette politique, et nous vous en informerons lorsque la loi l'exige.</p>"
        ));
    }
    html.push_str("</main></body></html>");
    html
}

pub(crate) const CLOUDFLARE: &str = r#"<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>
<meta http-equiv="refresh" content="390"></head><body><div class="main-wrapper" role="main">
<div class="main-content"><noscript><div id="challenge-error-title">Enable JavaScript and cookies to continue</div></noscript></div></div>
<script>(function(){window._cf_chl_opt={cvId: '3',cZone: "example.com"};var a = document.createElement('script');
a.src = '/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1?ray=8a';document.getElementsByTagName('head')[0].appendChild(a);}());</script></body></html>"#;

pub(crate) const LOGIN: &str = r#"<html><head><title>Example</title></head><body><header>Example</header>
<form method="post" action="/session"><label>Email <input type="email" name="email"></label>
<label>Password <input type="password" name="password"></label><button>Continue</button></form>
<footer>© Example</footer></body></html>"#;

pub(crate) const SOFT_404: &str = r#"<html><head><title>Page not found – Example</title></head><body>
<nav><a href="/">Home</a> <a href="/legal">Legal</a></nav><h1>Sorry, we couldn't find that page.</h1>
<p>The link may be broken or the page may have moved.</p></body></html>"#;

pub(crate) const CAPTCHA: &str = r#"<html><head><title>Security verification</title>
<script src="https://www.google.com/recaptcha/api.js" async defer></script></head>
<body><form action="/verify" method="POST"><p>Please complete the check below.</p>
<div class="g-recaptcha" data-sitekey="6Lc_aCMTAAAAABx7u2W0WPXnVbI_v6ZdbM6rYf16"></div>
<input type="submit" value="Submit"></form></body></html>"#;
