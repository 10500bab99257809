//! Honest evaluation of the unfair-clause labels (issue #21): 8 of the 40
//! English CLAUDETTE documents are held back from all tuning (a fixed choice:
//! the smallest FNV-1a hashes of the service name), the other 32 are
//! cross-validated by document with every choice (vocabulary, thresholds,
//! calibration) made inside the training folds, and a model trained on the
//! 32 is scored once on the 8. Scores are per label and macro over the eight
//! categories, plus the LexGLUE-style macro over nine classes (the eight and
//! "none of them").

use crate::corpus::Corpus;
use crate::error::AnalyzeError;
use crate::label::{DocType, LabelContext, UNFAIR_CATEGORIES};
use crate::model::Model;
use crate::rules::RuleSet;
use crate::train::{Example, TrainOptions, fit_model, prepare};
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::path::Path;

/// How many English documents are held back from all tuning.
pub const HELD_BACK_COUNT: usize = 8;

/// FNV-1a, 64 bits, of the UTF-8 bytes.
fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The documents held back from all tuning: the [`HELD_BACK_COUNT`] service
/// names (file stems) with the smallest FNV-1a-64 hash, sorted by name. For
/// the 40 English CLAUDETTE documents these are Endomondo, GooglePayments,
/// Mysugr, Pinterest, Skyscanner, TikTok, Western and Zoom.
pub fn held_back_services<S: AsRef<str>>(names: &[S]) -> Vec<String> {
    let mut by_hash: Vec<(u64, &str)> = names
        .iter()
        .map(|n| (fnv1a(n.as_ref()), n.as_ref()))
        .collect();
    by_hash.sort_unstable();
    let mut out: Vec<String> = by_hash
        .into_iter()
        .take(HELD_BACK_COUNT)
        .map(|(_, n)| n.to_string())
        .collect();
    out.sort();
    out
}

/// Precision, recall and F1 of one class (counts pooled over folds).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelScore {
    /// The label id (`none` for the LexGLUE "no unfair label" class).
    pub label: String,
    /// The CLAUDETTE tag (`-` for `none`).
    pub tag: String,
    /// Positive sentences evaluated.
    pub support: usize,
    /// True positives.
    pub tp: usize,
    /// False positives.
    pub fp: usize,
    /// False negatives.
    pub fn_: usize,
    /// tp / (tp + fp).
    pub precision: f32,
    /// tp / (tp + fn).
    pub recall: f32,
    /// Harmonic mean of precision and recall.
    pub f1: f32,
}

/// Scores of one way of labelling one set of sentences.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scores {
    /// Sentences evaluated.
    pub sentences: usize,
    /// The eight categories, in [`UNFAIR_CATEGORIES`] order.
    pub per_label: Vec<LabelScore>,
    /// Unweighted mean of the eight F1s: the number the targets use.
    pub macro_f1: f32,
    /// F1 over the eight categories' pooled counts.
    pub micro_f1: f32,
    /// The ninth LexGLUE class: sentences with none of the eight labels.
    pub none: LabelScore,
    /// LexGLUE-style macro-F1: the mean over the eight and `none`.
    pub lexglue_macro_f1: f32,
}

#[derive(Debug, Clone, Default)]
struct Counts {
    labels: [[usize; 3]; 8],
    none: [usize; 3],
    support: [usize; 8],
    none_support: usize,
    sentences: usize,
}

impl Counts {
    fn add(&mut self, predicted: u8, actual: u8) {
        self.sentences += 1;
        for li in 0..UNFAIR_CATEGORIES.len() {
            let (p, a) = (predicted & (1 << li) != 0, actual & (1 << li) != 0);
            tally(&mut self.labels[li], p, a);
            self.support[li] += usize::from(a);
        }
        tally(&mut self.none, predicted == 0, actual == 0);
        self.none_support += usize::from(actual == 0);
    }

    fn scores(&self) -> Scores {
        let per_label: Vec<LabelScore> = UNFAIR_CATEGORIES
            .iter()
            .enumerate()
            .map(|(li, (id, tag))| score(id, tag, self.support[li], self.labels[li]))
            .collect();
        let none = score("none", "-", self.none_support, self.none);
        let sum: f32 = per_label.iter().map(|s| s.f1).sum();
        let pooled = self
            .labels
            .iter()
            .fold([0; 3], |a, c| [a[0] + c[0], a[1] + c[1], a[2] + c[2]]);
        Scores {
            sentences: self.sentences,
            macro_f1: sum / per_label.len() as f32,
            micro_f1: prf(pooled).2,
            lexglue_macro_f1: (sum + none.f1) / (per_label.len() + 1) as f32,
            per_label,
            none,
        }
    }
}

