//! The corpus sample shared by the golden-digest test (issue #25) and the
//! labelling bench: the newest version of every OTA document and of ten
//! ota-wide documents (six Chinese, four French), extracted as the product
//! extracts them.

use cw_model::ExtractedDocument;
use std::path::{Path, PathBuf};

/// The ota-wide documents of the sample: multi-byte text.
const OTA_WIDE: [&str; 10] = [
    "genai-contrib/Doubao/Privacy_Policy",
    "genai-contrib/Doubao/Terms_of_Service",
    "genai-contrib/Kimi_AI/Privacy_Policy",
    "genai-contrib/Kimi_AI/Terms_of_Service",
    "genai-contrib/Wenxinyiyan/Privacy_Policy",
    "genai-contrib/Wenxinyiyan/Terms_of_Service",
    "france/Air_Austral/Imprint",
    "france/Air_Corsica/General_Conditions_of_Sale",
    "france/Air_Europa/General_Conditions_of_Sale",
    "france/Air_Malta/Privacy_Policy",
];

/// `../shared/corpus` beside the repository.
pub(crate) fn corpus() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus"
    ))
}

/// The sub-folders of `p`, sorted.
pub(crate) fn subdirs(p: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(p)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// `(name, folder)` of every document of the sample, names like
/// `contrib/GitLab/Terms_of_Service` and `ota-wide/france/Air_Malta/Privacy_Policy`.
pub(crate) fn documents(root: &Path) -> Vec<(String, PathBuf)> {
    let ota = root.join("ota");
    let mut out = Vec::new();
    for coll in subdirs(&ota) {
        for service in subdirs(&coll) {
            for terms in subdirs(&service) {
                if let Ok(name) = terms.strip_prefix(&ota) {
                    out.push((name.to_string_lossy().into_owned(), terms.clone()));
                }
            }
        }
    }
    for d in OTA_WIDE {
        out.push((format!("ota-wide/{d}"), root.join("ota-wide").join(d)));
    }
    out
}

/// The newest version of the document in `dir` (its file stem, its bytes'
/// length and the extracted document); `None` when it cannot be read.
pub(crate) fn newest(dir: &Path) -> Option<(String, usize, ExtractedDocument)> {
    let path = version_files(&dir.join("versions")).pop()?;
    let bytes = std::fs::read(&path).ok()?;
    let doc = cw_extract::extract(&bytes, &cw_extract::ExtractOptions::default()).ok()?;
    let stem = path.file_stem()?.to_string_lossy().into_owned();
    Some((stem, bytes.len(), doc))
}

/// The `*.md` versions in a `versions` folder, oldest first (empty when it
/// cannot be read).
pub(crate) fn version_files(versions: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(versions)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "md"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}
