//! `clausewatch analyze`, `compare`, `check`, `check-workload`, and the
//! labels shown by `show` and reported by `diff`: on project-written
//! fixtures (three invented platforms) and on the shared seeds.

use crate::util::Dir;
use serde_json::Value;

/// An acceptable use policy of an invented platform (written for these tests).
const NORTHWIND_AUP: &str = "# Northwind Cloud Acceptable Use Policy

Last updated: March 1, 2025

This Acceptable Use Policy (this \"Policy\") governs your use of the hosting services of Northwind Cloud Ltd., Dublin, Ireland (the \"Services\"). We may modify this Policy at any time by posting a revised version on our website. By using the Services, you agree to the latest version of this Policy.

## No Network Abuse

You may not make network connections to any users, hosts, or networks unless you have permission to communicate with them. Prohibited activities include:

- Denial of Service (DoS). Flooding a target with requests so that it cannot respond to legitimate traffic.
- Open Services. Operating open proxies, open mail relays or open recursive DNS resolvers.
- Monitoring or Crawling. Crawling a system in a way that impairs or disrupts the system being crawled.

## Content Prohibited in the PRC

Content prohibited by PRC laws and regulations is also prohibited under this Policy, including anything that:

- opposes the basic principles established by the Constitution;
- endangers national security or divulges state secrets;
- disseminates rumors or disrupts the social order;

## Multi-Level Protection Scheme

Our platform is graded at MLPS Level 3. It is your responsibility to complete the MLPS grading and filing of the systems you host on it.

## Enforcement

We may suspend or terminate your account immediately and without notice if you violate this Policy.
";

/// A second platform's policy, worded differently.
const HARBOR_AUP: &str = "# Harbor Hosting Acceptable Use Policy

## Network rules

Customers must not use Harbor Hosting to attack other networks. In particular:

- Denial-of-service attacks. You must not launch denial of service attacks or flood any host with traffic so that it cannot respond.
- Mail relays. You must not run open mail relays or open proxies on our network.

## Changes

Harbor may change this policy from time to time by posting the updated policy on this page.
";

/// A privacy policy of a third platform, with a children clause and no retention period.
const EXAMPLE_PRIVACY: &str = "# Example Apps Privacy Policy

## Information we collect

We collect your name, e-mail address and payment details when you create an account, to provide the services.

## Children

Our services are not directed to children under 13, and we do not knowingly collect personal information from children under 13. If you are under 18, you may use the services only with the involvement of a parent or guardian.

## Contact

Example Apps B.V. in Amsterdam, the Netherlands, is the controller. Contact our privacy team at privacy@example.com.
";

fn import(dir: &Dir, name: &str, body: &str, platform: &str, document: &str, doc_type: &str) {
    let p = dir.write(name, body);
    dir.ok(&[
        "import",
        p.to_str().unwrap(),
        "--platform",
        platform,
        "--document",
        document,
        "--type",
        doc_type,
        "--observed-at",
        "2025-03-01",
    ]);
}

fn fixtures() -> Dir {
    let dir = Dir::new();
    import(
        &dir,
        "northwind.md",
        NORTHWIND_AUP,
        "northwind",
        "aup",
        "acceptable-use-policy",
    );
    import(
        &dir,
        "harbor.md",
        HARBOR_AUP,
        "harbor",
        "aup",
        "acceptable-use-policy",
    );
    import(
        &dir,
        "example.md",
        EXAMPLE_PRIVACY,
        "example-apps",
        "privacy",
        "privacy-policy",
    );
    dir
}

/// The provision of an `analyze --format json` result whose text contains `needle`.
fn provision<'a>(analysis: &'a Value, needle: &str) -> &'a Value {
    analysis["provisions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["text"].as_str().unwrap().contains(needle))
        .unwrap_or_else(|| panic!("no labelled provision contains {needle:?}"))
}

