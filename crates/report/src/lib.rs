//! Reports and datasets for clausewatch: what an auditor or a researcher
//! takes away from a home. Builds documents from data the store gives it;
//! no SQL here.
//!
//! # Brief overview
//!
//! * [`gather`] collects a [`Report`] for one document or a whole platform
//!   ([`Scope`]): identity, every version with its snapshots (source, fetch
//!   time, HTTP status when the watcher logged one, sha256), the provisions
//!   of the newest version in scope with their labels and evidence, the
//!   regulatory findings with their caveat, the change history, and a
//!   provenance appendix (archive hashes, manifest chain head, extractor
//!   versions).
//! * [`render_html`] and [`render_markdown`] turn it into a self-contained
//!   HTML page (print CSS with page numbers and a table of contents) or
//!   Markdown; [`print_pdf`] prints the HTML with Debian's headless
//!   Chromium. Document text is hostile input: it is always escaped.
//! * [`export`] writes a versioned dataset (JSONL or CSV, schema in
//!   `docs/export-schema.md`) with a `manifest.json` of counts and file
//!   hashes, optionally with the raw archive blobs; [`import`] loads such an
//!   export into a fresh home, checking hashes and the source's manifest chain.
//! * [`rebuild_check`] re-extracts every snapshot and compares it with the
//!   version it is recorded as (the part of `verify` that needs the extractor).
#![deny(missing_docs)]

mod data;
mod error;
mod escape;
mod export;
mod html;
mod import;
mod markdown;
mod pdf;
mod rebuild;
mod schema;

pub use data::{
    DocumentSection, LabelEvidence, ProvisionEntry, Report, ReportOptions, Scope, SnapshotEvidence,
    VersionSection, gather,
};
pub use error::ReportError;
pub use escape::{escape_html, escape_markdown};
pub use export::{
    EXPORT_SCHEMA, EXPORT_SCHEMA_VERSION, ExportFormat, ExportManifest, ExportOptions,
    ExportedFile, export, export_with_progress,
};
pub use html::render_html;
pub use import::{ImportSummary, import};
pub use markdown::render_markdown;
pub use pdf::{PdfOptions, print_pdf};
pub use rebuild::{RebuildNote, RebuildReport, rebuild_check};
