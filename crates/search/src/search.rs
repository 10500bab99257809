//! Turning a [`ParsedQuery`] into a tantivy query, running it with a
//! deterministic order, and rendering highlighted snippets.
//!
//! * Each word or phrase is analysed once per text field it may live in: a
//!   word with Chinese characters only against `text_zh`, any other word
//!   against `text_en`, `text_folded` and `text_zh` (Chinese documents quote
//!   English names too); the per-field alternatives are OR-ed, and all words
//!   must match. A word that analyses to several tokens (`e-mail`, `数据出境`)
//!   becomes a phrase.
//! * Filters are constant-score (they never change the ranking); several
//!   values of one key are OR-ed.
//! * Order: BM25 score descending, then document key ascending, newest
//!   version first, reading order, so equal scores (filter-only listings,
//!   identical text in several versions) are stable across runs and merges.

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::{Bound, Range};

use tantivy::collector::sort_key::{SortBySimilarityScore, SortByStaticFastValue, SortByString};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::snippet::{Snippet, SnippetGenerator};
use tantivy::{Order, TantivyDocument, Term};

use crate::error::{QueryError, SearchError};
use crate::index::{SearchIndex, date_key};
use crate::query::{FilterKey, ParsedQuery};
use crate::row::{MAX_LIMIT, MAX_OFFSET, ProvisionRow, SearchHit, SearchOptions, SearchResults};
use crate::schema::{TextField, is_cjk};

/// Longest snippet, in characters (not counting the `…` marks).
const SNIPPET_CHARS: usize = 200;

type BoxQuery = Box<dyn Query>;

/// The query's positive tokens per text field, for highlighting.
type Highlights = BTreeMap<usize, BTreeSet<String>>;

fn field_slot(f: TextField) -> usize {
    match f {
        TextField::En => 0,
        TextField::Folded => 1,
        TextField::Zh => 2,
    }
}

pub(crate) fn run(
    index: &SearchIndex,
    parsed: &ParsedQuery,
    options: &SearchOptions,
) -> Result<SearchResults, SearchError> {
    let fields = &index.fields;
    let mut clauses: Vec<(Occur, BoxQuery)> = Vec::new();
    let mut highlights = Highlights::new();
    let mut unsearchable = Vec::new();

    for term in &parsed.terms {
        let routes: &[TextField] = if term.text.chars().any(is_cjk) {
            &[TextField::Zh]
        } else {
            &TextField::ALL
        };
        let mut alternatives: Vec<(Occur, BoxQuery)> = Vec::new();
        for &route in routes {
            let tokens = analyze(index, route.query_analyzer(), &term.text);
            if tokens.is_empty() {
                continue;
            }
            let field = fields.text(route);
            if !term.negated {
                highlights
                    .entry(field_slot(route))
                    .or_default()
                    .extend(tokens.iter().map(|t| t.0.clone()));
            }
            alternatives.push((Occur::Should, text_query(field, &tokens)));
        }
        let q: BoxQuery = match alternatives.len() {
            0 => {
                if !term.negated {
                    unsearchable.push(term.text.clone());
                }
                continue;
            }
            1 => alternatives.remove(0).1,
            _ => Box::new(BooleanQuery::new(alternatives)),
        };
        clauses.push((
            if term.negated {
                Occur::MustNot
            } else {
                Occur::Must
            },
            q,
        ));
    }
    let has_text = clauses.iter().any(|(o, _)| *o == Occur::Must);
    let has_filters =
        !parsed.filters.is_empty() || parsed.since.is_some() || parsed.until.is_some();
    if !unsearchable.is_empty() && !has_text && !has_filters {
        return Err(QueryError::NothingSearchable(unsearchable.join(" ")).into());
    }

    // Filters: OR within a key, AND across keys, constant score.
    let mut positive: BTreeMap<FilterKey, Vec<Term>> = BTreeMap::new();
    for flt in &parsed.filters {
        let field = match flt.key {
            FilterKey::Platform => fields.platform,
            FilterKey::Document if flt.value.contains('/') => fields.document,
            FilterKey::Document => fields.doc_slug,
            FilterKey::DocType => fields.doc_type,
            FilterKey::Label => fields.label,
            FilterKey::Language => fields.lang,
            FilterKey::Kind => fields.kind,
            FilterKey::Region => fields.region,
            FilterKey::Lineage => fields.lineage,
        };
        let value = if flt.key == FilterKey::Kind {
            flt.value.replace('-', "_")
        } else {
            flt.value.clone()
        };
        let term = Term::from_field_text(field, &value);
        if flt.negated {
            clauses.push((
                Occur::MustNot,
                Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
            ));
        } else {
            // `document:` full keys and slugs are alternatives of one key.
            positive.entry(flt.key).or_default().push(term);
        }
    }
    for (_, terms) in positive {
        let q: BoxQuery = if terms.len() == 1 {
            let mut terms = terms;
            Box::new(TermQuery::new(terms.remove(0), IndexRecordOption::Basic))
        } else {
            Box::new(BooleanQuery::new_multiterms_query(terms))
        };
        clauses.push((Occur::Must, constant(q)));
    }
    if parsed.since.is_some() || parsed.until.is_some() {
        let bound = |d: Option<chrono::NaiveDate>| match d {
            Some(d) => Bound::Included(Term::from_field_i64(fields.version_date, date_key(d))),
            None => Bound::Unbounded,
        };
        let q = RangeQuery::new(bound(parsed.since), bound(parsed.until));
        clauses.push((Occur::Must, constant(Box::new(q))));
    }
    if !options.all_versions {
        let term = Term::from_field_bool(fields.is_latest, true);
        clauses.push((
            Occur::Must,
            constant(Box::new(TermQuery::new(term, IndexRecordOption::Basic))),
        ));
    }
    if !clauses.iter().any(|(o, _)| *o == Occur::Must) {
        clauses.push((Occur::Must, constant(Box::new(AllQuery))));
    }
    let query = BooleanQuery::new(clauses);

    let searcher = index.reader.searcher();
    let limit = options.limit.min(MAX_LIMIT);
    let (total, top) = if limit == 0 || options.offset > MAX_OFFSET {
        (searcher.search(&query, &Count)?, Vec::new())
    } else {
        let range = options.offset..options.offset.saturating_add(limit);
        // Nested pairs rather than a 4-tuple: tantivy 0.27's 4-tuple sort key
        // ignores the per-key orders (its `comparator()` is not overridden).
        let collector = TopDocs::for_doc_range(range).order_by((
            (SortBySimilarityScore, Order::Desc),
            (
                (SortByString::for_field("document"), Order::Asc),
                (
                    (
                        SortByStaticFastValue::<u64>::for_field("version_number"),
                        Order::Desc,
                    ),
                    (
                        SortByStaticFastValue::<u64>::for_field("position"),
                        Order::Asc,
                    ),
                ),
            ),
        ));
        let (total, top) = searcher.search(&query, &(Count, collector))?;
        (
            total,
            top.into_iter()
                .map(|((score, ..), addr)| (score, addr))
                .collect::<Vec<_>>(),
        )
    };

    let mut generators: BTreeMap<usize, SnippetGenerator> = BTreeMap::new();
    let mut hits = Vec::with_capacity(top.len());
    for (score, addr) in top {
        let doc: TantivyDocument = searcher.doc(addr)?;
        let row = index.row_of(&doc)?;
        let route = TextField::for_row(&row);
        let slot = field_slot(route);
        let snippet = match highlights.get(&slot) {
            Some(tokens) => {
                let generator = match generators.entry(slot) {
                    Entry::Occupied(e) => e.into_mut(),
                    Entry::Vacant(e) => e.insert(snippet_generator(
                        index,
                        &searcher,
                        fields.text(route),
                        tokens,
                    )?),
                };
                Some(generator.snippet(&row.text))
            }
            None => None,
        };
        let score = if has_text { score } else { 0.0 };
        hits.push(make_hit(row, snippet.as_ref(), score));
    }
    Ok(SearchResults {
        total,
        hits,
        query: parsed.to_string(),
    })
}

