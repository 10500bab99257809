//! Alignment cases: exact, fuzzy, moved between sections, reordered,
//! split, merged, added, removed, renamed headings, repeated text.

use crate::{Expect, check};
use cw_model::ChangeKind;

#[test]
fn exact_match_is_unchanged() {
    check(
        "# Rules\nYou may not probe our systems.\n- Interception.",
        "# Rules\nYou may not probe our systems.\n- Interception.",
        Expect {
            unchanged: &["You may not probe our systems.", "Interception."],
            ..Expect::default()
        },
    );
}

#[test]
fn cosmetic_only_edits_are_unchanged_after_normalisation() {
    check(
        "# Rules\n- 1. Keep your \"password\" secret.",
        "# Rules\n- 2.  Keep your \u{201C}password\u{201D}   secret;",
        Expect {
            unchanged: &["Keep your"],
            ..Expect::default()
        },
    );
}

#[test]
fn fuzzy_match_is_modified() {
    check(
        "# Enforcement\nWe may suspend or terminate your use of the Services if you violate this Policy.",
        "# Enforcement\nWe may suspend or terminate your use of the Services at any time if you violate this Policy.",
        Expect {
            modified: &["We may suspend or terminate"],
            reasons: &[("We may suspend", "added qualifier 'at any time'")],
            ..Expect::default()
        },
    );
}

#[test]
fn moved_between_sections() {
    let cs = check(
        "# No Network Abuse\n- Avoiding System Restrictions. Using manual means to avoid limits.\n# No Security Violations\n- Interception. Monitoring of traffic.",
        "# No Network Abuse\n# No Security Violations\n- Interception. Monitoring of traffic.\n- Avoiding System Restrictions. Using manual means to avoid limits.",
        Expect {
            moved: &["Avoiding System Restrictions"],
            unchanged: &["Interception"],
            not_substantive: &["Avoiding System Restrictions"],
            reasons: &[(
                "Avoiding System Restrictions",
                "moved from 'No Network Abuse' to 'No Security Violations'",
            )],
            ..Expect::default()
        },
    );
    let moved = cs
        .changes
        .iter()
        .find(|c| c.kind == ChangeKind::Moved)
        .unwrap();
    assert_eq!(moved.heading_path, ["No Security Violations"]);
}

#[test]
fn moved_from_prohibited_to_permitted_is_substantive() {
    check(
        "# Prohibited Activities\n- Running a port scanner against our hosts.\n# Permitted Activities\n- Reading the documentation.",
        "# Prohibited Activities\n# Permitted Activities\n- Reading the documentation.\n- Running a port scanner against our hosts.",
        Expect {
            moved: &["Running a port scanner"],
            substantive: &["Running a port scanner"],
            reasons: &[("Running a port scanner", "changes which rules apply")],
            ..Expect::default()
        },
    );
}

#[test]
fn reordered_within_a_section() {
    check(
        "# Rules\n- Alpha rule about spam.\n- Beta rule about phishing.\n- Gamma rule about malware.\n- Delta rule about scraping.",
        "# Rules\n- Delta rule about scraping.\n- Alpha rule about spam.\n- Beta rule about phishing.\n- Gamma rule about malware.",
        Expect {
            moved: &["Delta rule"],
            unchanged: &["Alpha rule", "Beta rule", "Gamma rule"],
            reasons: &[("Delta rule", "reordered")],
            not_substantive: &["Delta rule"],
            ..Expect::default()
        },
    );
}

#[test]
fn split_keeps_every_id_once() {
    let cs = check(
        "# Accounts\nYou must keep your password secret. You must tell us at once about any unauthorised use of your account.",
        "# Accounts\nYou must keep your password secret.\nYou must tell us at once about any unauthorised use of your account.",
        Expect {
            matched: &["You must keep your password secret."],
            not_substantive: &["You must keep your password secret"],
            ..Expect::default()
        },
    );
    let reasons: Vec<&String> = cs.changes.iter().flat_map(|c| &c.reasons).collect();
    assert!(
        reasons.iter().any(|r| r.starts_with("split into")),
        "{reasons:?}"
    );
    assert!(
        reasons.iter().any(|r| r.starts_with("split from")),
        "{reasons:?}"
    );
}

