//! The export schema, version 1, as data: every table with its columns and
//! their types, in file order. The JSONL files carry the same fields as
//! objects; the CSV files carry them as columns in this order, with JSON
//! columns as compact JSON text and null as an empty cell. Documented in
//! `docs/export-schema.md` (a test checks that every column is there).

/// How a column is written and read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Col {
    /// Text, never null.
    Str,
    /// Text or null (an empty CSV cell).
    OptStr,
    /// A non-negative integer.
    Int,
    /// An integer or null.
    OptInt,
    /// A decimal number.
    Num,
    /// `true` or `false`.
    Bool,
    /// A JSON value (array or object); compact JSON text in CSV.
    Json,
}

/// One table of the export.
#[derive(Debug)]
pub(crate) struct Table {
    /// File stem: `versions` → `versions.jsonl` / `versions.csv`.
    pub(crate) name: &'static str,
    /// Columns in order.
    pub(crate) columns: &'static [(&'static str, Col)],
}

use Col::{Bool, Int, Json, Num, OptInt, OptStr, Str};

pub(crate) const PLATFORMS: Table = Table {
    name: "platforms",
    columns: &[("platform", Str)],
};

pub(crate) const DOCUMENTS: Table = Table {
    name: "documents",
    columns: &[
        ("document", Str),
        ("platform", Str),
        ("slug", Str),
        ("doc_type", OptStr),
        ("region", OptStr),
        ("source_url", OptStr),
    ],
};

pub(crate) const VERSIONS: Table = Table {
    name: "versions",
    columns: &[
        ("document", Str),
        ("number", Int),
        ("observed_at", Str),
        ("title", OptStr),
        ("effective_date", OptStr),
        ("language", Str),
        ("format", Str),
        ("extractor_version", Str),
        ("content_hash", Str),
        ("provision_count", Int),
        ("warnings", Json),
    ],
};

pub(crate) const PROVISIONS: Table = Table {
    name: "provisions",
    columns: &[
        ("document", Str),
        ("version", Int),
        ("position", Int),
        ("provision_id", Str),
        ("heading_path", Json),
        ("kind", Str),
        ("text", Str),
        ("lineage_key", Str),
    ],
};

pub(crate) const CHANGES: Table = Table {
    name: "changes",
    columns: &[
        ("document", Str),
        ("old_version", OptInt),
        ("new_version", Int),
        ("added", Int),
        ("removed", Int),
        ("modified", Int),
        ("moved", Int),
        ("unchanged", Int),
        ("substantive", Int),
        ("change_set", Json),
    ],
};

pub(crate) const LABELS: Table = Table {
    name: "labels",
    columns: &[
        ("document", Str),
        ("version", Int),
        ("provision_id", Str),
        ("label", Str),
        ("confidence", Num),
        ("span_start", Int),
        ("span_end", Int),
        ("source", Str),
        ("evidence", Str),
    ],
};

pub(crate) const SNAPSHOTS: Table = Table {
    name: "snapshots",
    columns: &[
        ("document", Str),
        ("sha256", Str),
        ("size", Int),
        ("format", Str),
        ("source", Str),
        ("observed_at", Str),
        ("version", Int),
    ],
};

pub(crate) const OBSERVATIONS: Table = Table {
    name: "observations",
    columns: &[
        ("document", Str),
        ("sha256", Str),
        ("source", Str),
        ("observed_at", Str),
    ],
};

/// Where imported observations came from (`import-history`). Exports made
/// before this table existed lack it; an import reads them as having none.
pub(crate) const PROVENANCE: Table = Table {
    name: "provenance",
    columns: &[
        ("document", Str),
        ("archive", Str),
        ("item", Str),
        ("commit", OptStr),
        ("path", Str),
        ("captured_at", Str),
        ("kind", Str),
        ("sha256", Str),
        ("version", OptInt),
        ("technical_upgrade", Bool),
        ("snapshot_refs", OptStr),
        ("raw_sha256", OptStr),
        ("note", OptStr),
    ],
};

pub(crate) const CHAIN: Table = Table {
    name: "chain",
    columns: &[
        ("seq", Int),
        ("kind", Str),
        ("record_key", Str),
        ("record_hash", Str),
        ("prev_hash", Str),
        ("chain_hash", Str),
    ],
};

/// Every table, in the order files are written and listed.
pub(crate) const TABLES: [&Table; 10] = [
    &PLATFORMS,
    &DOCUMENTS,
    &VERSIONS,
    &PROVISIONS,
    &CHANGES,
    &LABELS,
    &SNAPSHOTS,
    &OBSERVATIONS,
    &PROVENANCE,
    &CHAIN,
];
