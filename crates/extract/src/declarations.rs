//! Declarations in the manner of Open Terms Archive: CSS `select` and
//! `remove` selectors, and range selectors (`{"startBefore": …, "endAfter":
//! …}`), that pin down which part of an HTML page is the document. When a
//! declaration selects content it wins over the automatic main-content
//! choice; `remove` selectors are applied either way.
//!
//! A [`Declaration`] is validated when it is built (every CSS selector is
//! parsed, every range has exactly one start and one end), so extraction
//! never meets an invalid one. Its JSON form is OTA's: `{"select": [...],
//! "remove": [...]}`, each entry a selector string or a range object.

use std::collections::HashMap;

use ego_tree::NodeId;
use scraper::Html;

/// Why a declaration could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DeclarationError {
    /// A CSS selector does not parse.
    #[error("invalid CSS selector {selector:?}: {reason}")]
    InvalidSelector {
        /// The selector as given.
        selector: String,
        /// What the CSS parser said.
        reason: String,
    },
    /// A range selector is malformed (not one start and one end).
    #[error("invalid range selector {range}: {reason}")]
    InvalidRange {
        /// The range as given.
        range: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The JSON form is not an object of `select`/`remove` lists.
    #[error("invalid declaration JSON: {0}")]
    InvalidJson(String),
}

/// Where a range starts or ends relative to the element a selector matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edge {
    /// Just before the element (a start includes it, an end excludes it).
    Before,
    /// Just after the element (a start excludes it, an end includes it).
    After,
}

/// One selector of a declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Selector {
    /// A CSS selector; every element it matches (with its descendants).
    Css(String),
    /// Everything between two boundaries, in document order. Each boundary
    /// is the first element a CSS selector matches.
    Range {
        /// The start selector and its edge (`startBefore` / `startAfter`).
        start: (String, Edge),
        /// The end selector and its edge (`endBefore` / `endAfter`).
        end: (String, Edge),
    },
}

impl Selector {
    /// Parses one selector: a CSS selector, or an OTA range object written as
    /// JSON (`{"startBefore": "#terms", "endBefore": "footer"}`).
    pub fn parse(text: &str) -> Result<Self, DeclarationError> {
        let t = text.trim();
        if t.starts_with('{') {
            let value: serde_json::Value =
                serde_json::from_str(t).map_err(|e| DeclarationError::InvalidRange {
                    range: t.to_string(),
                    reason: e.to_string(),
                })?;
            return Self::from_value(&value);
        }
        check_css(t)?;
        Ok(Selector::Css(t.to_string()))
    }

    fn from_value(v: &serde_json::Value) -> Result<Self, DeclarationError> {
        if let Some(s) = v.as_str() {
            check_css(s)?;
            return Ok(Selector::Css(s.trim().to_string()));
        }
        let bad = |reason: &str| DeclarationError::InvalidRange {
            range: v.to_string(),
            reason: reason.to_string(),
        };
        let obj = v
            .as_object()
            .ok_or_else(|| bad("a selector is a string or a range object"))?;
        for k in obj.keys() {
            if !matches!(
                k.as_str(),
                "startBefore" | "startAfter" | "endBefore" | "endAfter"
            ) {
                return Err(bad(&format!(
                    "unknown key {k:?} (expected startBefore, startAfter, endBefore, endAfter)"
                )));
            }
        }
        let get = |k: &str| -> Result<Option<String>, DeclarationError> {
            match obj.get(k) {
                None => Ok(None),
                Some(serde_json::Value::String(s)) => {
                    check_css(s)?;
                    Ok(Some(s.trim().to_string()))
                }
                Some(_) => Err(bad(&format!("{k} must be a CSS selector string"))),
            }
        };
        let pick = |before: Option<String>, after: Option<String>, what: &str| match (before, after)
        {
            (Some(s), None) => Ok((s, Edge::Before)),
            (None, Some(s)) => Ok((s, Edge::After)),
            _ => Err(bad(&format!(
                "needs exactly one of {what}Before and {what}After"
            ))),
        };
        let start = pick(get("startBefore")?, get("startAfter")?, "start")?;
        let end = pick(get("endBefore")?, get("endAfter")?, "end")?;
        Ok(Selector::Range { start, end })
    }

    fn to_value(&self) -> serde_json::Value {
        match self {
            Selector::Css(s) => serde_json::Value::String(s.clone()),
            Selector::Range { start, end } => {
                let key = |edge: Edge, what: &str| match edge {
                    Edge::Before => format!("{what}Before"),
                    Edge::After => format!("{what}After"),
                };
                let mut m = serde_json::Map::new();
                m.insert(key(start.1, "start"), start.0.clone().into());
                m.insert(key(end.1, "end"), end.0.clone().into());
                serde_json::Value::Object(m)
            }
        }
    }
}

