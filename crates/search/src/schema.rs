//! The index schema (one tantivy document per provision of one version) and
//! the text analyzers: English stemming, accent-folding for other Latin-script
//! languages, and jieba word segmentation for Chinese.
//!
//! Each provision's text goes into exactly one of three text fields, chosen by
//! its language ([`TextField::for_row`]); the query side analyses a word once
//! per field it may live in and combines the alternatives.

use tantivy::Index;
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer,
};
use tantivy_jieba::JiebaTokenizer;

use crate::row::ProvisionRow;

/// Analyzer for English text: split on non-alphanumerics, drop tokens over 40
/// bytes, lowercase, fold accents to ASCII, Porter/Snowball English stemming.
pub const EN_ANALYZER: &str = "cw_en";
/// Analyzer for other Latin-script text: like [`EN_ANALYZER`] without stemming.
pub const FOLDED_ANALYZER: &str = "cw_folded";
/// Analyzer for Chinese text at indexing time: jieba in search mode (words
/// and the dictionary words inside them), lowercased, punctuation dropped.
pub const ZH_ANALYZER: &str = "cw_zh";
/// Analyzer for Chinese query text: jieba in default mode (no overlapping
/// sub-words), so that a query's words form a phrase the index can match.
pub(crate) const ZH_QUERY_ANALYZER: &str = "cw_zh_query";

/// Bumped whenever the schema or an analyzer changes meaning; an index built
/// with another version is refused with [`crate::SearchError::SchemaMismatch`].
pub const SCHEMA_VERSION: u32 = 1;

/// The three full-text fields, one per analyzer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TextField {
    /// `text_en`: English.
    En,
    /// `text_folded`: other Latin-script languages (and anything else not Chinese).
    Folded,
    /// `text_zh`: Chinese.
    Zh,
}

impl TextField {
    pub(crate) const ALL: [TextField; 3] = [TextField::En, TextField::Folded, TextField::Zh];

    /// Which field a row's text is indexed into.
    pub(crate) fn for_row(row: &ProvisionRow) -> TextField {
        let lang = primary_subtag(&row.language);
        match lang.as_str() {
            "zh" => TextField::Zh,
            "en" => TextField::En,
            "" | "und" | "mul" => {
                if cjk_share_is_high(&row.text) {
                    TextField::Zh
                } else {
                    TextField::En
                }
            }
            _ => TextField::Folded,
        }
    }

    /// The analyzer used when a query is run against this field.
    pub(crate) fn query_analyzer(self) -> &'static str {
        match self {
            TextField::En => EN_ANALYZER,
            TextField::Folded => FOLDED_ANALYZER,
            TextField::Zh => ZH_QUERY_ANALYZER,
        }
    }
}

/// Field handles, resolved once per index.
#[derive(Debug, Clone)]
pub(crate) struct Fields {
    pub(crate) text_en: Field,
    pub(crate) text_folded: Field,
    pub(crate) text_zh: Field,
    pub(crate) platform: Field,
    pub(crate) document: Field,
    pub(crate) doc_slug: Field,
    pub(crate) doc_type: Field,
    pub(crate) region: Field,
    pub(crate) lang: Field,
    pub(crate) kind: Field,
    pub(crate) label: Field,
    pub(crate) lineage: Field,
    pub(crate) version_key: Field,
    pub(crate) version_number: Field,
    pub(crate) version_date: Field,
    pub(crate) is_latest: Field,
    pub(crate) position: Field,
    pub(crate) row: Field,
}

impl Fields {
    pub(crate) fn text(&self, f: TextField) -> Field {
        match f {
            TextField::En => self.text_en,
            TextField::Folded => self.text_folded,
            TextField::Zh => self.text_zh,
        }
    }
}

/// Builds the schema and the field handles.
pub(crate) fn build_schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = |analyzer: &str| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(analyzer)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
    };
    let fields = Fields {
        text_en: b.add_text_field("text_en", text(EN_ANALYZER)),
        text_folded: b.add_text_field("text_folded", text(FOLDED_ANALYZER)),
        text_zh: b.add_text_field("text_zh", text(ZH_ANALYZER)),
        platform: b.add_text_field("platform", STRING),
        document: b.add_text_field("document", STRING | FAST),
        doc_slug: b.add_text_field("doc_slug", STRING),
        doc_type: b.add_text_field("doc_type", STRING),
        region: b.add_text_field("region", STRING),
        lang: b.add_text_field("lang", STRING),
        kind: b.add_text_field("kind", STRING),
        label: b.add_text_field("label", STRING),
        lineage: b.add_text_field("lineage", STRING),
        version_key: b.add_text_field("version_key", STRING),
        version_number: b.add_u64_field("version_number", INDEXED | FAST),
        version_date: b.add_i64_field("version_date", INDEXED | FAST),
        is_latest: b.add_bool_field("is_latest", INDEXED),
        position: b.add_u64_field("position", FAST),
        row: b.add_text_field("row", STORED),
    };
    // A marker field whose name carries the schema version, so that a schema
    // change is detected even when the field list happens to look alike.
    b.add_u64_field(&format!("schema_v{SCHEMA_VERSION}"), INDEXED);
    (b.build(), fields)
}

