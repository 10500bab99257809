//! Variants (issue #23) on the seeds' three AWS Acceptable Use Policies
//! (global, Beijing, Ningxia): the view shows the PRC-law list and the
//! crypto-mining ban as China-region provisions only, and an edit of one
//! variant becomes a divergence alert once the window has elapsed (a
//! stepped clock, no sleeping).

use crate::util::Home;
use crate::watchkit::{config, watcher};
use chrono::{DateTime, TimeZone, Utc};
use cw_engine::ImportRequest;
use cw_model::DocumentKey;
use cw_notify::{Channel, Filter};
use std::path::{Path, PathBuf};

fn seeds() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seeds");
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!(
            "SKIPPED: {} is absent; the variants test did not run",
            p.display()
        );
        None
    }
}

/// The seed whose first line names the policy.
fn seed(dir: &Path, first_words: &str) -> String {
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap_or_default();
        if text.trim_start().lines().any(|l| l.trim() == first_words) {
            return text;
        }
    }
    panic!("no seed with the line {first_words:?}");
}

fn day(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 0, 0, 0).unwrap()
}

async fn import(home: &Home, key: &DocumentKey, text: &str, at: DateTime<Utc>) {
    let mut req = ImportRequest::new(key.clone(), text.as_bytes().to_vec(), format!("{key}.txt"));
    req.observed_at = Some(at);
    home.engine.import(req).await.unwrap();
}

#[tokio::test]
async fn aws_aup_variants_view_and_divergence_alert() {
    let Some(dir) = seeds() else { return };
    let global_text = seed(&dir, "# AWS Acceptable Use Policy");
    let beijing_text = seed(
        &dir,
        "Acceptable Use Policy for Amazon Web Services (Beijing Region)",
    );
    let ningxia_text = seed(
        &dir,
        "Acceptable Use Policy for Amazon Web Services (Ningxia Region)",
    );
    let home = Home::new().await;
    let store = home.engine.store();
    let global: DocumentKey = "aws/aup-global".parse().unwrap();
    let beijing: DocumentKey = "aws/aup-beijing".parse().unwrap();
    let ningxia: DocumentKey = "aws/aup-ningxia".parse().unwrap();
    for (key, text) in [
        (&global, &global_text),
        (&beijing, &beijing_text),
        (&ningxia, &ningxia_text),
    ] {
        import(&home, key, text, day(2022, 1, 10)).await;
    }
    store
        .set_variant(&global, "aws-aup", "global")
        .await
        .unwrap();
    store
        .set_variant(&beijing, "aws-aup", "beijing")
        .await
        .unwrap();
    store
        .set_variant(&ningxia, "aws-aup", "ningxia")
        .await
        .unwrap();

    let view = home.engine.variants_view("aws-aup").await.unwrap();
    assert_eq!(view.columns.len(), 3);
    let rows_with = |needle: &str| -> Vec<&cw_engine::AlignedRow> {
        view.rows
            .iter()
            .filter(|r| r.texts.iter().flatten().any(|t| t.contains(needle)))
            .collect()
    };
    // The PRC-law list: its lead-in and items exist only in the China regions.
    let prc = rows_with("PRC laws");
    assert!(!prc.is_empty());
    for needle in ["PRC laws", "endangers national security", "ethnic hatred"] {
        for row in rows_with(needle) {
            assert!(row.absent_from.contains(&"global".to_string()), "{row:?}");
            assert!(!row.present_in.contains(&"global".to_string()), "{row:?}");
        }
    }
    // The national-security item is aligned across Beijing and Ningxia: one row.
    let security = rows_with("endangers national security");
    assert_eq!(security.len(), 1, "{security:?}");
    assert_eq!(security[0].present_in.len(), 2, "{:?}", security[0]);
    // The crypto-mining ban: a China-region provision only.
    let crypto = rows_with("crypto currency mining");
    assert!(!crypto.is_empty());
    for row in crypto {
        assert!(!row.present_in.contains(&"global".to_string()), "{row:?}");
        assert!(row.present_in.contains(&"beijing".to_string()), "{row:?}");
    }
    // And a provision of the global policy alone is shown as such.
    assert!(
        view.differing()
            .any(|r| r.present_in == ["global".to_string()])
    );

    // A subscription to divergences only.
    store
        .add_subscription(
            Some("variants-feed"),
            &serde_json::to_string(&Channel::Feed {
                name: "variants-feed".into(),
            })
            .unwrap(),
            &serde_json::to_string(&Filter {
                flags: vec!["divergence".into()],
                ..Filter::default()
            })
            .unwrap(),
            false,
        )
        .await
        .unwrap();
    // Beijing changes substantively on 2022-03-01; its siblings do not.
    let edited = beijing_text.replace(
        "• to violate the rights of others;",
        "• to violate the rights of others;\n• to operate any online game without a licence;",
    );
    assert_ne!(edited, beijing_text);
    import(&home, &beijing, &edited, day(2022, 3, 1)).await;
    let w = watcher(store, config());
    // Ten days later the 30-day window is still open: no divergence yet.
    assert_eq!(
        w.queue_divergence_alerts(day(2022, 3, 11)).await.unwrap(),
        0
    );
    assert!(store.outbox(None).await.unwrap().is_empty());
    // A step past the window: one divergence, one alert for the Beijing version.
    assert_eq!(w.queue_divergence_alerts(day(2022, 4, 1)).await.unwrap(), 1);
    let outbox = store.outbox(None).await.unwrap();
    assert_eq!(outbox.len(), 1, "{outbox:?}");
    assert_eq!(outbox[0].document, beijing);
    assert_eq!(outbox[0].version_number, 2);
    let found = home
        .engine
        .divergences(chrono::Duration::days(30), day(2022, 4, 1))
        .await
        .unwrap();
    assert_eq!(found[0].unchanged_siblings, ["global", "ningxia"]);
    // Queued once, whatever the number of runs.
    w.queue_divergence_alerts(day(2022, 4, 2)).await.unwrap();
    assert_eq!(store.outbox(None).await.unwrap().len(), 1);

    // Had Ningxia followed within the window, there would be no divergence with it.
    let ningxia_edited = ningxia_text.replacen("PRC laws", "PRC laws and rules", 1);
    import(&home, &ningxia, &ningxia_edited, day(2022, 3, 20)).await;
    let found = home
        .engine
        .divergences(chrono::Duration::days(30), day(2022, 5, 1))
        .await
        .unwrap();
    let beijing_div = found.iter().find(|d| d.variant == "beijing").unwrap();
    assert_eq!(beijing_div.unchanged_siblings, ["global"]);
}