#[test]
fn merge_keeps_every_id_once() {
    let cs = check(
        "# Accounts\nYou must keep your password secret.\nYou must tell us at once about any unauthorised use of your account.",
        "# Accounts\nYou must keep your password secret and tell us at once about any unauthorised use of your account.",
        Expect {
            not_substantive: &["keep your password secret"],
            ..Expect::default()
        },
    );
    let reasons: Vec<&String> = cs.changes.iter().flat_map(|c| &c.reasons).collect();
    assert!(
        reasons.iter().any(|r| r.starts_with("merged from")),
        "{reasons:?}"
    );
    assert!(
        reasons.iter().any(|r| r.starts_with("merged into")),
        "{reasons:?}"
    );
}

#[test]
fn added_and_removed() {
    check(
        "# Rules\n- Spamming.\n- Phishing attacks against users.",
        "# Rules\n- Spamming.\n- Crypto currency mining on our hosts.",
        Expect {
            added: &["Crypto currency mining"],
            removed: &["Phishing attacks"],
            substantive: &["Crypto currency mining", "Phishing attacks"],
            reasons: &[
                ("Crypto currency", "new list item"),
                ("Phishing", "list item removed"),
            ],
            ..Expect::default()
        },
    );
}

#[test]
fn removed_items_stand_where_they_stood() {
    let cs = check(
        "# Rules\n- Alpha rule about spam.\n- Beta rule about phishing.\n- Gamma rule about malware.",
        "# Rules\n- Alpha rule about spam.\n- New rule about crypto mining.\n- Gamma rule about malware.",
        Expect::default(),
    );
    let kinds: Vec<ChangeKind> = cs.changes.iter().map(|c| c.kind).collect();
    use ChangeKind::*;
    assert_eq!(kinds, [Unchanged, Unchanged, Removed, Added, Unchanged]);
}

#[test]
fn short_clause_rewritten_in_place_is_one_modified_change() {
    // Issue #20: a clause rewritten where it stood is one modified change
    // with a redline, not a removal and an addition.
    let cs = check(
        "# Data
- Name;
- Photographies ;
- Address;
# Contact
Our addresses are:",
        "# Data
- Name;
- Photos ;
- Address;
# Contact
Our address is:",
        Expect::default(),
    );
    let kinds: Vec<ChangeKind> = cs.changes.iter().map(|c| c.kind).collect();
    use ChangeKind::*;
    assert_eq!(
        kinds,
        [
            Unchanged, Unchanged, Modified, Unchanged, Unchanged, Modified
        ]
    );
}

#[test]
fn renamed_heading_does_not_move_its_provisions() {
    check(
        "# Reporting of Violations of this Policy\nTo report any violation, follow our abuse process.",
        "# Reporting of Violations\nTo report any violation, follow our abuse process.",
        Expect {
            unchanged: &["To report any violation"],
            modified: &["Reporting of Violations of this Policy"],
            not_substantive: &["Reporting of Violations"],
            ..Expect::default()
        },
    );
}

#[test]
fn repeated_text_pairs_by_section() {
    check(
        "# Security\nProhibited activities include:\n- Probing.\n# Network\nProhibited activities include:\n- Flooding.",
        "# Network\nProhibited activities include:\n- Flooding.",
        Expect {
            unchanged: &["Flooding"],
            removed: &["Probing"],
            ..Expect::default()
        },
    );
}

#[test]
fn an_outer_heading_added_by_the_extractor_is_not_a_move() {
    let old = crate::doc("AUP", "# No Network Abuse\n- Flooding a target.");
    let new = crate::doc("AUP", "# AUP\n## No Network Abuse\n- Flooding a target.");
    let cs = cw_diff::diff(&old, &new);
    crate::assert_invariants(&old, &new, &cs);
    crate::assert_expect(
        &cs,
        &Expect {
            unchanged: &["Flooding a target"],
            ..Expect::default()
        },
    );
}

#[test]
fn empty_documents() {
    let cs = check("", "", Expect::default());
    assert!(cs.changes.is_empty());
    assert_eq!(cs.summary_text, "Both documents are empty.");
    let cs = check(
        "",
        "# A\nText here now.",
        Expect {
            added: &["Text here now"],
            ..Expect::default()
        },
    );
    assert_eq!(cs.summary.added, 2);
}

#[test]
fn chinese_text_is_aligned_per_character() {
    check(
        "# 条款\n我们可以随时修改本政策。",
        "# 条款\n我们可以随时修改本政策并通知您。",
        Expect {
            modified: &["我们可以随时修改本政策"],
            ..Expect::default()
        },
    );
}
