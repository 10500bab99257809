//! The expectations of `shared/eval/seeds-diff.json`, on hand-built mirrors
//! of seeds 002 (AWS global AUP, 2016), 001 (Ningxia AUP, 2021) and 000
//! (Beijing AUP, 2021), including the extraction debris an extractor is
//! likely to leave (page-break "LEGAL" lines, a sentence fragment, footer
//! links), so the alignment is tested on realistic noise.

use crate::{Expect, assert_expect, assert_invariants};
use cw_diff::diff;
use cw_model::{ExtractedDocument, Provision, ProvisionKind, SourceFormat};

use ProvisionKind::{Heading as H, ListItem as L, Paragraph as P};

fn build(
    title: &str,
    date: (i32, u32, u32),
    items: &[(&[&str], ProvisionKind, &str)],
) -> ExtractedDocument {
    let mut counters: std::collections::HashMap<String, usize> = Default::default();
    let provisions = items
        .iter()
        .map(|(path, kind, text)| {
            let section = match kind {
                H => cw_model::slugify(text),
                _ => path
                    .last()
                    .map(|h| cw_model::slugify(h))
                    .unwrap_or_else(|| "top".into()),
            };
            let n = counters.entry(section.clone()).or_default();
            *n += 1;
            Provision::new(
                format!("{section}/{n}"),
                path.iter().map(|s| s.to_string()).collect(),
                *kind,
                *text,
            )
        })
        .collect();
    ExtractedDocument {
        title: Some(title.into()),
        effective_date: format!("{:04}-{:02}-{:02}", date.0, date.1, date.2)
            .parse()
            .ok(),
        language: "en".into(),
        format: SourceFormat::Text,
        provisions,
        warnings: vec![],
        coverage: None,
    }
}

const AUP: &str = "AWS Acceptable Use Policy";
const ILLEGAL: &str = "No Illegal, Harmful, or Offensive Use or Content";
const SECURITY: &str = "No Security Violations";
const NETWORK: &str = "No Network Abuse";
const MAIL: &str = "No E-Mail or Other Message Abuse";
const MONITOR: &str = "Our Monitoring and Enforcement";
const MLPS: &str =
    "Classified Cybersecurity Protection or Multi-Level Protection Scheme (\u{201C}MLPS\u{201D})";
const REPORTING: &str = "Reporting of Violations of this Policy";