fn tally(c: &mut [usize; 3], predicted: bool, actual: bool) {
    match (predicted, actual) {
        (true, true) => c[0] += 1,
        (true, false) => c[1] += 1,
        (false, true) => c[2] += 1,
        (false, false) => {}
    }
}

fn prf([tp, fp, fn_]: [usize; 3]) -> (f32, f32, f32) {
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f32 / b as f32 };
    let (p, r) = (ratio(tp, tp + fp), ratio(tp, tp + fn_));
    let f = if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    };
    (p, r, f)
}

fn score(label: &str, tag: &str, support: usize, c: [usize; 3]) -> LabelScore {
    let (precision, recall, f1) = prf(c);
    LabelScore {
        label: label.to_string(),
        tag: tag.to_string(),
        support,
        tp: c[0],
        fp: c[1],
        fn_: c[2],
        precision,
        recall,
        f1,
    }
}

/// The result of [`evaluate`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalReport {
    /// The documents held back from all tuning (see [`held_back_services`]).
    pub held_back: Vec<String>,
    /// Folds of the cross-validation over the other documents.
    pub folds: usize,
    /// Each development document and its fold (sorted names dealt round-robin).
    pub fold_assignment: Vec<(String, usize)>,
    /// Cross-validation, the model scoring each sentence with its neighbours.
    pub cv: Scores,
    /// Cross-validation, `label()` on each sentence alone (as `clausewatch label` reads lines).
    pub cv_shipped: Scores,
    /// Cross-validation, the cue rules alone.
    pub cv_rules: Scores,
    /// Held back, model trained on every development document, sentences with neighbours.
    pub held: Scores,
    /// Held back, `label()` on each sentence alone: **the number that ships**.
    pub held_shipped: Scores,
    /// Held back, `label()` with the linear model alone, when the encoder is
    /// built in (`held_shipped` is then the ensemble): what the encoder adds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held_shipped_linear: Option<Scores>,
    /// Held back, cue rules alone.
    pub held_rules: Scores,
    /// Held back, model ∪ cue rules (how labels were merged before issue #21).
    pub held_union: Scores,
    /// The options used.
    pub options: TrainOptions,
}

impl EvalReport {
    /// A plain-text report: one table per evaluation.
    pub fn to_table(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "held back ({}): {}\n{}-fold cross-validation by document over the other {} documents",
            self.held_back.len(),
            self.held_back.join(", "),
            self.folds,
            self.fold_assignment.len()
        );
        for (name, sc) in [
            ("cross-validation, model with neighbours", &self.cv),
            (
                "cross-validation, label() per sentence alone",
                &self.cv_shipped,
            ),
            ("cross-validation, cue rules alone", &self.cv_rules),
            ("held back, model with neighbours", &self.held),
            (
                "held back, label() per sentence alone (ships)",
                &self.held_shipped,
            ),
            ("held back, cue rules alone", &self.held_rules),
        ] {
            s.push_str(&scores_table(name, sc));
        }
        if let Some(sc) = &self.held_shipped_linear {
            s.push_str(&scores_table(
                "held back, label() per sentence, linear model alone (no encoder)",
                sc,
            ));
        }
        s.push_str(&scores_table(
            "held back, model ∪ rules (old merge)",
            &self.held_union,
        ));
        s
    }
}

/// One evaluation as a plain-text table.
pub fn scores_table(name: &str, sc: &Scores) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "\n{name}: {} sentences", sc.sentences);
    let _ = writeln!(
        s,
        "{:<30} {:>5} {:>6} {:>6} {:>6}",
        "label", "supp", "P", "R", "F1"
    );
    for x in sc.per_label.iter().chain(std::iter::once(&sc.none)) {
        let _ = writeln!(
            s,
            "{:<30} {:>5} {:>6.3} {:>6.3} {:>6.3}",
            x.label, x.support, x.precision, x.recall, x.f1
        );
    }
    let _ = writeln!(
        s,
        "macro-F1 (8 labels) {:.3}   micro-F1 {:.3}   LexGLUE-style macro-F1 (9 classes) {:.3}",
        sc.macro_f1, sc.micro_f1, sc.lexglue_macro_f1
    );
    s
}

