//! Command-line arguments: the raw values clap parses. Validation into
//! settings that build components happens in `commands`.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Watch terms of service, acceptable use and privacy policies; see every change, explained.
#[derive(Debug, Parser)]
#[command(name = "clausewatch", version, about, long_about = None, propagate_version = true)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub(crate) global: Global,
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Options every command accepts.
#[derive(Debug, Args)]
pub(crate) struct Global {
    /// Home folder: database, archive and index.
    #[arg(
        long,
        global = true,
        env = "CLAUSEWATCH_HOME",
        default_value = "clausewatch-data"
    )]
    pub(crate) home: PathBuf,
    /// More log output on stderr (-v info, -vv debug).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub(crate) verbose: u8,
}

/// Output formats for data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// Human-readable text.
    Text,
    /// JSON for machines.
    Json,
    /// Clean Markdown.
    Markdown,
    /// A self-contained HTML page.
    Html,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Extract clean provisions from a file (HTML, Markdown, PDF or text; format sniffed from content).
    ///
    /// Example: clausewatch extract policy.html --format json
    Extract {
        /// The file to read.
        file: PathBuf,
        /// Output format: json (the DESIGN §4 contract), text or markdown.
        #[arg(long, short, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Archive files as versions of one document (raw bytes kept, content-addressed).
    ///
    /// Example: clausewatch import aup-2021.txt --platform aws --document aup-ningxia --region cn-northwest-1 --observed-at 2021-06-18
    Import {
        /// Files to import, in order (each a copy of the document).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Platform slug, e.g. aws.
        #[arg(long)]
        platform: String,
        /// Document slug, e.g. aup-ningxia. Defaults to a slug of the extracted title.
        #[arg(long)]
        document: Option<String>,
        /// Document type, e.g. acceptable-use-policy, privacy-policy, terms-of-service.
        #[arg(long = "type")]
        doc_type: Option<String>,
        /// Region the document applies to, e.g. cn-northwest-1.
        #[arg(long)]
        region: Option<String>,
        /// Source URL to record with the document.
        #[arg(long)]
        url: Option<String>,
        /// When this copy was seen (YYYY-MM-DD). Defaults to the document's effective date, then today.
        #[arg(long)]
        observed_at: Option<chrono::NaiveDate>,
        /// Output format.
        #[arg(long, short, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// List stored documents.
    ///
    /// Example: clausewatch documents --format json
    Documents {
        /// Output format.
        #[arg(long, short, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// List the versions of a stored document.
    ///
    /// Example: clausewatch versions aws/aup-ningxia
    Versions {
        /// The document, PLATFORM/DOCUMENT.
        document: String,
        /// Output format.
        #[arg(long, short, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Show a stored version: metadata and provisions.
    ///
    /// Example: clausewatch show aws/aup-ningxia@2021-06-18 --format json
    Show {
        /// PLATFORM/DOCUMENT[@YYYY-MM-DD | @N | @latest].
        version: String,
        /// Output format.
        #[arg(long, short, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Compare two versions provision by provision (files or stored versions).
    ///
    /// Example: clausewatch diff aws/aup-global aws/aup-beijing --format text
    Diff {
        /// Old side: a file or PLATFORM/DOCUMENT[@DATE].
        old: String,
        /// New side: a file or PLATFORM/DOCUMENT[@DATE].
        new: String,
        /// Output format: text, json (the DESIGN §4 contract) or html.
        #[arg(long, short, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Show unchanged provisions too (text format).
        #[arg(long)]
        all: bool,
    },
    /// A document's versions with their change counts, substantive changes first.
    ///
    /// Example: clausewatch timeline example-cloud/aup
    Timeline {
        /// The document, PLATFORM/DOCUMENT.
        document: String,
        /// Output format.
        #[arg(long, short, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Every text one provision had across versions, with dates.
    ///
    /// Example: clausewatch history example-cloud/aup no-network-abuse/2
    History {
        /// The document, PLATFORM/DOCUMENT.
        document: String,
        /// A provision id (in the latest version, or @DATE version of the document) or a lineage key (L…).
        provision: String,
        /// Output format.
        #[arg(long, short, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Full-text search over provisions (in force by default).
    ///
    /// Query language: words, "quoted phrases", -exclusions and filters platform:, document:, type:,
    /// label:, lang:, kind:, region:, since:YYYY-MM-DD, until:YYYY-MM-DD.
    ///
    /// Example: clausewatch search '"without notice" platform:example-cloud'
    Search {
        /// The query.
        query: String,
        /// Search every version, not only the provisions in force.
        #[arg(long)]
        all_versions: bool,
        /// Maximum number of hits.
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// Output format.
        #[arg(long, short, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Label texts read one per line on stdin; writes one JSON object per line.
    ///
    /// Output: {"labels": [{"id": "tos_unilateral_change", "confidence": 0.93, "span": [0, 57]}]}
    /// (span = character offsets of the evidence in that line).
    ///
    /// Example: echo "We may modify this Policy at any time." | clausewatch label
    Label {
        /// Document type of the texts: tos, privacy, aup (default: unknown, every rule applies).
        #[arg(long = "type")]
        doc_type: Option<String>,
    },
    /// Rebuild the unfair-clause model from the CLAUDETTE corpus (reproducible: same data, same bytes).
    ///
    /// Example: clausewatch train --corpus ../shared/corpus/labelled/claudette_multilingual --output model.json
    Train {
        /// The CLAUDETTE corpus folder (with corpus/sentences/en and corpus/tags/en).
        #[arg(
            long,
            default_value = "../shared/corpus/labelled/claudette_multilingual"
        )]
        corpus: PathBuf,
        /// Where to write the model file.
        #[arg(long, default_value = "crates/analyze/model/unfair_tos.json")]
        output: PathBuf,
    },
    /// Rebuild the search index from the store.
    ///
    /// Example: clausewatch reindex
    Reindex,
    /// Load the sample corpus into the home folder and show what was imported.
    ///
    /// Example: clausewatch demo
    Demo {
        /// Also import the seed documents from this folder when it exists.
        #[arg(long, default_value = "../shared/seeds")]
        seeds: PathBuf,
    },
}
