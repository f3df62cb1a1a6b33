//! Finding the parts of a split model from the first part's file name.

use std::path::{Path, PathBuf};

use super::error::GgufError;

/// Digits llama.cpp writes for part numbers: `llama_split_path` formats `%s-%05d-of-%05d.gguf`.
const PART_NUMBER_DIGITS: usize = 5;

/// A split model's file name, `<prefix>-<part>-of-<count>.gguf`, with `part` counted from 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct SplitName {
    pub(super) prefix: String,
    pub(super) part: u32,
    pub(super) count: u32,
}

impl SplitName {
    pub(super) fn parse(file_name: &str) -> Option<SplitName> {
        let stem = file_name.strip_suffix(".gguf")?;
        let (before_count, count_digits) = stem.rsplit_once("-of-")?;
        let (prefix, part_digits) = before_count.rsplit_once('-')?;

        let part = parse_part_number(part_digits)?;
        let count = parse_part_number(count_digits)?;
        if prefix.is_empty() || part == 0 || part > count {
            return None;
        }

        Some(SplitName {
            prefix: prefix.to_string(),
            part,
            count,
        })
    }

    /// Returns the file name of `part` (from 1) of the same model.
    pub(super) fn file_name_of(&self, part: u32) -> String {
        format!(
            "{}-{part:0width$}-of-{:0width$}.gguf",
            self.prefix,
            self.count,
            width = PART_NUMBER_DIGITS
        )
    }
}

fn parse_part_number(digits: &str) -> Option<u32> {
    if digits.len() < PART_NUMBER_DIGITS || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Returns the paths of every part of a split model with `count` parts, in order, given the path
/// of one part. Fails when the file name does not follow the split naming pattern for `count`
/// parts or a part is missing.
pub fn split_part_paths(path: &Path, count: u32) -> Result<Vec<PathBuf>, GgufError> {
    let file_name = path.file_name().and_then(|name| name.to_str()).unwrap_or_default();
    let Some(split_name) = SplitName::parse(file_name) else {
        return Err(GgufError::InvalidSplit {
            path: path.to_owned(),
            message: format!(
                "split.count is {count}, but the file name does not have the form <name>-00001-of-{count:05}.gguf"
            ),
        });
    };
    if split_name.count != count {
        return Err(GgufError::InvalidSplit {
            path: path.to_owned(),
            message: format!(
                "split.count is {count}, but the file name says {} parts",
                split_name.count
            ),
        });
    }

    let folder = path.parent().unwrap_or_else(|| Path::new(""));
    let mut paths = Vec::new();
    for part in 1..=count {
        let part_path = folder.join(split_name.file_name_of(part));
        if !part_path.is_file() {
            return Err(GgufError::MissingSplitPart {
                part,
                count,
                expected: part_path,
            });
        }
        paths.push(part_path);
    }
    Ok(paths)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_split_file_name() {
        let name = SplitName::parse("Qwen3-235B-A22B-Q4_K_M-00002-of-00005.gguf").unwrap();

        assert_eq!(name.prefix, "Qwen3-235B-A22B-Q4_K_M");
        assert_eq!(name.part, 2);
        assert_eq!(name.count, 5);
        assert_eq!(name.file_name_of(1), "Qwen3-235B-A22B-Q4_K_M-00001-of-00005.gguf");
    }

    #[test]
    fn reject_names_outside_the_pattern() {
        for name in [
            "model.gguf",
            "model-1-of-3.gguf",
            "model-00001-of-00003.bin",
            "-00001-of-00003.gguf",
            "model-00000-of-00003.gguf",
            "model-00004-of-00003.gguf",
            "model-0000x-of-00003.gguf",
            "model-00001-of-99999999999.gguf",
        ] {
            assert_eq!(SplitName::parse(name), None, "{name}");
        }
    }

    #[test]
    fn part_paths_reject_unsplit_name() {
        let error = split_part_paths(Path::new("/models/plain.gguf"), 2).unwrap_err();

        assert!(matches!(error, GgufError::InvalidSplit { .. }), "{error:?}");
    }

    #[test]
    fn part_paths_reject_count_mismatch() {
        let error = split_part_paths(Path::new("/models/m-00001-of-00003.gguf"), 2).unwrap_err();

        assert!(matches!(error, GgufError::InvalidSplit { .. }), "{error:?}");
    }

    #[test]
    fn part_paths_report_first_missing_part() {
        let folder = std::env::temp_dir().join(format!("llama-runner-gguf-split-{}", std::process::id()));
        std::fs::create_dir_all(&folder).unwrap();
        let first = folder.join("m-00001-of-00003.gguf");
        std::fs::write(&first, b"GGUF").unwrap();

        let error = split_part_paths(&first, 3).unwrap_err();
        std::fs::remove_dir_all(&folder).unwrap();

        let expected = folder.join("m-00002-of-00003.gguf");
        assert_eq!(
            error,
            GgufError::MissingSplitPart {
                part: 2,
                count: 3,
                expected
            }
        );
    }
}