fn unfair_mask<'a>(ids: impl Iterator<Item = &'a str>) -> u8 {
    ids.filter_map(|id| UNFAIR_CATEGORIES.iter().position(|(u, _)| *u == id))
        .fold(0, |m, i| m | (1 << i))
}

/// What one trained model predicts for the test examples `test`.
struct Predictions {
    model: Counts,
    shipped: Counts,
    /// `label()` without the encoder (only filled when `with_encoder`).
    shipped_linear: Counts,
    rules: Counts,
    union: Counts,
}

fn predict(
    corpus: &Corpus,
    examples: &[Example],
    train: &[usize],
    test: &[usize],
    options: &TrainOptions,
    with_encoder: bool,
) -> Predictions {
    let services = train_services(corpus, examples, train);
    let (model, xs) = fit_model(examples, train, services, options);
    let rules = RuleSet::embedded();
    let ctx = LabelContext::with_doc_type(DocType::Tos);
    let mut p = Predictions {
        model: Counts::default(),
        shipped: Counts::default(),
        shipped_linear: Counts::default(),
        rules: Counts::default(),
        union: Counts::default(),
    };
    for &i in test {
        let e = &examples[i];
        let by_model = model
            .labels
            .iter()
            .enumerate()
            .filter(|(_, m)| m.linear.score(&xs[i]) >= m.threshold)
            .fold(0u8, |m, (li, _)| m | (1 << li));
        let sentence = &corpus.docs[e.doc].sentences[e.sentence];
        let shipped = shipped_labels(sentence, &ctx, rules, &model, with_encoder);
        p.model.add(by_model, e.tags);
        p.shipped
            .add(unfair_mask(shipped.iter().map(|l| l.id.as_str())), e.tags);
        if with_encoder {
            let linear = shipped_labels(sentence, &ctx, rules, &model, false);
            p.shipped_linear
                .add(unfair_mask(linear.iter().map(|l| l.id.as_str())), e.tags);
        }
        p.rules.add(e.rule_mask, e.tags);
        p.union.add(by_model | e.rule_mask, e.tags);
    }
    p
}

/// `label()`'s answer for one sentence; with `with_encoder` (and the
/// feature), the embedded encoder joins the trained linear model.
fn shipped_labels(
    sentence: &str,
    ctx: &LabelContext,
    rules: Option<&RuleSet>,
    model: &Model,
    with_encoder: bool,
) -> Vec<crate::Label> {
    #[cfg(feature = "encoder")]
    {
        let encoder = if with_encoder {
            crate::Encoder::embedded().zip(crate::Ensemble::embedded())
        } else {
            None
        };
        crate::label::label_with_encoder(sentence, ctx, rules, Some(model), encoder)
    }
    #[cfg(not(feature = "encoder"))]
    {
        let _ = with_encoder;
        crate::label::label_with(sentence, ctx, rules, Some(model))
    }
}

fn train_services(corpus: &Corpus, examples: &[Example], train: &[usize]) -> Vec<String> {
    let mut docs: Vec<usize> = train.iter().map(|&i| examples[i].doc).collect();
    docs.dedup();
    docs.sort_unstable();
    docs.dedup();
    docs.iter().map(|&d| corpus.docs[d].name.clone()).collect()
}

fn merge(into: &mut Counts, from: &Counts) {
    into.sentences += from.sentences;
    into.none_support += from.none_support;
    for k in 0..3 {
        into.none[k] += from.none[k];
        for li in 0..UNFAIR_CATEGORIES.len() {
            into.labels[li][k] += from.labels[li][k];
        }
    }
    for li in 0..UNFAIR_CATEGORIES.len() {
        into.support[li] += from.support[li];
    }
}