/// Seed 002: the 2016 global AUP (Markdown with page debris and an HTML tail).
pub(crate) fn seed_002() -> ExtractedDocument {
    build(
        AUP,
        (2016, 9, 16),
        &[
            (&[], P, "LEGAL"),
            (&[], P, "AWS Acceptable Use Policy"),
            (&[], H, AUP),
            (&[AUP], P, "Updated September 16th, 2016"),
            (
                &[AUP],
                P,
                "This Acceptable Use Policy (this \"Policy\") describes prohibited uses of the web services offered by Amazon Web Services, Inc. and its affiliates (the \"Services\") and the website located at http://aws.amazon.com (the \"AWS Site\"). The examples described in this Policy are not exhaustive. We may modify this Policy at any time by posting a revised version on the AWS Site. By using the Services or accessing the AWS Site, you agree to the latest version of this Policy. If you violate the Policy or authorize or help others to do so, we may suspend or terminate your use of the Services.",
            ),
            (&[AUP], H, ILLEGAL),
            (
                &[AUP, ILLEGAL],
                P,
                "You may not use, or encourage, promote, facilitate or instruct others to use, the Services or AWS Site for any illegal, harmful, fraudulent, infringing or offensive use, or to transmit, store, display, distribute or otherwise make available content that is illegal, harmful, fraudulent, infringing or offensive. Prohibited activities or content include:",
            ),
            (
                &[AUP, ILLEGAL],
                L,
                "Illegal, Harmful or Fraudulent Activities. Any activities that are illegal, that violate the rights of others, or that may be harmful to others, our operations or reputation, including disseminating, promoting or facilitating child pornography, offering or disseminating fraudulent goods, services, schemes, or promotions, make-money-fast schemes, ponzi and pyramid schemes, phishing, or pharming.",
            ),
            (
                &[AUP, ILLEGAL],
                L,
                "Infringing Content. Content that infringes or misappropriates the intellectual property or proprietary rights of others.",
            ),
            (&[AUP, ILLEGAL], P, "LEGAL"),
            (&[AUP, ILLEGAL], P, "AWS Acceptable Use Policy"),
            (
                &[AUP, ILLEGAL],
                P,
                "pornography, relates to bestiality, or depicts non-consensual sex acts.",
            ),
            (
                &[AUP, ILLEGAL],
                L,
                "Harmful Content. Content or other computer technology that may damage, interfere with, surreptitiously intercept, or expropriate any system, program, or data, including viruses, Trojan horses, worms, time bombs, or cancelbots.",
            ),
            (&[AUP], H, SECURITY),
            (
                &[AUP, SECURITY],
                P,
                "You may not use the Services to violate the security or integrity of any network, computer or communications system, software application, or network or computing device (each, a \"System\"). Prohibited activities include:",
            ),
            (
                &[AUP, SECURITY],
                L,
                "Unauthorized Access. Accessing or using any System without permission, including attempting to probe, scan, or test the vulnerability of a System or to breach any security or authentication measures used by a System.",
            ),
            (
                &[AUP, SECURITY],
                L,
                "Interception. Monitoring of data or traffic on a System without permission.",
            ),
            (
                &[AUP, SECURITY],
                L,
                "Falsification of Origin. Forging TCP-IP packet headers, e-mail headers, or any part of a message describing its origin or route. The legitimate use of aliases and anonymous remailers is not prohibited by this provision.",
            ),
            (&[AUP], H, NETWORK),
            (
                &[AUP, NETWORK],
                P,
                "You may not make network connections to any users, hosts, or networks unless you have permission to communicate with them. Prohibited activities include:",
            ),
            (
                &[AUP, NETWORK],
                L,
                "Monitoring or Crawling. Monitoring or crawling of a System that impairs or disrupts the System being monitored or crawled.",
            ),
            (
                &[AUP, NETWORK],
                L,
                "Denial of Service (DoS). Inundating a target with communications requests so the target either cannot respond to legitimate traffic or responds so slowly that it becomes ineffective.",
            ),
            (
                &[AUP, NETWORK],
                L,
                "Intentional Interference. Interfering with the proper functioning of any System, including any deliberate attempt to overload a system by mail bombing, news bombing, broadcast attacks, or flooding techniques.",
            ),
            (
                &[AUP, NETWORK],
                L,
                "Operation of Certain Network Services. Operating network services like open proxies, open mail relays, or open recursive domain name servers.",
            ),
            (
                &[AUP, NETWORK],
                L,
                "Avoiding System Restrictions. Using manual or electronic means to avoid any use limitations placed on a System, such as access and storage restrictions.",
            ),
            (&[AUP], H, MAIL),
            (&[AUP, MAIL], P, "LEGAL"),
            (
                &[AUP, MAIL],
                P,
                "\"spam\"), including commercial advertising and informational announcements. You will not alter or obscure mail headers or assume a sender's identity without the sender's explicit permission. You will not collect replies to messages sent from another internet service provider if those messages violate this Policy or the acceptable use policy of that provider.",
            ),
            (&[AUP, MAIL], P, "AWS Acceptable Use Policy"),
            (&[AUP], H, MONITOR),
            (
                &[AUP, MONITOR],
                P,
                "We reserve the right, but do not assume the obligation, to investigate any violation of this Policy or misuse of the Services or AWS Site. We may:",
            ),
            (
                &[AUP, MONITOR],
                L,
                "investigate violations of this Policy or misuse of the Services or AWS Site; or",
            ),
            (
                &[AUP, MONITOR],
                L,
                "remove, disable access to, or modify any content or resource that violates this Policy or any other agreement we have with you for use of the Services or the AWS Site.",
            ),
            (
                &[AUP, MONITOR],
                P,
                "We may report any activity that we suspect violates any law or regulation to appropriate law enforcement officials, regulators, or other appropriate third parties. Our reporting may include disclosing appropriate customer information. We also may cooperate with appropriate law enforcement agencies, regulators, or other appropriate third parties to help with the investigation and prosecution of illegal conduct by providing network and systems information related to alleged violations of this Policy.",
            ),
            (&[AUP], H, REPORTING),
            (
                &[AUP, REPORTING],
                P,
                "If you become aware of any violation of this Policy, you will immediately notify us and provide us with assistance, as requested, to stop or remedy the violation. To report any violation of this Policy, please follow our abuse reporting process.",
            ),
            (&[AUP, REPORTING], P, "Sign In to the Console"),
            (&[AUP, REPORTING], L, "What Is AWS?"),
            (&[AUP, REPORTING], L, "What Is Cloud Computing?"),
            (
                &[AUP, REPORTING],
                P,
                "© 2020, Amazon Web Services, Inc. or its affiliates. All rights reserved.",
            ),
        ],
    )
}

