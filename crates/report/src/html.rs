//! The HTML rendering of a [`Report`]: one self-contained page (inline CSS,
//! no scripts, a Content-Security-Policy that forbids loading anything)
//! with print CSS for A4: page numbers in the page margin, a table of
//! contents with links (and page numbers once [`crate::print_pdf`] has
//! located the sections). Every piece of stored text goes through
//! [`escape_html`].

use crate::data::{DocumentSection, Report, VersionSection, announcement_text};
use crate::escape::escape_html as esc;
use cw_model::{ChangeKind, ProvisionChange, Significance, WordOpKind};
use std::collections::HashMap;
use std::fmt::Write;

const CSS: &str = r#"
@page { size: A4; margin: 18mm 15mm 20mm 15mm;
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font: 9pt sans-serif; color: #555; }
  @bottom-left { content: "clausewatch evidence report"; font: 9pt sans-serif; color: #555; } }
body { font: 10.5pt/1.45 "DejaVu Serif", Georgia, serif; color: #111; margin: 0 auto; max-width: 60em; padding: 0 1em; }
h1, h2, h3, h4 { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; line-height: 1.2; }
h2 { border-bottom: 2px solid #333; padding-bottom: .2em; margin-top: 1.5em; break-after: avoid; }
h3 { margin-top: 1.2em; break-after: avoid; } h4 { break-after: avoid; }
.cover { min-height: 85vh; break-after: page; padding-top: 12vh; }
.cover h1 { font-size: 28pt; margin-bottom: .2em; } .cover .scope { font-size: 16pt; }
.toc { break-after: page; } .toc ol { list-style: none; padding-left: 1.2em; } .toc > ol { padding-left: 0; }
.toc li { margin: .15em 0; } .toc a { color: #111; text-decoration: none; }
.toc .entry { display: flex; } .toc .dots { flex: 1; border-bottom: 1px dotted #999; margin: 0 .3em .3em; }
.toc .pg { display: inline-block; min-width: 2.5em; text-align: right; }
section.document { break-before: page; } section.appendix { break-before: page; }
table { border-collapse: collapse; width: 100%; margin: .5em 0; font-size: 9pt; }
th, td { border: 1px solid #bbb; padding: .25em .4em; vertical-align: top; text-align: left; }
th { background: #eee; }
.hash, code { font-family: "DejaVu Sans Mono", monospace; font-size: 8pt; word-break: break-all; }
.prov { border-left: 3px solid #ccc; padding: .1em 0 .1em .6em; margin: .5em 0; break-inside: avoid; }
.prov .pid { font: 8pt "DejaVu Sans Mono", monospace; color: #555; }
.prov p { margin: .15em 0; white-space: pre-wrap; }
.labels { margin: .1em 0 0 0; padding-left: 1.2em; font-size: 9pt; }
.flag { font-weight: bold; color: #8a4b00; }
.caveat { border: 1px solid #c90; background: #fff8e0; padding: .4em .6em; font-size: 9.5pt; }
.change { border: 1px solid #ddd; padding: .3em .6em; margin: .4em 0; break-inside: avoid; }
.substantive { border-left: 4px solid #b00; } .cosmetic { border-left: 4px solid #999; }
ins { background: #dfd; text-decoration: none; } del { background: #fdd; }
.mark { position: absolute; font-size: 1px; color: #fff; }
.muted { color: #666; }
"#;

/// Renders the report as one self-contained HTML page. `pages` maps
/// section anchors to page numbers for the table of contents (empty for a
/// page read on screen).
pub fn render_html(report: &Report, pages: &HashMap<String, u32>) -> String {
    let mut h = render_html_marked(report, pages);
    // The page markers exist only for the PDF's measuring pass: left in,
    // they would show up in copied text and in the PDF's text layer. They
    // are absolutely positioned, so removing them moves nothing.
    for (anchor, _, _) in sections(report) {
        h = h.replacen(&marker_span(&anchor), "", 1);
    }
    h
}

/// [`render_html`] with an invisible marker after every section heading,
/// for [`crate::print_pdf`]'s first pass to find each section's page.
pub(crate) fn render_html_marked(report: &Report, pages: &HashMap<String, u32>) -> String {
    let mut h = String::with_capacity(64 * 1024);
    let title = format!("Evidence report: {}", report.scope);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <title>{}</title>\n<style>{CSS}</style></head>\n<body>\n",
        esc(&title)
    );
    cover(&mut h, report);
    toc(&mut h, report, pages);
    for (i, d) in report.documents.iter().enumerate() {
        document(&mut h, i + 1, d);
    }
    appendix(&mut h, report);
    h.push_str("</body></html>\n");
    h
}

/// The anchors of the report's sections with their titles and depth, in order.
pub(crate) fn sections(report: &Report) -> Vec<(String, String, u8)> {
    let mut out = Vec::new();
    for (i, d) in report.documents.iter().enumerate() {
        let n = i + 1;
        out.push((format!("doc-{n}"), format!("{n}. {}", d.document.key), 0));
        out.push((format!("doc-{n}-identity"), "Identity".into(), 1));
        out.push((
            format!("doc-{n}-versions"),
            "Versions and snapshots".into(),
            1,
        ));
        let current = d
            .current
            .map(|v| format!("Provisions of version {v}, with labels"))
            .unwrap_or_else(|| "Provisions".into());
        out.push((format!("doc-{n}-provisions"), current, 1));
        out.push((format!("doc-{n}-findings"), "Regulatory findings".into(), 1));
        out.push((format!("doc-{n}-changes"), "Change history".into(), 1));
    }
    out.push(("provenance".into(), "Provenance appendix".into(), 0));
    out
}

/// The marker text [`crate::print_pdf`] looks for to find a section's page.
pub(crate) fn marker(anchor: &str) -> String {
    format!("cwmark:{anchor}:")
}

/// The element carrying a section's [`marker`] in the measuring pass.
fn marker_span(anchor: &str) -> String {
    format!("<span class=\"mark\">{}</span>", esc(&marker(anchor)))
}

fn heading(h: &mut String, level: u8, anchor: &str, text: &str) {
    let _ = writeln!(
        h,
        "<h{level} id=\"{a}\">{t}{m}</h{level}>",
        a = esc(anchor),
        t = esc(text),
        m = marker_span(anchor)
    );
}

fn cover(h: &mut String, r: &Report) {
    let versions: usize = r.documents.iter().map(|d| d.versions.len()).sum();
    let snapshots: usize = r
        .documents
        .iter()
        .flat_map(|d| &d.versions)
        .map(|v| v.snapshots.len())
        .sum();
    h.push_str("<section class=\"cover\">\n<h1>Evidence report</h1>\n");
    let _ = writeln!(h, "<p class=\"scope\">{}</p>", esc(&r.scope));
    h.push_str("<table>\n");
    let since = r
        .since
        .map(|d| format!("versions observed on or after {d}"))
        .unwrap_or_else(|| "every stored version".into());
    let head = r
        .chain_head
        .as_ref()
        .map(|hd| format!("{} (entry {})", hd.chain_hash, hd.seq))
        .unwrap_or_else(|| "empty (no manifest entries yet)".into());
    for (k, v, class) in [
        (
            "What",
            format!("{} document(s) of {}", r.documents.len(), r.scope),
            "",
        ),
        ("Covers", since, ""),
        (
            "Versions / snapshots",
            format!("{versions} / {snapshots}"),
            "",
        ),
        (
            "Generated at",
            r.generated_at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
            "",
        ),
        ("Generated by", r.generator.clone(), ""),
        ("Manifest chain head", head, "hash"),
    ] {
        let _ = writeln!(
            h,
            "<tr><th>{}</th><td class=\"{class}\">{}</td></tr>",
            esc(k),
            esc(&v)
        );
    }
    h.push_str("</table>\n<p class=\"caveat\">Texts are reproduced as archived; each snapshot is identified by the sha256 of the raw bytes fetched. \
Labels and regulatory findings are computed by clausewatch's analyzer and are risk indicators, not legal determinations. \
To check that nothing was altered since this report, run <code>clausewatch verify --expect-head &lt;chain head&gt;</code> on the archive.</p>\n</section>\n");
}

fn toc(h: &mut String, r: &Report, pages: &HashMap<String, u32>) {
    h.push_str("<nav class=\"toc\">\n<h2>Contents</h2>\n<ol>\n");
    let mut depth = 0u8;
    let mut first = true;
    for (anchor, title, level) in sections(r) {
        if level > depth {
            h.push_str("<ol>\n");
        } else {
            if !first {
                h.push_str("</li>\n");
            }
            if level < depth {
                h.push_str("</ol></li>\n");
            }
        }
        depth = level;
        first = false;
        let page = pages.get(&anchor).map(u32::to_string).unwrap_or_default();
        let _ = write!(
            h,
            "<li><span class=\"entry\"><a href=\"#{a}\">{t}</a><span class=\"dots\"></span><span class=\"pg\">{page}</span></span>",
            a = esc(&anchor),
            t = esc(&title)
        );
    }
    h.push_str("</li>\n");
    if depth > 0 {
        h.push_str("</ol></li>\n");
    }
    h.push_str("</ol>\n</nav>\n");
}

fn opt(s: &Option<String>) -> String {
    s.as_deref().map(esc).unwrap_or_else(|| "—".into())
}

fn document(h: &mut String, n: usize, d: &DocumentSection) {
    let doc = &d.document;
    let _ = writeln!(h, "<section class=\"document\">");
    heading(h, 2, &format!("doc-{n}"), &format!("{n}. {}", doc.key));

    heading(h, 3, &format!("doc-{n}-identity"), "Identity");
    h.push_str("<table>\n");
    let rows = [
        ("Document", esc(&doc.key.to_string())),
        ("Platform", esc(&doc.key.platform)),
        ("Type (declared)", opt(&doc.doc_type)),
        ("Type (analysis)", esc(d.doc_type.as_str())),
        ("Region", opt(&doc.region)),
        ("Published at", opt(&doc.source_url)),
        ("Versions stored", doc.version_count.to_string()),
        ("Snapshots stored", doc.snapshot_count.to_string()),
    ];
    for (k, v) in rows {
        let _ = writeln!(h, "<tr><th>{k}</th><td>{v}</td></tr>");
    }
    h.push_str("</table>\n");

    heading(h, 3, &format!("doc-{n}-versions"), "Versions and snapshots");
    if d.versions.is_empty() {
        h.push_str("<p class=\"muted\">No version in scope.</p>\n");
    }
    for v in &d.versions {
        version(h, v);
    }

    let current = d
        .current
        .map(|v| format!("Provisions of version {v}, with labels"))
        .unwrap_or_else(|| "Provisions".into());
    heading(h, 3, &format!("doc-{n}-provisions"), &current);
    if d.provisions.is_empty() {
        h.push_str("<p class=\"muted\">No provisions in scope.</p>\n");
    }
    for e in &d.provisions {
        let p = &e.provision;
        let path = if p.heading_path.is_empty() {
            String::new()
        } else {
            format!(" · {}", esc(&p.heading_path.join(" › ")))
        };
        let _ = write!(
            h,
            "<div class=\"prov\"><div class=\"pid\">{} · {}{path}</div><p>{}</p>",
            esc(&p.id),
            esc(p.kind.as_str()),
            esc(&p.text)
        );
        if !e.labels.is_empty() {
            h.push_str("<ul class=\"labels\">");
            for l in &e.labels {
                let _ = write!(
                    h,
                    "<li><code>{}</code> {:.2} ({}): “{}”</li>",
                    esc(&l.id),
                    l.confidence,
                    l.source,
                    esc(&l.evidence)
                );
            }
            h.push_str("</ul>");
        }
        h.push_str("</div>\n");
    }

    heading(h, 3, &format!("doc-{n}-findings"), "Regulatory findings");
    h.push_str("<p class=\"caveat\">Each finding is a <strong>risk indicator, not a legal determination</strong>: a rule of clausewatch's regulatory checks matched (or a required kind of clause was not found).</p>\n");
    if d.findings.is_empty() {
        h.push_str("<p class=\"muted\">No findings.</p>\n");
    } else {
        h.push_str("<table><tr><th>Regulation</th><th>Article</th><th>Provision</th><th>Finding</th><th>Evidence</th><th>Caveat</th></tr>\n");
        for f in &d.findings {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&f.regulation),
                esc(&f.article),
                opt(&f.provision_id),
                esc(&f.message),
                opt(&f.evidence),
                esc(&f.caveat)
            );
        }
        h.push_str("</table>\n");
    }

    heading(h, 3, &format!("doc-{n}-changes"), "Change history");
    if d.changes.is_empty() {
        h.push_str("<p class=\"muted\">No recorded change in scope (a single version, or versions imported without a diff).</p>\n");
    }
    for c in &d.changes {
        let cs = &c.change_set;
        let from = c
            .old_version
            .map(|v| format!("version {v}"))
            .unwrap_or_else(|| "nothing".into());
        let _ = writeln!(
            h,
            "<h4>Version {} (compared with {})</h4>",
            c.new_version,
            esc(&from)
        );
        let s = &cs.summary;
        let _ = writeln!(
            h,
            "<p>{} added, {} removed, {} modified, {} moved, {} unchanged; <strong>{} substantive</strong>.</p><p>{}</p>",
            s.added,
            s.removed,
            s.modified,
            s.moved,
            s.unchanged,
            s.substantive,
            esc(&cs.summary_text)
        );
        for pc in cs
            .changes
            .iter()
            .filter(|pc| pc.kind != ChangeKind::Unchanged)
        {
            change(h, pc);
        }
    }
    h.push_str("</section>\n");
}

fn version(h: &mut String, v: &VersionSection) {
    let r = &v.row;
    let _ = writeln!(
        h,
        "<h4>Version {} — observed {}</h4>",
        r.number,
        r.observed_at.format("%Y-%m-%d %H:%M UTC")
    );
    h.push_str("<table>\n");
    let effective = r
        .effective_date
        .map(|d| d.to_string())
        .unwrap_or_else(|| "—".into());
    let rows = [
        ("Title", opt(&r.title), ""),
        ("Effective date (stated)", effective, ""),
        (
            "Language / format",
            format!("{} / {}", esc(&r.language), r.format.as_str()),
            "",
        ),
        ("Provisions", r.provision_count.to_string(), ""),
        ("Extractor", esc(&r.extractor_version), ""),
        ("Content hash", esc(&r.content_hash), "hash"),
        (
            "Announcement",
            v.announcement
                .map(|a| esc(&announcement_text(a)))
                .unwrap_or_else(|| "— (first version)".into()),
            if v.announcement.is_some_and(|a| a.is_flagged()) {
                "flag"
            } else {
                ""
            },
        ),
    ];
    for (k, val, class) in rows {
        let _ = writeln!(h, "<tr><th>{k}</th><td class=\"{class}\">{val}</td></tr>");
    }
    h.push_str("</table>\n<table><tr><th>Snapshot sha256</th><th>Source</th><th>Fetched / observed</th><th>HTTP status</th><th>Size</th><th>Seen</th></tr>\n");
    for s in &v.snapshots {
        let status = s
            .http_status
            .map(|c| c.to_string())
            .unwrap_or_else(|| "— (not fetched over HTTP)".into());
        let seen = if s.observation_count > 1 {
            format!(
                "{}×, last {}",
                s.observation_count,
                s.last_observed_at.format("%Y-%m-%d")
            )
        } else {
            "once".into()
        };
        let _ = writeln!(
            h,
            "<tr><td class=\"hash\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} B ({})</td><td>{}</td></tr>",
            esc(&s.sha256),
            esc(&s.source),
            s.observed_at.format("%Y-%m-%d %H:%M:%S UTC"),
            esc(&status),
            s.size,
            esc(&s.format),
            esc(&seen)
        );
    }
    h.push_str("</table>\n");
    if !v.imported.is_empty() {
        h.push_str("<p class=\"muted\">Imported from:</p><ul class=\"imported\">");
        for i in &v.imported {
            let _ = write!(h, "<li>{}</li>", esc(&i.describe()));
        }
        h.push_str("</ul>\n");
    }
}

fn change(h: &mut String, pc: &ProvisionChange) {
    let class = match pc.significance {
        Significance::Substantive => "substantive",
        _ => "cosmetic",
    };
    let id = pc.new_id.as_deref().or(pc.old_id.as_deref()).unwrap_or("");
    let _ = write!(
        h,
        "<div class=\"change {class}\"><div class=\"pid\">{} · {} · {}</div>",
        esc(pc.kind.as_str()),
        esc(pc.significance.as_str()),
        esc(id)
    );
    if !pc.reasons.is_empty() {
        let _ = write!(
            h,
            "<div class=\"muted\">{}</div>",
            esc(&pc.reasons.join("; "))
        );
    }
    h.push_str("<p>");
    if !pc.words.is_empty() {
        for w in &pc.words {
            match w.op {
                WordOpKind::Insert => {
                    let _ = write!(h, "<ins>{}</ins>", esc(&w.text));
                }
                WordOpKind::Delete => {
                    let _ = write!(h, "<del>{}</del>", esc(&w.text));
                }
                _ => h.push_str(&esc(&w.text)),
            }
        }
    } else {
        match (&pc.old_text, &pc.new_text) {
            (Some(o), None) => {
                let _ = write!(h, "<del>{}</del>", esc(o));
            }
            (None, Some(n)) => {
                let _ = write!(h, "<ins>{}</ins>", esc(n));
            }
            (Some(o), Some(n)) if o != n => {
                let _ = write!(h, "<del>{}</del> <ins>{}</ins>", esc(o), esc(n));
            }
            (_, Some(n)) => h.push_str(&esc(n)),
            (None, None) => {}
        }
    }
    h.push_str("</p></div>\n");
}

fn appendix(h: &mut String, r: &Report) {
    h.push_str("<section class=\"appendix\">\n");
    heading(h, 2, "provenance", "Provenance appendix");
    h.push_str("<h3>Manifest</h3>\n<p>The store keeps a hash-chained, append-only manifest: every version (with its provisions), snapshot and observation is entered with its hash in the same transaction that records it, each entry chained to the one before. <code>clausewatch verify</code> re-hashes every archived blob, recomputes every record, rebuilds every version from its snapshot, and checks the chain.</p>\n<table>\n");
    match &r.chain_head {
        Some(head) => {
            let _ = writeln!(
                h,
                "<tr><th>Chain head</th><td class=\"hash\">{}</td></tr><tr><th>Entries</th><td>{}</td></tr>",
                esc(&head.chain_hash),
                head.seq
            );
        }
        None => h.push_str("<tr><th>Chain head</th><td>empty</td></tr>\n"),
    }
    let _ = writeln!(
        h,
        "<tr><th>Extractor versions in scope</th><td>{}</td></tr><tr><th>Current extractor</th><td>{}</td></tr><tr><th>Analyzer</th><td>{}</td></tr><tr><th>Label model</th><td>{}</td></tr></table>",
        esc(&r
            .extractor_versions
            .iter()
            .cloned()
            .collect::<Vec<_>>()
            .join(", ")),
        esc(&r.current_extractor),
        esc(&r.analyzer),
        esc(&r.model)
    );
    if r.extractor_versions
        .iter()
        .any(|v| v != &r.current_extractor)
    {
        h.push_str("<p class=\"caveat\">Some versions were extracted by another extractor version than the current one; rebuilding them from their snapshots today may give a different segmentation (a technical difference, not a change of the terms).</p>\n");
    }
    h.push_str("<h3>Archive blobs</h3>\n<p>Each blob is stored zstd-compressed under the sha256 of its raw bytes.</p>\n<table><tr><th>Document</th><th>Version</th><th>sha256 of the raw bytes</th><th>Size</th></tr>\n");
    for d in &r.documents {
        for v in &d.versions {
            for s in &v.snapshots {
                let _ = writeln!(
                    h,
                    "<tr><td>{}</td><td>{}</td><td class=\"hash\">{}</td><td>{} B</td></tr>",
                    esc(&d.document.key.to_string()),
                    v.row.number,
                    esc(&s.sha256),
                    s.size
                );
            }
        }
    }
    h.push_str("</table>\n</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn empty_report() -> Report {
        Report {
            scope: "example".into(),
            since: None,
            generator: "clausewatch test".into(),
            generated_at: chrono::DateTime::UNIX_EPOCH,
            documents: Vec::new(),
            chain_head: None,
            extractor_versions: std::collections::BTreeSet::new(),
            current_extractor: "x".into(),
            analyzer: "y".into(),
            model: "z".into(),
        }
    }

    #[test]
    fn page_markers_appear_only_in_the_measuring_pass() {
        let report = empty_report();
        let marked = render_html_marked(&report, &HashMap::new());
        let sections = sections(&report);
        assert!(!sections.is_empty());
        for (anchor, _, _) in &sections {
            assert!(marked.contains(&marker(anchor)), "{anchor} has no marker");
        }
        let shown = render_html(&report, &HashMap::new());
        assert!(
            !shown.contains("cwmark"),
            "markers left in the page people read"
        );
        assert!(shown.contains("id=\"provenance\""));
    }
}
