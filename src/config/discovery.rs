//! Models found as `*.gguf` files under the directories of `models_dir`.
//!
//! Every `*.gguf` file (extension compared without case) under each directory, searched
//! recursively and following symbolic links, becomes a model. Its id and display name are the
//! file name without `.gguf`, and for the first part of a split model also without the part
//! suffix. Skipped are:
//! - projector files, whose name contains "mmproj" in any case;
//! - every part but the first of a split model (`<name>-00002-of-00003.gguf`);
//! - files a configured model already uses, compared by canonical path;
//! - files whose id is already taken, with a warning.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use super::model_spec::collision_key;
use super::problem::ConfigProblem;
use super::raw::{ModelEntry, RawConfig};

/// A model file found under `models_dir`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscoveredModel {
    /// API id and display name.
    pub id: String,
    pub file: PathBuf,
    /// JSON path of the `models_dir` value the file was found under.
    pub source_path: String,
}

impl DiscoveredModel {
    /// Builds the entry the model would have if it were configured: `default_parameters`, and
    /// the top-level defaults for everything else.
    pub(crate) fn entry(&self, raw: &RawConfig) -> ModelEntry {
        ModelEntry {
            model_id: None,
            model_path: Some(self.file.clone()),
            llama_cpp_runtime: None,
            parameters: raw.default_parameters.clone(),
            ttl: None,
            circuit_breaker: None,
            timeouts: None,
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct Discovery {
    pub models: Vec<DiscoveredModel>,
    pub problems: Vec<ConfigProblem>,
}

/// Searches every directory of `models_dir`; a missing directory is an error, an unreadable
/// subdirectory a warning.
pub(crate) fn discover_models(raw: &RawConfig) -> Discovery {
    let mut discovery = Discovery::default();
    let Some(models_dir) = &raw.models_dir else {
        return discovery;
    };

    let mut used_files: HashSet<PathBuf> = raw
        .models
        .values()
        .filter_map(|entry| entry.model_path.as_deref())
        .map(canonical_or_same)
        .collect();
    let mut owners_by_id: BTreeMap<String, String> = raw
        .models
        .iter()
        .map(|(display_name, entry)| (collision_key(entry.api_id(display_name)).to_owned(), format!("model '{display_name}'")))
        .collect();

    for (source_path, directory) in models_dir.directories() {
        if !directory.is_dir() {
            let reason = if directory.exists() { "is not a directory" } else { "directory not found" };
            let message = format!("{reason}: {}", directory.display());
            discovery.problems.push(ConfigProblem::error(&source_path, message));
            continue;
        }

        let mut files = Vec::new();
        let mut visited = HashSet::new();
        collect_gguf_files(&directory, &mut visited, &mut files, &mut |unreadable, error| {
            let message = format!("cannot read directory {}: {error}", unreadable.display());
            discovery.problems.push(ConfigProblem::warning(&source_path, message));
        });

        for file in files {
            let Some(id) = model_id_of(&file) else {
                continue;
            };
            if !used_files.insert(canonical_or_same(&file)) {
                continue;
            }
            if let Some(owner) = owners_by_id.get(collision_key(&id)) {
                let message = format!("{}: id '{id}' is already used by {owner}, so the file is skipped", file.display());
                discovery.problems.push(ConfigProblem::warning(&source_path, message));
                continue;
            }

            tracing::debug!(model = %id, file = %file.display(), "discovered model");
            owners_by_id.insert(collision_key(&id).to_owned(), format!("discovered file {}", file.display()));
            discovery.models.push(DiscoveredModel {
                id,
                file,
                source_path: source_path.clone(),
            });
        }
    }
    discovery
}

/// Returns the id a discovered file gets, or `None` when the file is skipped: not `*.gguf`, a
/// projector, a later part of a split model, or a name that is not UTF-8.
fn model_id_of(file: &Path) -> Option<String> {
    let name = file.file_name()?.to_str()?;
    let stem = strip_suffix_ignoring_case(name, ".gguf")?;
    if stem.is_empty() || name.to_ascii_lowercase().contains("mmproj") {
        return None;
    }
    match split_part(stem) {
        Some((prefix, 1)) => Some(prefix.to_owned()),
        Some(_) => None,
        None => Some(stem.to_owned()),
    }
}

/// Splits `<prefix>-<part>-of-<count>` (numbers of at least five digits, as llama.cpp's
/// `gguf-split` writes them) into the prefix and the part number.
fn split_part(stem: &str) -> Option<(&str, u32)> {
    let (before_count, count) = stem.rsplit_once("-of-")?;
    let (prefix, part) = before_count.rsplit_once('-')?;
    let is_number = |digits: &str| digits.len() >= 5 && digits.bytes().all(|byte| byte.is_ascii_digit());
    if prefix.is_empty() || !is_number(part) || !is_number(count) {
        return None;
    }
    Some((prefix, part.parse().ok()?))
}

fn strip_suffix_ignoring_case<'a>(name: &'a str, suffix: &str) -> Option<&'a str> {
    let split_at = name.len().checked_sub(suffix.len())?;
    let (stem, tail) = (name.get(..split_at)?, name.get(split_at..)?);
    tail.eq_ignore_ascii_case(suffix).then_some(stem)
}

/// Appends every `*.gguf` file under `directory` to `files`, sorted by name within each
/// directory. `visited` contains canonical directories, so a symbolic link loop is entered once.
fn collect_gguf_files(
    directory: &Path,
    visited: &mut HashSet<PathBuf>,
    files: &mut Vec<PathBuf>,
    on_unreadable: &mut dyn FnMut(&Path, std::io::Error),
) {
    if !visited.insert(canonical_or_same(directory)) {
        return;
    }
    let entries = match std::fs::read_dir(directory) {
        Ok(entries) => entries,
        Err(error) => {
            on_unreadable(directory, error);
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(Result::ok).map(|entry| entry.path()).collect();
    paths.sort();

    for path in paths {
        // `metadata` follows symbolic links; a dangling link is skipped.
        let Ok(metadata) = std::fs::metadata(&path) else {
            continue;
        };
        if metadata.is_dir() {
            collect_gguf_files(&path, visited, files, on_unreadable);
        } else if metadata.is_file() && model_id_of(&path).is_some() {
            files.push(path);
        }
    }
}

fn canonical_or_same(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_is_the_file_name_without_extension() {
        assert_eq!(model_id_of(Path::new("/m/Qwen3-8B-Q4_K_M.gguf")).as_deref(), Some("Qwen3-8B-Q4_K_M"));
        assert_eq!(model_id_of(Path::new("/m/upper.GGUF")).as_deref(), Some("upper"));
        assert_eq!(model_id_of(Path::new("/m/notes.txt")), None);
        assert_eq!(model_id_of(Path::new("/m/.gguf")), None);
    }

    #[test]
    fn projectors_are_skipped() {
        assert_eq!(model_id_of(Path::new("/m/mmproj-model-f16.gguf")), None);
        assert_eq!(model_id_of(Path::new("/m/gemma-3-MMPROJ.gguf")), None);
    }

    #[test]
    fn discovered_models_take_default_parameters() {
        let directory = std::env::temp_dir().join(format!("llama-runner-discovery-unit-{}", std::process::id()));
        std::fs::create_dir_all(directory.join("sub")).unwrap();
        for name in ["a.gguf", "sub/b.gguf", "configured.gguf"] {
            std::fs::write(directory.join(name), b"GGUF").unwrap();
        }
        let raw: RawConfig = serde_json::from_value(serde_json::json!({
            "models_dir": directory,
            "default_runtime": "/opt/llama-server",
            "default_parameters": {"ctx_size": 1024, "jinja": true},
            "models": {"C": {"model_path": directory.join("sub/../configured.gguf")}},
        }))
        .unwrap();

        let discovery = discover_models(&raw);
        let settings = crate::config::Settings::resolve(&raw, &discovery.models).unwrap();
        let _ = std::fs::remove_dir_all(&directory);

        let ids: Vec<&str> = discovery.models.iter().map(|model| model.id.as_str()).collect();
        assert_eq!(ids, ["a", "b"], "configured.gguf is configured already");
        assert!(discovery.problems.is_empty(), "{:?}", discovery.problems);
        let spec = settings.model("b").expect("b resolved");
        assert_eq!(spec.flags, ["--ctx-size", "1024", "--jinja"]);
        assert_eq!(spec.runtime.program, "/opt/llama-server");
        assert_eq!(spec.display_name, "b");
    }

    #[test]
    fn only_the_first_split_part_counts() {
        assert_eq!(model_id_of(Path::new("/m/big-00001-of-00003.gguf")).as_deref(), Some("big"));
        assert_eq!(model_id_of(Path::new("/m/big-00002-of-00003.gguf")), None);
        assert_eq!(model_id_of(Path::new("/m/big-00003-of-00003.gguf")), None);
        assert_eq!(model_id_of(Path::new("/m/model-1-of-2.gguf")).as_deref(), Some("model-1-of-2"));
    }
}