const NX_TITLE: &str = "Acceptable Use Policy for Amazon Web Services (Ningxia Region)";

/// The PRC prohibited-content items shared by seeds 001 and 000.
const PRC_ITEMS: [&str; 9] = [
    "opposes the basic principles established by the Constitution;",
    "endangers national security, divulges state secrets or purports to subvert the national regime or undermine the unity of the nation;",
    "jeopardizes the honor and interests of the nation;",
    "incites ethnic hatred or discrimination, or undermines ethnic unity;",
    "undermines national religious policy or advocates heresies or superstition;",
    "disseminates rumors, disrupts the social order or undermines social stability;",
    "disseminates obscenity, eroticism, gambling, violence, homicide or terrorism, or instigates others to commit crimes;",
    "insults or slanders other persons or infringes upon other persons\u{2019} reputation, privacy or lawful rights and interests;",
    "contains any other content prohibited by laws, administrative regulations, departmental regulations, administrative orders or policies promulgated from time to time.",
];

const NX_MLPS: &str = "The Operation and Maintenance System of Amazon Cloud Platform operated by Western Cloud Data and the Amazon Cloud Services Platform System operated by Western Cloud Data are certified and graded at MLPS Level 3 and they can host customers\u{2019} applications and systems that are graded at MLPS Level 3 and below. It is your responsibility to file an appropriate MLPS application with the relevant public security authority for any applicable information system that you operate and use in accordance with the Cybersecurity Law, the Administrative Measures for the Graded Protection of Information Security and any other applicable laws and regulations.";