/// Evaluates the unfair-clause labels on the CLAUDETTE corpus at
/// `corpus_dir`: `folds`-fold cross-validation by document over the
/// documents not held back, then a model trained on all of those scored on
/// the held-back documents. `options.services`, when set, first restricts
/// the corpus (the held-back choice is made on the full list of names).
pub fn evaluate(
    corpus_dir: &Path,
    folds: usize,
    options: &TrainOptions,
) -> Result<EvalReport, AnalyzeError> {
    let mut corpus = Corpus::load(corpus_dir)?;
    let names: Vec<String> = corpus.docs.iter().map(|d| d.name.clone()).collect();
    let held_back = held_back_services(&names);
    if let Some(s) = &options.services {
        corpus.retain_services(s);
    }
    let is_held = |d: usize| held_back.contains(&corpus.docs[d].name);
    let dev_docs: Vec<usize> = (0..corpus.docs.len()).filter(|&d| !is_held(d)).collect();
    let folds = folds.clamp(2, dev_docs.len().max(2));
    let fold_of = |d: usize| dev_docs.iter().position(|&x| x == d).map(|k| k % folds);
    let examples = prepare(&corpus, &options.features);
    let (mut cv_model, mut cv_shipped, mut cv_rules) =
        (Counts::default(), Counts::default(), Counts::default());
    for f in 0..folds {
        let (test, train): (Vec<usize>, Vec<usize>) = (0..examples.len())
            .filter(|&i| !is_held(examples[i].doc))
            .partition(|&i| fold_of(examples[i].doc) == Some(f));
        // The encoder trained on folds other than 0: cross-validation
        // through it would score sentences it learnt from, so the folds
        // measure the linear model; the held-back documents measure both.
        let p = predict(&corpus, &examples, &train, &test, options, false);
        merge(&mut cv_model, &p.model);
        merge(&mut cv_shipped, &p.shipped);
        merge(&mut cv_rules, &p.rules);
    }
    let (held, dev): (Vec<usize>, Vec<usize>) =
        (0..examples.len()).partition(|&i| is_held(examples[i].doc));
    let h = predict(
        &corpus,
        &examples,
        &dev,
        &held,
        options,
        cfg!(feature = "encoder"),
    );
    Ok(EvalReport {
        held_back,
        folds,
        fold_assignment: dev_docs
            .iter()
            .map(|&d| (corpus.docs[d].name.clone(), fold_of(d).unwrap_or(0)))
            .collect(),
        cv: cv_model.scores(),
        cv_shipped: cv_shipped.scores(),
        cv_rules: cv_rules.scores(),
        held: h.model.scores(),
        held_shipped: h.shipped.scores(),
        held_shipped_linear: cfg!(feature = "encoder").then(|| h.shipped_linear.scores()),
        held_rules: h.rules.scores(),
        held_union: h.union.scores(),
        options: options.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn held_back_choice_is_fixed_and_documented() {
        let names = [
            "Amazon",
            "Booking",
            "Dropbox",
            "Electronic_Arts",
            "Endomondo",
            "Evernote",
            "Facebook",
            "Flo",
            "Garmin",
            "Google",
            "GooglePayments",
            "Groupon",
            "Instagram",
            "Kardia",
            "Linkedin",
            "Microsoft",
            "Mozilla",
            "MyHeritage",
            "Mysugr",
            "Oculus",
            "PayPal",
            "Pinterest",
            "Revolut",
            "Rovio",
            "Ryanair",
            "Skype",
            "Skyscanner",
            "Snap",
            "TikTok",
            "Tinder",
            "Tripadvisor",
            "Tumblr",
            "Uber",
            "Ubisoft",
            "Visa",
            "Weebly",
            "Western",
            "Yelp",
            "YouTube",
            "Zoom",
        ];
        assert_eq!(
            held_back_services(&names),
            [
                "Endomondo",
                "GooglePayments",
                "Mysugr",
                "Pinterest",
                "Skyscanner",
                "TikTok",
                "Western",
                "Zoom"
            ]
        );
    }

    #[test]
    fn lexglue_macro_counts_the_none_class() {
        let mut c = Counts::default();
        c.add(0b1, 0b1);
        c.add(0, 0);
        c.add(0b10, 0);
        let s = c.scores();
        assert_eq!(s.per_label[0].f1, 1.0);
        assert_eq!(s.per_label[1].fp, 1);
        assert_eq!(s.none.tp, 1);
        assert_eq!(s.none.fn_, 1);
        assert!((s.none.f1 - 2.0 / 3.0).abs() < 1e-6);
        assert!((s.macro_f1 - 1.0 / 8.0).abs() < 1e-6);
        assert!((s.lexglue_macro_f1 - (1.0 + 2.0 / 3.0) / 9.0).abs() < 1e-6);
        assert!((prf([1, 1, 2]).2 - 0.4).abs() < 1e-6);
    }
}