/// Registers the analyzers on an index (they are not persisted by tantivy).
pub(crate) fn register_analyzers(index: &Index) {
    let m = index.tokenizers();
    m.register(
        EN_ANALYZER,
        TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(40))
            .filter(LowerCaser)
            .filter(AsciiFoldingFilter)
            .filter(Stemmer::new(Language::English))
            .build(),
    );
    m.register(
        FOLDED_ANALYZER,
        TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(40))
            .filter(LowerCaser)
            .filter(AsciiFoldingFilter)
            .build(),
    );
    m.register(
        ZH_ANALYZER,
        TextAnalyzer::builder(JiebaTokenizer::with_search_mode(true))
            .filter(WordsOnly)
            .filter(RemoveLongFilter::limit(40))
            .filter(LowerCaser)
            .build(),
    );
    m.register(
        ZH_QUERY_ANALYZER,
        TextAnalyzer::builder(JiebaTokenizer::with_search_mode(false))
            .filter(WordsOnly)
            .filter(RemoveLongFilter::limit(40))
            .filter(LowerCaser)
            .build(),
    );
}

/// `zh-Hans-CN` → `zh`; lowercase; empty for an empty tag.
pub(crate) fn primary_subtag(tag: &str) -> String {
    tag.trim()
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// Whether a character is a CJK ideograph, kana or hangul syllable.
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF      // hiragana, katakana
        | 0x3400..=0x4DBF    // CJK extension A
        | 0x4E00..=0x9FFF    // CJK unified ideographs
        | 0xF900..=0xFAFF    // compatibility ideographs
        | 0xAC00..=0xD7AF    // hangul syllables
        | 0x20000..=0x2FA1F) // extensions B–F, compatibility supplement
}

fn cjk_share_is_high(text: &str) -> bool {
    let (mut cjk, mut alnum) = (0usize, 0usize);
    for c in text.chars() {
        if is_cjk(c) {
            cjk += 1;
        } else if c.is_alphanumeric() {
            alnum += 1;
        }
    }
    // Counted per character, Chinese is dense: a third is already a Chinese text.
    cjk > 0 && cjk * 2 >= alnum
}

/// Token filter dropping tokens without any letter or digit (jieba emits
/// punctuation and spaces as tokens).
#[derive(Clone, Debug)]
pub(crate) struct WordsOnly;

impl TokenFilter for WordsOnly {
    type Tokenizer<T: Tokenizer> = WordsOnlyTokenizer<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> WordsOnlyTokenizer<T> {
        WordsOnlyTokenizer { inner: tokenizer }
    }
}

/// The tokenizer [`WordsOnly`] wraps around another one.
#[derive(Clone, Debug)]
pub(crate) struct WordsOnlyTokenizer<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for WordsOnlyTokenizer<T> {
    type TokenStream<'a> = WordsOnlyStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        WordsOnlyStream {
            tail: self.inner.token_stream(text),
        }
    }
}

/// The token stream of [`WordsOnlyTokenizer`].
#[derive(Debug)]
pub(crate) struct WordsOnlyStream<T> {
    tail: T,
}

impl<T: TokenStream> TokenStream for WordsOnlyStream<T> {
    fn advance(&mut self) -> bool {
        while self.tail.advance() {
            if self.tail.token().text.chars().any(char::is_alphanumeric) {
                return true;
            }
        }
        false
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(analyzer: &str, text: &str) -> Vec<(String, usize)> {
        let (schema, _) = build_schema();
        let index = Index::create_in_ram(schema);
        register_analyzers(&index);
        let Some(mut a) = index.tokenizers().get(analyzer) else {
            return Vec::new();
        };
        let mut s = a.token_stream(text);
        let mut out = Vec::new();
        while let Some(t) = s.next() {
            out.push((t.text.clone(), t.position));
        }
        out
    }

    #[test]
    fn english_is_stemmed_and_folded() {
        let got: Vec<String> = tokens(EN_ANALYZER, "Terminating Naïve Accounts")
            .into_iter()
            .map(|t| t.0)
            .collect();
        assert_eq!(got, ["termin", "naiv", "account"]);
        let got: Vec<String> = tokens(FOLDED_ANALYZER, "Résiliation des comptes")
            .into_iter()
            .map(|t| t.0)
            .collect();
        assert_eq!(got, ["resiliation", "des", "comptes"]);
    }

    #[test]
    fn chinese_is_segmented_without_punctuation() {
        let got = tokens(ZH_QUERY_ANALYZER, "数据出境，AWS");
        assert_eq!(
            got,
            [
                ("数据".to_string(), 0),
                ("出境".to_string(), 2),
                ("aws".to_string(), 5)
            ]
        );
    }

    #[test]
    fn rows_are_routed_by_language() {
        let mut row = ProvisionRow::example();
        assert_eq!(TextField::for_row(&row), TextField::En);
        row.language = "zh-CN".into();
        assert_eq!(TextField::for_row(&row), TextField::Zh);
        row.language = "fr".into();
        assert_eq!(TextField::for_row(&row), TextField::Folded);
        row.language = "und".into();
        row.text = "我们可能会更新本政策 (Policy)".into();
        assert_eq!(TextField::for_row(&row), TextField::Zh);
    }
}