/// Seed 001: the Ningxia AUP of 2021-06-18 (plain text, bullets as "•").
pub(crate) fn seed_001() -> ExtractedDocument {
    let mut items: Vec<(&[&str], ProvisionKind, &str)> = vec![
        (&[], H, NX_TITLE),
        (&[NX_TITLE], P, "Last Updated: June 18, 2021"),
        (
            &[NX_TITLE],
            P,
            "This Acceptable Use Policy for Amazon Web Services (Ningxia Region) (this \u{201C}Policy\u{201D}) describes prohibited uses of the Services provided by Ningxia Western Cloud Data Technology Co., Ltd. (\u{201C}Western Cloud Data\u{201D}, \u{201C}we\u{201D}, \u{201C}us\u{201D} or \u{201C}our\u{201D}). Capitalized terms used but not defined in this Policy have the meanings set forth in the Western Cloud Data Customer Agreement for Amazon Web Services (Ningxia Region) available at The examples described in this Policy are not exhaustive. We may modify this Policy at any time by posting a revised version on the Amazon Web Services China Site. By using the Services or accessing the Amazon Web Services China Site, you agree to the latest version of this Policy. If you violate the Policy or authorize or help others to do so, we may suspend or terminate your use of the Services.",
        ),
        (&[NX_TITLE], H, ILLEGAL),
        (
            &[NX_TITLE, ILLEGAL],
            P,
            "You may not use, or encourage, promote, facilitate or instruct others to use, the Services or Amazon Web Services China Site for any illegal, harmful, fraudulent, infringing or offensive use, or to transmit, store, display, distribute or otherwise make available content that is illegal, harmful, fraudulent, infringing or offensive activities or content which include",
        ),
        (
            &[NX_TITLE, ILLEGAL],
            P,
            "The content which is prohibited by PRC laws and regulations (\u{201C}Prohibited Content\u{201D}). According to PRC regulations, Prohibited Content includes anything that:",
        ),
    ];
    for item in PRC_ITEMS {
        items.push((&[NX_TITLE, ILLEGAL], L, item));
    }
    items.extend_from_slice(&[
        (&[NX_TITLE, ILLEGAL], P, "Prohibited activities or content also include:"),
        (&[NX_TITLE, ILLEGAL], L, "Illegal, Harmful or Fraudulent Activities. Any activities that are illegal, that violate the rights of others, or that may be harmful to others, our operations or reputation, including disseminating, promoting or facilitation child pornography, offering or disseminating fraudulent goods, services, schemes, or promotions, make-money-fast schemes, ponzi and pyramid schemes, phishing, or pharming."),
        (&[NX_TITLE, ILLEGAL], L, "Infringing Content. Content that infringes or misappropriates the intellectual property or proprietary rights of others."),
        (&[NX_TITLE, ILLEGAL], L, "Offensive Content. Content that is defamatory, obscene, abusive, invasive of privacy, or otherwise objectionable."),
        (&[NX_TITLE, ILLEGAL], L, "Content Harmful to Cybersecurity. Content or other computer technology that may damage, interfere with, surreptitiously intercept, or expropriate any system, program, or data, including viruses, Trojan horses, worms, time bombs, or cancelbots."),
        (&[NX_TITLE], H, SECURITY),
        (&[NX_TITLE, SECURITY], P, "You may not use the Services to violate the security or integrity of any network, computer or communications system, software application, or network or computing device (each, a \u{201C}System\u{201D}). Prohibited activities include:"),
        (&[NX_TITLE, SECURITY], L, "Unauthorized Access. Accessing or using any System without permission, including attempting to probe, scan, or test the vulnerability of a System or to breach any security or authentication measures used by a System."),
        (&[NX_TITLE, SECURITY], L, "Interception. Monitoring of data or traffic on a System without permission."),
        (&[NX_TITLE, SECURITY], L, "Falsification of Origin. Forging TCP-IP packet headers, e-mail headers, or any part of a message describing its origin or route. The legitimate use of aliases and anonymous remailers is not prohibited by this provision."),
        (&[NX_TITLE], H, NETWORK),
        (&[NX_TITLE, NETWORK], P, "You may not make network connections to any users, hosts, or networks unless you have permission to communicate with them. Prohibited activities include:"),
        (&[NX_TITLE, NETWORK], L, "Monitoring or Crawling. Monitoring or crawling of a System that impairs or disrupts the System being monitored or crawled."),
        (&[NX_TITLE, NETWORK], L, "Denial of Service (DoS). Inundating a target with communications requests so the target either cannot respond to legitimate traffic or responds so slowly that it becomes ineffective."),
        (&[NX_TITLE, NETWORK], L, "Intentional Interference. Interfering with the proper functioning of any System, including any deliberate attempt to overload a system by mail bombing, news bombing, broadcast attacks, or flooding techniques."),
        (&[NX_TITLE, NETWORK], L, "Operation of Certain Network Services. Operating network services like open proxies, open mail relays, or open recursive domain name servers."),
        (&[NX_TITLE, NETWORK], L, "Avoiding System Restrictions. Using manual or electronic means to avoid any use limitations placed on a System, such as access and storage restrictions."),
        (&[NX_TITLE], H, MAIL),
        (&[NX_TITLE, MAIL], P, "You will not distribute, publish, send, or facilitate the sending of mass e-mail or other messages, promotions, advertising, or solicitations (like \u{201C}spam\u{201D}) without the express consent or at the request of the recipient, including commercial advertising and informational announcements. You will not alter or obscure mail headers or assume a sender\u{2019}s identity without the sender\u{2019}s explicit permission. You will not collect replies to messages sent from another internet service provider if those messages violate this Policy or the acceptable use policy of that provider."),
        (&[NX_TITLE], H, MONITOR),
        (&[NX_TITLE, MONITOR], P, "We reserve the right, but do not assume the obligation, to investigate any violation of this Policy or misuse of the Services or Amazon Web Services China Site. We may:"),
        (&[NX_TITLE, MONITOR], L, "investigate violations of this Policy or misuse of the Services or Amazon Web Services China Site; or"),
        (&[NX_TITLE, MONITOR], L, "remove, disable access to, or modify any content or resource that violates this Policy or any other agreement we have with you for use of the Services or the Amazon Web Services China Site."),
        (&[NX_TITLE, MONITOR], P, "We may report any activity that we suspect violates any law or regulation to appropriate law enforcement officials, regulators, or other appropriate third parties. Our reporting may include disclosing appropriate customer information. We also may cooperate with appropriate law enforcement agencies, regulators, or other appropriate third parties to help with the investigation and prosecution of illegal conduct by providing network and systems information related to alleged violations of this Policy."),
        (&[NX_TITLE], H, MLPS),
        (&[NX_TITLE, MLPS], P, NX_MLPS),
        (&[NX_TITLE], H, REPORTING),
        (&[NX_TITLE, REPORTING], P, "If you become aware of any violation of this Policy, you will immediately notify us and provide us with assistance, as requested, to stop or remedy the violation. To report any violation of this Policy, please follow our abuse reporting process."),
    ]);
    build(NX_TITLE, (2021, 6, 18), &items)
}