fn check_css(s: &str) -> Result<(), DeclarationError> {
    let s = s.trim();
    if s.is_empty() {
        return Err(DeclarationError::InvalidSelector {
            selector: s.to_string(),
            reason: "the selector is empty".to_string(),
        });
    }
    scraper::Selector::parse(s)
        .map(|_| ())
        .map_err(|e| DeclarationError::InvalidSelector {
            selector: s.to_string(),
            reason: e.to_string(),
        })
}

/// Which parts of an HTML page are the document: content to select (empty:
/// choose automatically) and content to remove.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Declaration {
    select: Vec<Selector>,
    remove: Vec<Selector>,
}

impl Declaration {
    /// Builds a declaration from selector texts (CSS, or JSON range objects),
    /// as given with `--select` and `--remove`.
    pub fn new<S: AsRef<str>>(select: &[S], remove: &[S]) -> Result<Self, DeclarationError> {
        let parse = |v: &[S]| {
            v.iter()
                .map(|s| Selector::parse(s.as_ref()))
                .collect::<Result<Vec<_>, _>>()
        };
        Ok(Declaration {
            select: parse(select)?,
            remove: parse(remove)?,
        })
    }

    /// Builds a declaration from already parsed selectors.
    pub fn from_selectors(select: Vec<Selector>, remove: Vec<Selector>) -> Self {
        Declaration { select, remove }
    }

    /// Reads the JSON form `{"select": [...], "remove": [...]}` (OTA's; a
    /// single selector may stand in for a list).
    pub fn from_json(json: &str) -> Result<Self, DeclarationError> {
        let v: serde_json::Value =
            serde_json::from_str(json).map_err(|e| DeclarationError::InvalidJson(e.to_string()))?;
        let obj = v.as_object().ok_or_else(|| {
            DeclarationError::InvalidJson("expected an object with select/remove".to_string())
        })?;
        let list = |k: &str| -> Result<Vec<Selector>, DeclarationError> {
            match obj.get(k) {
                None | Some(serde_json::Value::Null) => Ok(Vec::new()),
                Some(serde_json::Value::Array(a)) => a.iter().map(Selector::from_value).collect(),
                Some(one) => Ok(vec![Selector::from_value(one)?]),
            }
        };
        for k in obj.keys() {
            if !matches!(k.as_str(), "select" | "remove") {
                return Err(DeclarationError::InvalidJson(format!(
                    "unknown key {k:?} (expected select, remove)"
                )));
            }
        }
        Ok(Declaration {
            select: list("select")?,
            remove: list("remove")?,
        })
    }

    /// The JSON form, keys sorted (same declaration, same text).
    pub fn to_json(&self) -> String {
        let list =
            |v: &[Selector]| serde_json::Value::Array(v.iter().map(Selector::to_value).collect());
        let mut m = serde_json::Map::new();
        m.insert("select".into(), list(&self.select));
        m.insert("remove".into(), list(&self.remove));
        serde_json::Value::Object(m).to_string()
    }

    /// The `select` selectors.
    pub fn select(&self) -> &[Selector] {
        &self.select
    }

    /// The `remove` selectors.
    pub fn remove(&self) -> &[Selector] {
        &self.remove
    }

    /// Neither selects nor removes anything.
    pub fn is_empty(&self) -> bool {
        self.select.is_empty() && self.remove.is_empty()
    }
}

/// Half-open intervals of pre-order node positions.
type Spans = Vec<(usize, usize)>;

/// A declaration resolved against one parsed page: which nodes it keeps.
#[derive(Debug)]
pub(crate) struct Filter {
    /// Pre-order position and subtree end of every node.
    pos: HashMap<NodeId, (usize, usize)>,
    /// Selected spans (`None`: no `select`, everything is eligible).
    select: Option<Spans>,
    remove: Spans,
}

/// What the walker does with one node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Visit {
    /// Read it (and, for an element, its children).
    Read,
    /// An element whose children may be partly in: enter it but read no text of its own.
    Enter,
    /// Skip it and everything inside.
    Skip,
}

