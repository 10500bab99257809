//! Reading the English CLAUDETTE training corpus (CC BY 4.0, Lippi et al.
//! 2019; Galassi et al. 2024): one sentence per line in
//! `corpus/sentences/en/original/<Service>.txt`, its tags on the same line of
//! `corpus/tags/en/original/<Service>.txt`. Tags `ltd ter ch cr use law j a`
//! with suffix 2 or 3 count as the label; suffix 1 (fair) and the tags
//! `pinc`/`countrym` do not. ToS;DR quotes are never read (CC BY-SA).

use crate::error::AnalyzeError;
use crate::label::UNFAIR_CATEGORIES;
use std::path::{Path, PathBuf};

/// One terms-of-service document of the corpus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceDoc {
    /// The service (file stem), e.g. `Amazon`.
    pub name: String,
    /// The sentences, in document order (headings and list numbers included).
    pub sentences: Vec<String>,
    /// Per sentence, a bit mask over [`UNFAIR_CATEGORIES`] (bit i = category i).
    pub tags: Vec<u8>,
}

/// The corpus: documents sorted by service name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Corpus {
    /// Documents, sorted by name.
    pub docs: Vec<ServiceDoc>,
}

impl Corpus {
    /// Loads the corpus from `dir`, which may be the `claudette_multilingual`
    /// folder, its `corpus/` folder, or any folder holding
    /// `sentences/en/original` and `tags/en/original`.
    pub fn load(dir: &Path) -> Result<Corpus, AnalyzeError> {
        let base = [dir.join("corpus"), dir.to_path_buf()]
            .into_iter()
            .find(|d| d.join("sentences/en/original").is_dir())
            .ok_or_else(|| AnalyzeError::Corpus {
                path: dir.to_path_buf(),
                message: "no sentences/en/original folder (expected the CLAUDETTE corpus)".into(),
            })?;
        let sent_dir = base.join("sentences/en/original");
        let tag_dir = base.join("tags/en/original");
        let mut names: Vec<String> = read_dir(&sent_dir)?
            .into_iter()
            .filter_map(|p| {
                let stem = p.file_stem()?.to_str()?.to_string();
                (p.extension()? == "txt").then_some(stem)
            })
            .collect();
        names.sort();
        let mut docs = Vec::new();
        for name in names {
            let sp = sent_dir.join(format!("{name}.txt"));
            let tp = tag_dir.join(format!("{name}.txt"));
            let sentences: Vec<String> = lines(&read(&sp)?);
            let tag_lines: Vec<String> = lines(&read(&tp)?);
            if tag_lines.len() != sentences.len() {
                return Err(AnalyzeError::Corpus {
                    path: tp,
                    message: format!(
                        "{} tag lines for {} sentences",
                        tag_lines.len(),
                        sentences.len()
                    ),
                });
            }
            let tags = tag_lines.iter().map(|l| parse_tags(l)).collect();
            docs.push(ServiceDoc {
                name,
                sentences,
                tags,
            });
        }
        if docs.is_empty() {
            return Err(AnalyzeError::Corpus {
                path: sent_dir,
                message: "no .txt files".into(),
            });
        }
        Ok(Corpus { docs })
    }

    /// Keeps only the named services (order stays sorted).
    pub fn retain_services(&mut self, names: &[String]) {
        self.docs.retain(|d| names.contains(&d.name));
    }

    /// The fold (0-based) of each document for `k`-fold cross-validation
    /// split by document: sorted service names dealt round-robin.
    pub fn folds(&self, k: usize) -> Vec<(String, usize)> {
        let k = k.max(1);
        self.docs
            .iter()
            .enumerate()
            .map(|(i, d)| (d.name.clone(), i % k))
            .collect()
    }
}

/// Parses one tag line into a bit mask over [`UNFAIR_CATEGORIES`].
pub(crate) fn parse_tags(line: &str) -> u8 {
    let mut mask = 0u8;
    for tok in line.split_whitespace() {
        let (tag, grade) = tok.split_at(tok.len().saturating_sub(1));
        if !matches!(grade, "2" | "3") {
            continue;
        }
        if let Some(i) = UNFAIR_CATEGORIES.iter().position(|(_, t)| *t == tag) {
            mask |= 1 << i;
        }
    }
    mask
}

fn lines(s: &str) -> Vec<String> {
    let mut v: Vec<String> = s
        .split('\n')
        .map(|l| l.trim_end_matches('\r').to_string())
        .collect();
    if v.last().is_some_and(|l| l.is_empty()) {
        v.pop();
    }
    v
}

fn read(p: &Path) -> Result<String, AnalyzeError> {
    let bytes = std::fs::read(p).map_err(|source| AnalyzeError::Io {
        path: p.into(),
        source,
    })?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn read_dir(p: &Path) -> Result<Vec<PathBuf>, AnalyzeError> {
    let rd = std::fs::read_dir(p).map_err(|source| AnalyzeError::Io {
        path: p.into(),
        source,
    })?;
    Ok(rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_2_and_3_count_1_does_not() {
        assert_eq!(parse_tags(""), 0);
        assert_eq!(parse_tags("ltd2"), 1);
        assert_eq!(parse_tags("ltd1"), 0);
        assert_eq!(parse_tags("ter3 ch2"), 0b110);
        assert_eq!(parse_tags("j3 law1 a2"), (1 << 6) | (1 << 7));
        assert_eq!(parse_tags("pinc2 countrym"), 0);
        assert_eq!(parse_tags("use2 "), 1 << 4);
    }
}