const BJ_TITLE: &str = "Acceptable Use Policy for Amazon Web Services (Beijing Region)";

/// Seed 000: the Beijing AUP of 2021-12-28 (plain text; its lead-in sentence
/// was lost by the page, so the first list hangs under no heading).
pub(crate) fn seed_000() -> ExtractedDocument {
    let mut items: Vec<(&[&str], ProvisionKind, &str)> = vec![
        (&[], P, "Last Updated: December 28, 2021"),
        (&[], L, "for any illegal or fraudulent activity;"),
        (&[], L, "to violate the rights of others;"),
        (
            &[],
            L,
            "to threaten, incite, promote, or actively encourage violence, terrorism, or other serious harm;",
        ),
        (
            &[],
            L,
            "for any content or activity that promotes child sexual exploitation or abuse;",
        ),
        (
            &[],
            L,
            "to violate the security, integrity, or availability of any user, network, computer or communications system, software application, or network or computing device;",
        ),
        (
            &[],
            L,
            "to distribute, publish, send, or facilitate the sending of unsolicited mass email or other messages, promotions, advertising, or solicitations (or \u{201C}spam\u{201D}).",
        ),
        (
            &[],
            P,
            "Content or activity prohibited by PRC laws and regulations is also prohibited under this Policy, including anything that:",
        ),
    ];
    for item in PRC_ITEMS.iter().take(8) {
        items.push((&[], L, item));
    }
    items.extend_from_slice(&[
        (&[], L, "contains any other content prohibited by laws, administrative regulations, departmental regulations, administrative orders or policies promulgated from time to time;"),
        (&[], L, "constitutes or facilitates any prohibited crypto currency mining or exchange related business."),
        (&[], H, MLPS),
        (&[MLPS], P, "The Amazon Cloud Services System operated by us is certified and graded at MLPS Level 3 and it can host customers\u{2019} applications and systems that are graded at MLPS Level 3 and below. It is your responsibility to file an appropriate MLPS application with the relevant public security authority for any applicable information system that you operate and use in accordance with the Cybersecurity Law, the Administrative Measures for the Graded Protection of Information Security and any other applicable laws and regulations."),
        (&[], H, "Investigation and Enforcement"),
        (&["Investigation and Enforcement"], P, "We may investigate any suspected violation of this Policy, and remove or disable access to any content or resource that violates this Policy. You agree to cooperate with us to remedy any violation."),
        (&["Investigation and Enforcement"], P, "When determining whether there has been a violation of this Policy, we may consider your ability and willingness to comply with this Policy, including the policies and processes you have in place to prevent or identify and remove any prohibited content or activity."),
        (&[], H, "Reporting of Violations"),
        (&["Reporting of Violations"], P, "To report any violation of this Policy, please follow our abuse reporting process."),
    ]);
    build(BJ_TITLE, (2021, 12, 28), &items)
}