impl Filter {
    /// Resolves `decl` against `doc`. `None` when `select` matched nothing.
    pub(crate) fn new(doc: &Html, decl: &Declaration) -> Option<Filter> {
        let mut pos = HashMap::new();
        let mut counter = 0usize;
        let mut open = Vec::new();
        for edge in doc.tree.root().traverse() {
            match edge {
                ego_tree::iter::Edge::Open(n) => {
                    open.push((n.id(), counter));
                    counter += 1;
                }
                ego_tree::iter::Edge::Close(_) => {
                    if let Some((id, start)) = open.pop() {
                        pos.insert(id, (start, counter));
                    }
                }
            }
        }
        let spans = |list: &[Selector]| -> Spans {
            let mut out = Vec::new();
            for s in list {
                match s {
                    Selector::Css(css) => {
                        if let Ok(sel) = scraper::Selector::parse(css) {
                            out.extend(doc.select(&sel).filter_map(|e| pos.get(&e.id()).copied()));
                        }
                    }
                    Selector::Range { start, end } => {
                        let first = |css: &str| {
                            scraper::Selector::parse(css)
                                .ok()
                                .and_then(|sel| doc.select(&sel).next())
                                .and_then(|e| pos.get(&e.id()).copied())
                        };
                        let (Some(a), Some(b)) = (first(&start.0), first(&end.0)) else {
                            continue;
                        };
                        let from = if start.1 == Edge::Before { a.0 } else { a.1 };
                        let to = if end.1 == Edge::Before { b.0 } else { b.1 };
                        if from < to {
                            out.push((from, to));
                        }
                    }
                }
            }
            out.sort_unstable();
            out
        };
        let select = if decl.select.is_empty() {
            None
        } else {
            let s = spans(&decl.select);
            if s.is_empty() {
                return None;
            }
            Some(s)
        };
        let remove = spans(&decl.remove);
        Some(Filter {
            pos,
            select,
            remove,
        })
    }

    /// Whether content was selected by the declaration (not automatically).
    pub(crate) fn selects(&self) -> bool {
        self.select.is_some()
    }

    /// Decides how to visit a node.
    pub(crate) fn visit(&self, id: NodeId) -> Visit {
        let Some(&(start, end)) = self.pos.get(&id) else {
            return Visit::Read;
        };
        if self.remove.iter().any(|&(a, b)| a <= start && end <= b) {
            return Visit::Skip;
        }
        let removed_here = self.remove.iter().any(|&(a, b)| a <= start && start < b);
        let Some(select) = &self.select else {
            return if removed_here {
                Visit::Enter
            } else {
                Visit::Read
            };
        };
        if select.iter().any(|&(a, b)| a <= start && start < b) && !removed_here {
            return Visit::Read;
        }
        if select.iter().any(|&(a, b)| a < end && start < b) {
            Visit::Enter
        } else {
            Visit::Skip
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_css_and_ranges() {
        assert_eq!(
            Selector::parse(" main .terms ").ok(),
            Some(Selector::Css("main .terms".into()))
        );
        assert_eq!(
            Selector::parse(r##"{"startBefore": "#a", "endAfter": "#b"}"##).ok(),
            Some(Selector::Range {
                start: ("#a".into(), Edge::Before),
                end: ("#b".into(), Edge::After)
            })
        );
    }

    #[test]
    fn rejects_bad_selectors_clearly() {
        let e = Selector::parse("div[").err().map(|e| e.to_string());
        assert!(e.is_some_and(|e| e.starts_with("invalid CSS selector \"div[\"")));
        let e = Selector::parse(r#"{"startBefore": "h1"}"#)
            .err()
            .map(|e| e.to_string());
        assert!(e.is_some_and(|e| e.contains("exactly one of endBefore and endAfter")));
        let e = Selector::parse(r#"{"startBefore": "h1", "endBefore": "p", "startAfter": "x"}"#)
            .err()
            .map(|e| e.to_string());
        assert!(e.is_some_and(|e| e.contains("exactly one of startBefore and startAfter")));
        assert!(Selector::parse(r#"{"start": "h1"}"#).is_err());
        assert!(Selector::parse("").is_err());
        assert!(Declaration::from_json("[1]").is_err());
    }

    #[test]
    fn json_round_trip() {
        let d = Declaration::new(
            &["main", r#"{"startAfter": "h1", "endBefore": "footer"}"#],
            &[".ads"],
        );
        let d = d.ok().unwrap_or_default();
        let json = d.to_json();
        assert_eq!(
            json,
            r#"{"remove":[".ads"],"select":["main",{"endBefore":"footer","startAfter":"h1"}]}"#
        );
        assert_eq!(Declaration::from_json(&json).ok(), Some(d));
        let one = Declaration::from_json(r#"{"select": "article"}"#).ok();
        assert_eq!(one.map(|d| d.select().len()), Some(1));
    }
}
