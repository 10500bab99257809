//! One truth for "changed" (issue #20): a provision's history reads its
//! change and significance from the stored change record, the one the
//! diff of the same pair, the timeline and the alerts read. A straight →
//! curly quote edit is unchanged everywhere; a real edit is a change
//! everywhere, with the same significance.

use crate::util::{Home, key};
use cw_model::{ChangeKind, Significance};

const V1: &str = "# Terms\n\n## Use\n\nYou must not use the \"Service\" to send spam.\n\n## Fees\n\nYou will pay within 30 days.\n";
const V2: &str = "# Terms\n\n## Use\n\nYou must not use the \u{201c}Service\u{201d} to send spam.\n\n## Fees\n\nYou will pay within 15 days.\n";

#[tokio::test]
async fn history_and_diff_agree_on_a_quote_only_edit_and_on_a_real_one() {
    let home = Home::new().await;
    let store = home.engine.store();
    let k = key("example/terms");
    home.import(&k, V1, "2021-01-01").await;
    home.import(&k, V2, "2021-02-01").await;
    let (v1, v2) = (home.version(&k, 1).await, home.version(&k, 2).await);
    let diff = store
        .stored_change_between(&k, 1, 2)
        .await
        .unwrap()
        .unwrap();
    // The stored record is the diff of the pair.
    assert_eq!(diff, cw_diff::diff(&v1.document, &v2.document));

    let quotes = home
        .key_of(&k, 1, "You must not use the \"Service\" to send spam.")
        .await;
    let history = store.provision_history(&k, &quotes).await.unwrap();
    assert_eq!(history.len(), 2);
    assert_ne!(history[0].provision.text, history[1].provision.text);
    assert!(!history[1].changed(Some(&history[0])), "{history:#?}");
    let in_diff = diff
        .changes
        .iter()
        .find(|c| c.new_id.as_deref() == Some(history[1].provision.id.as_str()))
        .unwrap();
    assert_eq!(in_diff.kind, ChangeKind::Unchanged);
    assert_eq!(history[1].change.as_ref(), Some(in_diff));

    let fees = home.key_of(&k, 1, "You will pay within 30 days.").await;
    let history = store.provision_history(&k, &fees).await.unwrap();
    assert!(history[1].changed(Some(&history[0])));
    let change = history[1].change.as_ref().unwrap();
    assert_eq!(
        (change.kind, change.significance),
        (ChangeKind::Modified, Significance::Substantive)
    );
    assert!(!history[0].changed(None), "a first text is never a change");
}