fn constant(q: BoxQuery) -> BoxQuery {
    Box::new(ConstScoreQuery::new(q, 0.0))
}

/// Tokens with their positions, as the named analyzer produces them.
fn analyze(index: &SearchIndex, analyzer: &str, text: &str) -> Vec<(String, usize)> {
    let Some(mut a) = index.index.tokenizers().get(analyzer) else {
        return Vec::new();
    };
    let mut stream = a.token_stream(text);
    let mut out = Vec::new();
    while let Some(t) = stream.next() {
        out.push((t.text.clone(), t.position));
    }
    out
}

fn text_query(field: Field, tokens: &[(String, usize)]) -> BoxQuery {
    if let [(only, _)] = tokens {
        return Box::new(TermQuery::new(
            Term::from_field_text(field, only),
            IndexRecordOption::WithFreqs,
        ));
    }
    let first = tokens.first().map_or(0, |t| t.1);
    let terms = tokens
        .iter()
        .map(|(text, pos)| {
            (
                pos.saturating_sub(first),
                Term::from_field_text(field, text),
            )
        })
        .collect();
    Box::new(PhraseQuery::new_with_offset(terms))
}

fn snippet_generator(
    index: &SearchIndex,
    searcher: &tantivy::Searcher,
    field: Field,
    tokens: &BTreeSet<String>,
) -> Result<SnippetGenerator, SearchError> {
    let mut weights = BTreeMap::new();
    for t in tokens {
        let df = searcher.doc_freq(&Term::from_field_text(field, t))?;
        // Rarer words weigh more when choosing the fragment.
        weights.insert(t.clone(), 1.0 / (1.0 + df as f32));
    }
    let analyzer = index.index.tokenizer_for_field(field)?;
    Ok(SnippetGenerator::new(
        weights,
        analyzer,
        field,
        SNIPPET_CHARS,
    ))
}