#[test]
fn seed_002_to_001_global_to_ningxia() {
    let (old, new) = (seed_002(), seed_001());
    let cs = diff(&old, &new);
    assert_invariants(&old, &new, &cs);
    assert_expect(
        &cs,
        &Expect {
            unchanged: &[
                "Forging TCP-IP packet headers",
                "Monitoring of data or traffic on a System without permission",
                "Inundating a target with communications requests",
                "Operating network services like open proxies",
                "Using manual or electronic means to avoid any use limitations",
                "Monitoring or crawling of a System that impairs or disrupts",
            ],
            matched: &[
                "We reserve the right, but do not assume the obligation, to investigate",
                "You may not use the Services to violate the security or integrity",
                "If you become aware of any violation of this Policy",
            ],
            added: &[
                "opposes the basic principles established by the Constitution",
                "certified and graded at MLPS Level 3",
            ],
            removed: &["pornography, relates to bestiality, or depicts non-consensual sex acts"],
            substantive: &[
                "opposes the basic principles established by the Constitution",
                "certified and graded at MLPS Level 3",
            ],
            not_substantive: &[
                "Forging TCP-IP packet headers",
                "Inundating a target with communications requests",
                // The rebrand alone ("AWS Site" → "Amazon Web Services China Site").
                "We reserve the right, but do not assume the obligation, to investigate",
            ],
            reasons: &[
                (
                    "We reserve the right, but do not assume",
                    "entity renamed 'AWS' → 'Amazon Web Services China'",
                ),
                ("opposes the basic principles", "new list item"),
                ("certified and graded at MLPS Level 3", "new provision"),
                ("Updated September 16th, 2016", "effective date changed"),
                ("describes prohibited uses", "party changed"),
            ],
            ..Expect::default()
        },
    );
    insta::assert_snapshot!("seed_002_to_001_summary", cs.summary_text);
}

#[test]
fn seed_001_to_000_ningxia_to_beijing() {
    let (old, new) = (seed_001(), seed_000());
    let cs = diff(&old, &new);
    assert_invariants(&old, &new, &cs);
    assert_expect(
        &cs,
        &Expect {
            matched: &[
                "certified and graded at MLPS Level 3",
                "incites ethnic hatred or discrimination",
                "opposes the basic principles established by the Constitution",
                "jeopardizes the honor and interests of the nation",
            ],
            added: &["prohibited crypto currency mining or exchange related business"],
            removed: &[
                "Inundating a target with communications requests",
                "Forging TCP-IP packet headers",
            ],
            substantive: &[
                "prohibited crypto currency mining or exchange related business",
                "Inundating a target with communications requests",
            ],
            not_substantive: &["opposes the basic principles established by the Constitution"],
            reasons: &[
                ("prohibited crypto currency mining", "new list item"),
                ("Inundating a target", "list item removed"),
                ("opposes the basic principles", "moved from"),
            ],
            ..Expect::default()
        },
    );
    insta::assert_snapshot!("seed_001_to_000_summary", cs.summary_text);
}

#[test]
fn seed_diffs_are_deterministic() {
    let (a, b) = (seed_002(), seed_001());
    let first = serde_json::to_string(&diff(&a, &b)).unwrap();
    for _ in 0..3 {
        assert_eq!(serde_json::to_string(&diff(&a, &b)).unwrap(), first);
    }
}

#[test]
fn seed_renderings() {
    let cs = diff(&seed_002(), &seed_001());
    insta::assert_snapshot!("seed_002_to_001_text", cw_diff::render_text(&cs));
    let cs = diff(&seed_001(), &seed_000());
    insta::assert_snapshot!("seed_001_to_000_text", cw_diff::render_text(&cs));
}
