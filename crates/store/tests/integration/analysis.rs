//! Analysis results (migration 0003): recorded per version, read back
//! exactly, replaced idempotently, refused when stale, and listed for the
//! newest versions in force.

use super::util::{TestHome, key};
use cw_model::{VersionRef, VersionSelector};
use cw_store::{
    AnalysisFinding, AnalysisOutcome, NewAnalysis, ProvisionAnalysis, StoreError, StoredLabel,
};

async fn content_hash(home: &TestHome, doc: &str, n: u32) -> String {
    home.store
        .version(&VersionRef {
            document: key(doc),
            selector: VersionSelector::Number(n),
        })
        .await
        .unwrap()
        .row
        .content_hash
}

fn label(id: &str, confidence: f32, span: (usize, usize)) -> StoredLabel {
    StoredLabel {
        id: id.into(),
        confidence,
        span,
        source: "rule".into(),
    }
}

fn analysis(doc: &str, n: u32, hash: String, labels: Vec<StoredLabel>) -> NewAnalysis {
    NewAnalysis {
        document: key(doc),
        version_number: n,
        analyzer_version: "cw-analyze test".into(),
        model_version: "unfair_tos test".into(),
        content_hash: hash,
        doc_type: "aup".into(),
        provisions: vec![ProvisionAnalysis {
            position: 1,
            provision_id: "rules/2".into(),
            labels,
            attributes: Some(serde_json::json!({"modality": {"value": "may", "span": [3, 6]}})),
        }],
        findings: vec![
            AnalysisFinding {
                check: "dsa-17".into(),
                regulation: "DSA".into(),
                article: "17".into(),
                provision_id: Some("rules/2".into()),
                message: "m".into(),
                evidence: Some("without notice".into()),
                caveat: "risk indicator, not a legal determination".into(),
            },
            AnalysisFinding {
                check: "gdpr".into(),
                regulation: "GDPR".into(),
                article: "13(2)(a)".into(),
                provision_id: None,
                message: "no retention".into(),
                evidence: None,
                caveat: "risk indicator, not a legal determination".into(),
            },
        ],
    }
}

#[tokio::test]
async fn analyses_round_trip_replace_and_list_in_force() {
    let home = TestHome::new().await;
    home.import("aws/aup")
        .bytes("v1")
        .on("2021-01-10")
        .provisions(&[
            ("rules/1", "No spam."),
            ("rules/2", "We may suspend accounts without notice."),
        ])
        .run()
        .await
        .unwrap();
    let store = &home.store;
    assert_eq!(store.analysis(&key("aws/aup"), 1).await.unwrap(), None);

    let hash = content_hash(&home, "aws/aup", 1).await;
    let new = analysis(
        "aws/aup",
        1,
        hash.clone(),
        vec![
            label("enf_suspension_termination", 0.9, (3, 14)),
            label("tos_unilateral_termination", 0.613_457_2, (0, 38)),
        ],
    );
    assert_eq!(
        store.record_analysis(&new).await.unwrap(),
        AnalysisOutcome::Recorded
    );
    let got = store.analysis(&key("aws/aup"), 1).await.unwrap().unwrap();
    assert_eq!(
        got.provisions, new.provisions,
        "labels and attributes read back exactly"
    );
    assert_eq!(got.findings, new.findings);
    assert_eq!(got.analyzer_version, "cw-analyze test");
    assert_eq!(got.model_version, "unfair_tos test");
    assert!(got.current_content);

    // Same results: nothing written. Other results: replaced, old rows gone.
    assert_eq!(
        store.record_analysis(&new).await.unwrap(),
        AnalysisOutcome::Unchanged
    );
    let other = analysis(
        "aws/aup",
        1,
        hash.clone(),
        vec![label("enf_investigation", 0.5, (0, 2))],
    );
    assert_eq!(
        store.record_analysis(&other).await.unwrap(),
        AnalysisOutcome::Replaced
    );
    let got = store.analysis(&key("aws/aup"), 1).await.unwrap().unwrap();
    assert_eq!(got.provisions, other.provisions);
    // A newer analyzer with the same results replaces too (the version is recorded).
    let newer = NewAnalysis {
        analyzer_version: "cw-analyze newer".into(),
        ..other.clone()
    };
    assert_eq!(
        store.record_analysis(&newer).await.unwrap(),
        AnalysisOutcome::Replaced
    );

    // Stale content, bad positions, duplicate labels, unknown versions: refused.
    let stale = NewAnalysis {
        content_hash: "0".repeat(64),
        ..other.clone()
    };
    assert!(matches!(
        store.record_analysis(&stale).await,
        Err(StoreError::InvalidImport { .. })
    ));
    let mut bad = other.clone();
    bad.provisions[0].position = 2;
    assert!(matches!(
        store.record_analysis(&bad).await,
        Err(StoreError::InvalidImport { .. })
    ));
    let mut dup = other.clone();
    dup.provisions[0]
        .labels
        .push(label("enf_investigation", 0.4, (0, 1)));
    assert!(matches!(
        store.record_analysis(&dup).await,
        Err(StoreError::InvalidImport { .. })
    ));
    let missing = NewAnalysis {
        version_number: 9,
        ..other.clone()
    };
    assert!(matches!(
        store.record_analysis(&missing).await,
        Err(StoreError::NotFound { .. })
    ));

    // In force: the newest version's labelled provisions, with text and headings.
    let rows = store.labelled_provisions_in_force().await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].provision_id, "rules/2");
    assert_eq!(rows[0].text, "We may suspend accounts without notice.");
    assert_eq!(rows[0].heading_path, vec!["rules".to_string()]);
    assert_eq!(rows[0].labels[0].id, "enf_investigation");

    // A newer version without an analysis: the document contributes nothing.
    home.import("aws/aup")
        .bytes("v2")
        .on("2022-01-10")
        .provisions(&[("rules/1", "No spam at all.")])
        .run()
        .await
        .unwrap();
    assert!(
        store
            .labelled_provisions_in_force()
            .await
            .unwrap()
            .is_empty()
    );
    // The old version's analysis is still there.
    assert!(store.analysis(&key("aws/aup"), 1).await.unwrap().is_some());
}
