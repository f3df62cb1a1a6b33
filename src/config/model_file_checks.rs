//! Checks that each model's file exists, can be read and is a GGUF file.

use std::io::Read;
use std::path::Path;

use super::checks::CheckDepth;
use super::json_path;
use super::memory_budget::memory_budget_problems;
use super::model_source::ModelSource;
use super::problem::ConfigProblem;
use crate::gguf::read_gguf_file;
use crate::placement::MemoryBudgetConfig;

const GGUF_MAGIC: &[u8; 4] = b"GGUF";

/// At start-up a file must exist, be readable and begin with the GGUF magic. A full check also
/// reads the whole header, which is where a truncated or corrupt file shows.
pub(crate) fn model_file_problems(
    source: &ModelSource,
    depth: CheckDepth,
    budget: Option<&MemoryBudgetConfig>,
) -> Vec<ConfigProblem> {
    let Some(file) = source.entry.model_path.as_deref() else {
        return Vec::new();
    };
    // A discovered model has no `model_path` key, so its problems name the `models_dir` value.
    let path = if source.discovered {
        source.json_path.clone()
    } else {
        json_path::child(&source.json_path, "model_path")
    };
    let error = |message: String| vec![ConfigProblem::error(&path, message)];

    if let Err(message) = check_magic(file) {
        return error(message);
    }
    if depth == CheckDepth::Start {
        return Vec::new();
    }

    match read_gguf_file(file) {
        Ok(header) => memory_budget_problems(&path, source, &header, budget),
        // The reader's message starts with the file's path.
        Err(gguf_error) => error(format!("not a valid GGUF file: {gguf_error}")),
    }
}

/// Opens `file` and compares its first four bytes with the GGUF magic.
fn check_magic(file: &Path) -> Result<(), String> {
    let metadata = match std::fs::metadata(file) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Err(format!("model file not found: {}", file.display()));
        }
        Err(error) => return Err(format!("cannot read model file {}: {error}", file.display())),
    };
    if metadata.is_dir() {
        return Err(format!("{} is a directory, not a GGUF file", file.display()));
    }

    let mut magic = [0u8; 4];
    let read = std::fs::File::open(file).and_then(|mut opened| opened.read_exact(&mut magic));
    match read {
        Ok(()) if &magic == GGUF_MAGIC => Ok(()),
        Ok(()) => Err(format!("{} is not a GGUF file: it does not start with \"GGUF\"", file.display())),
        Err(error) if error.kind() == std::io::ErrorKind::UnexpectedEof => {
            Err(format!("{} is not a GGUF file: it is shorter than the 4-byte GGUF magic", file.display()))
        }
        Err(error) => Err(format!("cannot read model file {}: {error}", file.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::raw::ModelEntry;

    fn source_for(file: &Path) -> ModelSource {
        let entry: ModelEntry = serde_json::from_value(serde_json::json!({"model_path": file})).unwrap();
        ModelSource {
            json_path: "models.A".to_owned(),
            display_name: "A".to_owned(),
            entry,
            discovered: false,
        }
    }

    fn temp_file(name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let path = std::env::temp_dir().join(format!("llama-runner-model-check-{name}-{}", std::process::id()));
        std::fs::write(&path, bytes).unwrap();
        path
    }

    #[test]
    fn missing_file_is_an_error_at_start() {
        let problems = model_file_problems(&source_for(Path::new("/nonexistent/m.gguf")), CheckDepth::Start, None);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].path, "models.A.model_path");
        assert!(problems[0].message.contains("not found"), "{}", problems[0].message);
    }

    #[test]
    fn wrong_magic_is_an_error_at_start() {
        let path = temp_file("magic", b"PK\x03\x04 not gguf");
        let problems = model_file_problems(&source_for(&path), CheckDepth::Start, None);
        let _ = std::fs::remove_file(&path);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].message.contains("not a GGUF file"), "{}", problems[0].message);
    }

    #[test]
    fn truncated_header_fails_only_the_full_check() {
        let path = temp_file("truncated", b"GGUF");
        let at_start = model_file_problems(&source_for(&path), CheckDepth::Start, None);
        let full = model_file_problems(&source_for(&path), CheckDepth::Full, None);
        let _ = std::fs::remove_file(&path);
        assert!(at_start.is_empty(), "{at_start:?}");
        assert_eq!(full.len(), 1);
        assert!(full[0].message.contains("not a valid GGUF file"), "{}", full[0].message);
    }
}