fn label_ids(p: &Value) -> Vec<String> {
    p["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap().to_string())
        .collect()
}

/// Asserts that the provision has the label and that its evidence is the
/// provision text within the span (character offsets), with a confidence.
fn assert_label(analysis: &Value, needle: &str, id: &str) {
    let p = provision(analysis, needle);
    let l = p["labels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == id)
        .unwrap_or_else(|| panic!("{needle:?} lacks {id}: {:?}", label_ids(p)));
    let chars: Vec<char> = p["text"].as_str().unwrap().chars().collect();
    let (s, e) = (
        l["span"][0].as_u64().unwrap() as usize,
        l["span"][1].as_u64().unwrap() as usize,
    );
    assert!(
        s < e && e <= chars.len(),
        "span {s}..{e} of {}",
        chars.len()
    );
    let evidence: String = chars[s..e].iter().collect();
    assert_eq!(l["evidence"].as_str().unwrap(), evidence);
    let c = l["confidence"].as_f64().unwrap();
    assert!(c > 0.0 && c <= 1.0, "{c}");
    assert!(
        ["rule", "model", "both"].contains(&l["source"].as_str().unwrap()),
        "{l}"
    );
}

#[test]
fn analyze_labels_fixture_provisions_with_evidence() {
    let dir = fixtures();
    let a = dir.json(&["analyze", "northwind/aup", "--format", "json"]);
    assert_eq!(a["doc_type"], "aup");
    assert_label(
        &a,
        "Denial of Service (DoS)",
        "aup_network_denial_of_service",
    );
    assert_label(
        &a,
        "We may modify this Policy at any time by posting a revised version",
        "tos_unilateral_change",
    );
    assert_label(
        &a,
        "you agree to the latest version",
        "tos_contract_by_using",
    );
    for item in [
        "opposes the basic principles established by the Constitution",
        "endangers national security",
        "disseminates rumors",
    ] {
        assert_label(&a, item, "aup_jurisdiction_prohibited_content");
    }
    assert_label(&a, "graded at MLPS Level 3", "aup_cn_mlps_obligation");
    // Attributes: the change clause is notified by posting; the enforcement clause without notice.
    let change = provision(&a, "We may modify this Policy");
    assert_eq!(change["attributes"]["notice_mode"]["value"], "posting");
    let enforcement = provision(&a, "without notice");
    assert_eq!(enforcement["attributes"]["notice_mode"]["value"], "none");

    let p = dir.json(&["analyze", "example-apps/privacy@1", "--format", "json"]);
    assert_eq!(p["doc_type"], "privacy");
    assert_label(&p, "not directed to children under 13", "pp_children");
    assert_eq!(
        provision(&p, "children under 13")["attributes"]["age_threshold"]["value"],
        13
    );

    // Text output: provision id, label, confidence and the quoted evidence.
    let text = dir.ok(&["analyze", "northwind/aup"]);
    assert!(text.contains("aup_network_denial_of_service"), "{text}");
    assert!(text.contains("“Denial of Service"), "{text}");
    assert!(text.contains("no-network-abuse/"), "{text}");
    assert!(text.contains("attributes: "), "{text}");
}

#[test]
fn analysis_is_stored_replaced_idempotently_and_shown() {
    let dir = fixtures();
    // The import already analysed the version: analysing again writes nothing.
    let a = dir.json(&["analyze", "northwind/aup", "--format", "json"]);
    assert_eq!(a["outcome"], "unchanged", "{}", a["outcome"]);
    assert!(
        a["analyzer_version"]
            .as_str()
            .unwrap()
            .starts_with("cw-analyze ")
    );
    assert!(
        a["model_version"]
            .as_str()
            .unwrap()
            .starts_with("unfair_tos ")
    );

    // `show` reads the stored labels back: the same labels as `analyze`.
    let shown = dir.json(&["show", "northwind/aup", "--format", "json"]);
    assert_eq!(shown["analysis"]["source"], "stored");
    let stored: Vec<(String, Value)> = shown["analysis"]["provisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["provision_id"].as_str().unwrap().to_string(),
                p["labels"].clone(),
            )
        })
        .collect();
    let fresh: Vec<(String, Value)> = a["provisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["provision_id"].as_str().unwrap().to_string(),
                p["labels"].clone(),
            )
        })
        .collect();
    assert_eq!(stored, fresh);
    // The DESIGN fields of `show` are still there.
    assert!(shown["extracted"]["provisions"].as_array().unwrap().len() >= 10);

    let text = dir.ok(&["show", "northwind/aup"]);
    let dos = text
        .lines()
        .position(|l| l.contains("Denial of Service (DoS)"))
        .expect("DoS item shown");
    let next = text.lines().nth(dos + 1).unwrap();
    assert!(
        next.contains("labels:") && next.contains("aup_network_denial_of_service"),
        "{text}"
    );

    // A second version is analysed at import; --all re-analyses every version.
    let v2 = NORTHWIND_AUP.replace(
        "Crawling a system in a way",
        "Crawling or scraping a system in a way",
    );
    import(
        &dir,
        "northwind2.md",
        &v2,
        "northwind",
        "aup",
        "acceptable-use-policy",
    );
    let shown2 = dir.json(&["show", "northwind/aup@2", "--format", "json"]);
    assert_eq!(shown2["analysis"]["source"], "stored");
    let all = dir.json(&["analyze", "--all", "--format", "json"]);
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 4, "3 documents, 4 versions");
    assert!(all.iter().all(|a| a["outcome"] == "unchanged"));
    let text = dir.ok(&["analyze", "--all"]);
    assert!(text.contains("northwind/aup@2: "), "{text}");

    // Usage errors: neither a document nor --all; both.
    let out = dir.cmd().args(["analyze"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = dir
        .cmd()
        .args(["analyze", "northwind/aup", "--all"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = dir.fails(&["analyze", "nobody/nothing"]);
    assert!(err.contains("nobody/nothing"), "{err}");
}

#[test]
fn compare_finds_the_other_platforms_clause() {
    let dir = fixtures();
    let a = dir.json(&["analyze", "northwind/aup", "--format", "json"]);
    let dos = provision(&a, "Denial of Service (DoS)")["provision_id"]
        .as_str()
        .unwrap()
        .to_string();
    let c = dir.json(&["compare", "northwind/aup", &dos, "--format", "json"]);
    assert_eq!(c["provision_id"], dos.as_str());
    let first = &c["matches"][0];
    assert_eq!(first["document"], "harbor/aup", "{c}");
    assert!(
        first["text"]
            .as_str()
            .unwrap()
            .contains("denial of service attacks")
    );
    assert!(
        first["shared_labels"]
            .as_array()
            .unwrap()
            .contains(&Value::from("aup_network_denial_of_service"))
    );
    assert!(first["score"].as_f64().unwrap() > 0.0);
    // Never the provision's own platform.
    assert!(
        c["matches"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["platform"] != "northwind")
    );
    // harbor has such a clause, example-apps (a privacy policy) has not.
    assert_eq!(c["adoption"]["platforms_with"], 1);
    assert_eq!(c["adoption"]["platforms_total"], 2);
    assert_eq!(
        c["adoption"]["sentence"],
        "1 of 2 other tracked platforms have a comparable clause"
    );
    let text = dir.ok(&["compare", "northwind/aup", &dos]);
    assert!(
        text.contains("1 of 2 other tracked platforms have a comparable clause"),
        "{text}"
    );
    assert!(text.contains("1. harbor/aup@1 "), "{text}");

    let err = dir.fails(&["compare", "northwind/aup", "no-such/9"]);
    assert!(err.contains("no-such/9"), "{err}");
}

#[test]
fn check_cites_provisions_and_says_risk_indicator() {
    let dir = fixtures();
    let r = dir.json(&["check", "northwind/aup", "--format", "json"]);
    let findings = r["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    for f in findings {
        assert_eq!(f["caveat"], "risk indicator, not a legal determination");
    }
    // An EU hosting provider: the DSA applies; P2B does not (no business
    // users of an intermediation service, issue #21).
    let dsa = findings
        .iter()
        .find(|f| f["check"] == "dsa-14-2-posting-only")
        .unwrap_or_else(|| panic!("{r}"));
    assert_eq!(dsa["article"], "14(2)");
    assert!(
        dsa["provision_text"]
            .as_str()
            .unwrap()
            .contains("We may modify this Policy at any time")
    );
    assert!(dsa["provision_id"].is_string());
    assert!(
        findings
            .iter()
            .all(|f| !f["check"].as_str().unwrap().starts_with("p2b-")),
        "{r}"
    );
    let text = dir.ok(&["check", "northwind/aup"]);
    assert!(text.contains("art. 14(2)"), "{text}");
    assert!(
        text.contains("risk indicator, not a legal determination"),
        "{text}"
    );

    // The privacy policy states no retention period: a document-level finding.
    let r = dir.json(&["check", "example-apps/privacy", "--format", "json"]);
    let g = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == "gdpr-13-2-a-retention")
        .unwrap_or_else(|| panic!("{r}"));
    assert!(g["provision_id"].is_null());
    assert_eq!(g["article"], "13(2)(a)");
}

#[test]
fn check_workload_lists_tracked_clauses_with_quotes() {
    let dir = fixtures();
    let r = dir.json(&[
        "check-workload",
        "we run an open SMTP relay and crawl competitors' sites",
        "--format",
        "json",
    ]);
    let acts = r["activities"].as_array().unwrap();
    let labels: Vec<&str> = acts.iter().map(|a| a["label"].as_str().unwrap()).collect();
    assert_eq!(
        labels,
        [
            "aup_network_open_services",
            "aup_network_monitoring_crawling"
        ]
    );
    let relay: Vec<&str> = acts[0]["provisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["document"].as_str().unwrap())
        .collect();
    assert!(
        relay.contains(&"northwind/aup") && relay.contains(&"harbor/aup"),
        "{r}"
    );
    for p in acts[0]["provisions"].as_array().unwrap() {
        assert!(!p["quote"].as_str().unwrap().is_empty());
        assert!(
            p["text"]
                .as_str()
                .unwrap()
                .contains(p["quote"].as_str().unwrap())
        );
    }
    assert_eq!(acts[0]["adoption"]["platforms_with"], 2);
    assert_eq!(acts[0]["adoption"]["platforms_total"], 3);
    let crawl = &acts[1]["provisions"][0];
    assert_eq!(crawl["document"], "northwind/aup");
    let text = dir.ok(&[
        "check-workload",
        "we run an open SMTP relay and crawl competitors' sites",
    ]);
    assert!(text.contains("aup_network_open_services"), "{text}");
    assert!(text.contains("open mail relays"), "{text}");
    assert!(text.contains("2 of 3 tracked platforms"), "{text}");

    let none = dir.json(&["check-workload", "a static blog", "--format", "json"]);
    assert!(none["activities"].as_array().unwrap().is_empty());
    assert!(none["note"].is_string());
}

#[test]
fn diff_reports_label_changes_of_modified_provisions() {
    let dir = Dir::new();
    let old = "# Policy\n\n## Rules\n\nYou may not send spam.\n\nYou may not resell the service.\n";
    let new = "# Policy\n\n## Rules\n\nYou may not send spam or use the service for cryptocurrency mining.\n\nYou may not resell the service.\n";
    dir.write("old.md", old);
    dir.write("new.md", new);
    let cs = dir.json(&["diff", "old.md", "new.md", "--format", "json"]);
    let modified: Vec<&Value> = cs["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "modified")
        .collect();
    assert_eq!(modified.len(), 1, "{cs}");
    assert_eq!(
        modified[0]["label_changes"]["added"],
        serde_json::json!(["aup_crypto_mining"])
    );
    assert_eq!(
        modified[0]["label_changes"]["removed"],
        serde_json::json!([])
    );
    // Only an added field: the DESIGN §4 fields are all there, unchanged pairs carry none.
    for key in [
        "old_id",
        "new_id",
        "old_text",
        "new_text",
        "significance",
        "words",
    ] {
        assert!(modified[0].get(key).is_some(), "{key}");
    }
    assert!(
        cs["changes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["kind"] == "unchanged")
            .all(|c| c.get("label_changes").is_none())
    );
    let text = dir.ok(&["diff", "old.md", "new.md"]);
    assert!(
        text.contains("Label changes of modified provisions:"),
        "{text}"
    );
    assert!(text.contains("+aup_crypto_mining"), "{text}");
    assert!(!dir.home().exists(), "diffing files must not create a home");

    // Stored versions: the stored labels.
    for (f, date) in [("old.md", "2024-01-01"), ("new.md", "2024-06-01")] {
        let p = dir.path().join(f);
        dir.ok(&[
            "import",
            p.to_str().unwrap(),
            "--platform",
            "acme",
            "--document",
            "aup",
            "--observed-at",
            date,
        ]);
    }
    let cs = dir.json(&["diff", "acme/aup@1", "acme/aup@2", "--format", "json"]);
    let m = cs["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "modified")
        .unwrap();
    assert_eq!(
        m["label_changes"]["added"],
        serde_json::json!(["aup_crypto_mining"])
    );
}

/// (seed file, platform, document, type): the AWS documents of three
/// operators (the China regions are run by Sinnet and NWCD), so that
/// `compare` has other platforms to look at.
const SEEDS: &[(&str, &str, &str, &str)] = &[
    (
        "002_15648575c5abf10e.txt",
        "aws",
        "aup",
        "acceptable-use-policy",
    ),
    (
        "001_f6a6c2ff7fccd97e.txt",
        "nwcd",
        "aup-ningxia",
        "acceptable-use-policy",
    ),
    (
        "000_3e6e674a31a59b81.txt",
        "sinnet",
        "aup-beijing",
        "acceptable-use-policy",
    ),
    (
        "003_8cf4dd9642cd441a.txt",
        "sinnet",
        "privacy-cn",
        "privacy-policy",
    ),
];

#[test]
fn seeds_are_labelled_compared_and_checked() {
    let Some(seeds) = crate::util::seeds() else {
        return;
    };
    let dir = Dir::new();
    for (file, platform, doc, t) in SEEDS {
        let p = seeds.join(file);
        dir.ok(&[
            "import",
            p.to_str().unwrap(),
            "--platform",
            platform,
            "--document",
            doc,
            "--type",
            t,
        ]);
    }
    let global = dir.json(&["analyze", "aws/aup", "--format", "json"]);
    assert_label(
        &global,
        "Denial of Service (DoS)",
        "aup_network_denial_of_service",
    );
    assert_label(
        &global,
        "We may modify this Policy at any time by posting a revised version",
        "tos_unilateral_change",
    );
    assert_label(
        &global,
        "you agree to the latest version",
        "tos_contract_by_using",
    );
    let ningxia = dir.json(&["analyze", "nwcd/aup-ningxia", "--format", "json"]);
    assert_label(
        &ningxia,
        "Denial of Service (DoS)",
        "aup_network_denial_of_service",
    );
    let beijing = dir.json(&["analyze", "sinnet/aup-beijing", "--format", "json"]);
    // Every item of the PRC list, in both China-region policies.
    const PRC_ITEMS: &[&str] = &[
        "opposes the basic principles established by the Constitution",
        "endangers national security",
        "jeopardizes the honor and interests of the nation",
        "incites ethnic hatred",
        "undermines national religious policy",
        "disseminates rumors",
        "disseminates obscenity",
        "insults or slanders other persons",
        "contains any other content prohibited by laws",
    ];
    for analysis in [&beijing, &ningxia] {
        for item in PRC_ITEMS {
            assert_label(analysis, item, "aup_jurisdiction_prohibited_content");
        }
        assert_label(analysis, "graded at MLPS Level 3", "aup_cn_mlps_obligation");
    }
    let privacy = dir.json(&["analyze", "sinnet/privacy-cn", "--format", "json"]);
    assert_label(
        &privacy,
        "does not sell services for purchase by children",
        "pp_children",
    );

    // How the other operators word the DoS ban.
    let dos = provision(&global, "Denial of Service (DoS)")["provision_id"]
        .as_str()
        .unwrap()
        .to_string();
    let c = dir.json(&["compare", "aws/aup", &dos, "--format", "json"]);
    assert_eq!(c["matches"][0]["document"], "nwcd/aup-ningxia", "{c}");
    assert!(
        c["matches"][0]["text"]
            .as_str()
            .unwrap()
            .starts_with("Denial of Service (DoS)")
    );
    assert_eq!(
        c["adoption"]["sentence"],
        "1 of 2 other tracked platforms have a comparable clause"
    );

    // The global AUP of an IaaS provider names no EU scope and no business
    // users of an intermediation service: no P2B finding (issue #21).
    let r = dir.json(&["check", "aws/aup", "--format", "json"]);
    assert!(
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| !f["check"].as_str().unwrap().starts_with("p2b-")),
        "{r}"
    );

    let w = dir.json(&[
        "check-workload",
        "we run an open SMTP relay and crawl competitors' sites",
        "--format",
        "json",
    ]);
    let docs: Vec<&str> = w["activities"][0]["provisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["document"].as_str().unwrap())
        .collect();
    assert!(
        docs.contains(&"aws/aup") && docs.contains(&"nwcd/aup-ningxia"),
        "{w}"
    );
}