fn make_hit(row: ProvisionRow, snippet: Option<&Snippet>, score: f32) -> SearchHit {
    let (snippet_html, snippet_text) = render_snippet(&row.text, snippet);
    SearchHit {
        document: row.document,
        platform: row.platform,
        doc_type: row.doc_type,
        language: row.language,
        version_number: row.version_number,
        version_date: row.version_date,
        is_latest: row.is_latest,
        provision_id: row.provision_id,
        lineage_key: row.lineage_key,
        heading_path: row.heading_path,
        kind: row.kind,
        labels: row.labels,
        text: row.text,
        snippet_html,
        snippet_text,
        score,
    }
}

/// Renders a snippet as escaped HTML with `<mark>` and as text with `[[…]]`.
/// A text of at most [`SNIPPET_CHARS`] characters is shown whole; a longer one
/// is cut to the best fragment, with `…` where it was cut. Without a usable
/// snippet (filter-only queries) the text's beginning is shown.
pub(crate) fn render_snippet(text: &str, snippet: Option<&Snippet>) -> (String, String) {
    let short = text.chars().count() <= SNIPPET_CHARS;
    let (range, marks): (Range<usize>, Vec<Range<usize>>) = match snippet {
        Some(s) if !s.is_empty() => {
            let start = s.fragment_range().start;
            let marks = s
                .highlighted()
                .iter()
                .map(|r| r.start + start..r.end + start)
                .collect();
            let mut range = s.fragment_range();
            // Widen to the text's ends when only punctuation or spaces lie beyond.
            if short
                || !text
                    .get(..range.start)
                    .is_some_and(|t| t.chars().any(char::is_alphanumeric))
            {
                range.start = 0;
            }
            if short
                || !text
                    .get(range.end..)
                    .is_some_and(|t| t.chars().any(char::is_alphanumeric))
            {
                range.end = text.len();
            }
            (range, marks)
        }
        _ => (0..prefix_end(text, SNIPPET_CHARS), Vec::new()),
    };
    // Guard against ranges that are not on char boundaries of this text.
    let valid = |r: &Range<usize>| r.start <= r.end && text.get(r.clone()).is_some();
    let (range, marks) = if valid(&range)
        && marks
            .iter()
            .all(|m| valid(m) && m.start >= range.start && m.end <= range.end)
    {
        (range, merge_ranges(text, marks))
    } else {
        (0..prefix_end(text, SNIPPET_CHARS), Vec::new())
    };
    let mut html = String::new();
    let mut plain = String::new();
    if range.start > 0 {
        html.push('…');
        plain.push('…');
    }
    let mut at = range.start;
    for m in &marks {
        let before = &text[at..m.start];
        let inside = &text[m.clone()];
        escape_into(&mut html, before);
        html.push_str("<mark>");
        escape_into(&mut html, inside);
        html.push_str("</mark>");
        plain.push_str(before);
        plain.push_str("[[");
        plain.push_str(inside);
        plain.push_str("]]");
        at = m.end;
    }
    escape_into(&mut html, &text[at..range.end]);
    plain.push_str(&text[at..range.end]);
    if range.end < text.len() {
        html.push('…');
        plain.push('…');
    }
    (html, plain)
}

/// Byte offset after at most `max_chars` characters, cut back to a word boundary when possible.
fn prefix_end(text: &str, max_chars: usize) -> usize {
    match text.char_indices().nth(max_chars) {
        None => text.len(),
        Some((cut, _)) => match text[..cut].rfind(char::is_whitespace) {
            Some(space) if space > cut / 2 => space,
            _ => cut,
        },
    }
}

/// Sorts ranges and merges those that overlap (jieba's search mode highlights
/// a word and the words inside it) or are separated only by whitespace (so a
/// matched phrase reads as one mark). Ranges must lie on `text`'s char boundaries.
fn merge_ranges(text: &str, mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
    ranges.sort_by_key(|r| (r.start, r.end));
    let mut out: Vec<Range<usize>> = Vec::new();
    for r in ranges {
        match out.last_mut() {
            Some(last)
                if r.start <= last.end
                    || text
                        .get(last.end..r.start)
                        .is_some_and(|gap| gap.chars().all(char::is_whitespace)) =>
            {
                last.end = last.end.max(r.end);
            }
            _ => out.push(r),
        }
    }
    out
}

fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippet_without_matches_shows_the_beginning() {
        let (html, plain) = render_snippet("a <b> & c", None);
        assert_eq!(html, "a &lt;b&gt; &amp; c");
        assert_eq!(plain, "a <b> & c");
        let long = "word ".repeat(100);
        let (_, plain) = render_snippet(&long, None);
        assert!(plain.ends_with('…'));
        assert!(plain.chars().count() <= SNIPPET_CHARS + 1);
    }

    #[test]
    fn overlapping_marks_merge() {
        assert_eq!(
            merge_ranges("abcdefghij", vec![3..6, 0..2, 1..3, 8..9]),
            vec![0..6, 8..9]
        );
        assert_eq!(
            merge_ranges("ab cd, ef", vec![0..2, 3..5, 7..9]),
            vec![0..5, 7..9]
        );
    }
}
