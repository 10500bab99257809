//! Significance rules end to end: each TAXONOMY §3 cue on a one-provision diff.

use crate::{Expect, check};

/// Diffs one paragraph against its edit and expects `reason` (substantive
/// when `substantive`).
fn one(old: &str, new: &str, reason: &str, substantive: bool) {
    let (o, n) = (format!("# S\n{old}"), format!("# S\n{new}"));
    let frag = old.split_whitespace().take(3).collect::<Vec<_>>().join(" ");
    let mut e = Expect {
        reasons: &[],
        ..Expect::default()
    };
    let reasons = [(frag.as_str(), reason)];
    let list = [frag.as_str()];
    e.reasons = &reasons;
    if substantive {
        e.substantive = &list;
    } else {
        e.not_substantive = &list;
    }
    check(&o, &n, e);
}

#[test]
fn modal_shifts() {
    one(
        "We may notify you of changes.",
        "We will notify you of changes.",
        "modal shift 'may' → 'will'",
        true,
    );
    one(
        "We will notify you of changes.",
        "We may notify you of changes.",
        "modal shift 'will' → 'may'",
        true,
    );
    one(
        "We remove infringing content.",
        "We reserve the right to remove infringing content.",
        "added 'reserve the right'",
        true,
    );
}

#[test]
fn notice_and_discretion_qualifiers() {
    one(
        "We may suspend your account.",
        "We may suspend your account without notice.",
        "added qualifier 'without notice'",
        true,
    );
    one(
        "We may change this Policy at any time.",
        "We may change this Policy.",
        "removed qualifier 'at any time'",
        true,
    );
    one(
        "We may remove content.",
        "We may remove content in our sole discretion.",
        "added qualifier 'sole discretion'",
        true,
    );
    one(
        "We may close accounts.",
        "We may close accounts for any reason.",
        "added qualifier 'for any reason'",
        true,
    );
    one(
        "Changes apply to you.",
        "Changes apply to you effective upon posting.",
        "added qualifier 'effective upon posting'",
        true,
    );
    one(
        "We will suspend access.",
        "We will immediately suspend access.",
        "added qualifier 'immediately'",
        true,
    );
}

#[test]
fn negations_and_exceptions() {
    one(
        "You may share your password.",
        "You may not share your password.",
        "negation added 'not'",
        true,
    );
    one(
        "You may share data with partners.",
        "You may share data with partners unless we object.",
        "exception added 'unless'",
        true,
    );
    one(
        "We disclose data except as required.",
        "We disclose data as required.",
        "exception removed 'except'",
        true,
    );
    one(
        "Our liability is limited.",
        "Subject to law, our liability is limited.",
        "exception added 'subject to'",
        true,
    );
}

#[test]
fn numbers_and_periods() {
    one(
        "We give 30 days notice of changes.",
        "We give 15 days notice of changes.",
        "number changed '30 days' → '15 days'",
        true,
    );
    one(
        "Users must be 13 years old.",
        "Users must be 16 years old.",
        "number changed '13 years old' → '16 years old'",
        true,
    );
    one(
        "Logs are kept for 6 months.",
        "Logs are kept for 12 months.",
        "number changed '6 months' → '12 months'",
        true,
    );
    one(
        "Fees are capped at $100.",
        "Fees are capped at $1,000.",
        "number changed '$100' → '$1,000'",
        true,
    );
}

#[test]
fn list_entries_inside_a_provision() {
    one(
        "Content including viruses, worms, or cancelbots.",
        "Content including viruses, worms, ransomware, or cancelbots.",
        "list entry added 'ransomware'",
        true,
    );
}

#[test]
fn dispute_terms() {
    one(
        "Disputes are resolved in court.",
        "Disputes are resolved by binding arbitration.",
        "added dispute term 'binding arbitration'",
        true,
    );
    one(
        "This Policy is governed by the laws of the State of Washington.",
        "This Policy is governed by the laws of the State of Delaware.",
        "governing law/forum changed 'Washington' → 'Delaware'",
        true,
    );
}

#[test]
fn scope_and_actor() {
    one(
        "You are responsible for compliance.",
        "You and your end users are responsible for compliance.",
        "scope/actor added 'end users'",
        true,
    );
}

#[test]
fn party_change() {
    one(
        "The Services and the website are provided to you by Amazon Web Services, Inc. and this Policy applies to your use of them.",
        "The Services and the website are provided to you by Ningxia Western Cloud Data Technology Co., Ltd. and this Policy applies to your use of them.",
        "party changed",
        true,
    );
}

#[test]
fn cosmetic_changes() {
    one(
        "Send e-mail to abuse desk.",
        "Send email to abuse desk.",
        "spelling variant 'e-mail' → 'email'",
        false,
    );
    one(
        "Report Abuse Promptly please.",
        "report abuse promptly please.",
        "case changed",
        false,
    );
    one(
        "Misuse of the AWS Site is prohibited.",
        "Misuse of the Amazon Web Services China Site is prohibited.",
        "entity renamed",
        false,
    );
    one(
        "As set out in Section 5 below.",
        "As set out in Section 6 below.",
        "cross-reference renumbered",
        false,
    );
    one(
        "Content that is unlawful is removed.",
        "Content which is unlawful is removed.",
        "minor wording",
        false,
    );
}

#[test]
fn date_lines() {
    check(
        "Last Updated: June 18, 2021\n# S\nText of the policy here.",
        "Last Updated: December 28, 2021\n# S\nText of the policy here.",
        Expect {
            not_substantive: &["Last Updated"],
            reasons: &[(
                "Last Updated",
                "effective date changed 'June 18, 2021' → 'December 28, 2021'",
            )],
            ..Expect::default()
        },
    );
}

#[test]
fn added_headings_and_date_lines_are_cosmetic() {
    check(
        "# S\nText of the policy here.",
        "Effective: January 1, 2024\n# S\nText of the policy here.\n# New Section",
        Expect {
            not_substantive: &["Effective: January 1, 2024", "New Section"],
            reasons: &[
                ("Effective", "effective-date line added"),
                ("New Section", "new heading"),
            ],
            ..Expect::default()
        },
    );
}

#[test]
fn added_paragraphs_are_substantive() {
    check(
        "# S\nText of the policy here.",
        "# S\nText of the policy here.\nWe may share your data with advertisers.",
        Expect {
            substantive: &["share your data with advertisers"],
            reasons: &[("share your data", "new provision")],
            ..Expect::default()
        },
    );
}
