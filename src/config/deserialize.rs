//! Turns the file's bytes into a [`RawConfig`], reporting every syntax, type and unknown-key
//! problem rather than stopping at the first.
//!
//! serde stops at the first type error, so the JSON tree is deserialized repeatedly: each failure
//! is recorded with its path, the offending key is removed from the tree, and the next attempt
//! finds the next error. Every attempt removes a node, so the loop ends. A removed key takes its
//! default, which lets the remaining checks run on the rest of the file.

use serde_json::Value;
use serde_path_to_error::Segment;

use super::json_path;
use super::problem::{ConfigProblem, ROOT_PATH};
use super::raw::RawConfig;

/// The outcome of reading the file: the config when the tree could be repaired into one, every
/// problem found, and the paths of keys removed for a type error.
#[derive(Debug)]
pub(crate) struct Parsed {
    pub raw: Option<RawConfig>,
    pub problems: Vec<ConfigProblem>,
    pub invalid_paths: Vec<String>,
}

pub(crate) fn parse_config(bytes: &[u8]) -> Parsed {
    let mut parsed = Parsed {
        raw: None,
        problems: Vec::new(),
        invalid_paths: Vec::new(),
    };

    let mut tree: Value = match serde_json::from_slice(bytes) {
        Ok(tree) => tree,
        Err(error) => {
            // serde_json's message ends with "at line L column C".
            parsed.problems.push(ConfigProblem::error(ROOT_PATH, format!("invalid JSON: {error}")));
            return parsed;
        }
    };
    if !tree.is_object() {
        parsed.problems.push(ConfigProblem::error(ROOT_PATH, "the top level must be a JSON object"));
        return parsed;
    }

    loop {
        match deserialize_tree(tree.clone()) {
            Ok((raw, unknown_keys)) => {
                let warnings = unknown_keys
                    .iter()
                    .map(|path| ConfigProblem::warning(path, "unknown key, ignored"));
                parsed.problems.splice(0..0, warnings);
                parsed.raw = Some(raw);
                return parsed;
            }
            Err(error) => {
                let path = json_path::from_error_path(error.path());
                parsed.problems.push(ConfigProblem::error(&path, error.inner().to_string()));
                parsed.invalid_paths.push(path);

                let segments: Vec<Segment> = error.path().iter().cloned().collect();
                if !remove_at(&mut tree, &segments) {
                    return parsed;
                }
            }
        }
    }
}

/// Deserializes `tree`, returning the config and the paths of the keys it ignored.
fn deserialize_tree(tree: Value) -> Result<(RawConfig, Vec<String>), serde_path_to_error::Error<serde_json::Error>> {
    let mut unknown_keys = Vec::new();
    let mut record = |path: serde_ignored::Path<'_>| unknown_keys.push(json_path::from_ignored_path(&path));
    let ignoring = serde_ignored::Deserializer::new(tree, &mut record);
    let raw = serde_path_to_error::deserialize(ignoring)?;
    Ok((raw, unknown_keys))
}

/// Removes the key at `segments` from `tree`. An error inside an array removes the whole array,
/// so that later indexes keep their meaning. Returns false when nothing could be removed.
fn remove_at(tree: &mut Value, segments: &[Segment]) -> bool {
    let Some((last, parents)) = segments.split_last() else {
        return false;
    };
    let key = match last {
        Segment::Map { key } => key,
        Segment::Seq { .. } => return remove_at(tree, parents),
        Segment::Enum { .. } | Segment::Unknown => return false,
    };

    let mut node = tree;
    for segment in parents {
        let next = match segment {
            Segment::Map { key } => node.get_mut(key.as_str()),
            Segment::Seq { index } => node.get_mut(*index),
            Segment::Enum { .. } | Segment::Unknown => None,
        };
        match next {
            Some(next) => node = next,
            None => return false,
        }
    }

    node.as_object_mut().and_then(|object| object.remove(key)).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths_and_messages(json: &str) -> Vec<(String, String)> {
        parse_config(json.as_bytes())
            .problems
            .into_iter()
            .map(|problem| (problem.path, problem.message))
            .collect()
    }

    #[test]
    fn several_type_errors_are_all_reported() {
        let problems = paths_and_messages(
            r#"{"concurrentRunners": "two", "ttl": -1,
                "models": {"A": {"model_path": 5}, "B": {"ttl": "x", "model_path": "b.gguf"}}}"#,
        );
        let paths: Vec<&str> = problems.iter().map(|(path, _)| path.as_str()).collect();
        // serde_json keeps object keys sorted, so errors come in key order.
        assert_eq!(paths, ["concurrentRunners", "models.A.model_path", "models.B.ttl", "ttl"]);
        assert!(problems[0].1.contains("invalid type"), "{problems:?}");
    }

    #[test]
    fn repaired_config_keeps_valid_keys() {
        let parsed = parse_config(br#"{"ttl": "x", "healthCheckTimeout": 7}"#);
        let raw = parsed.raw.expect("repaired");
        assert_eq!(raw.health_check_timeout, 7);
        assert_eq!(raw.ttl, 0);
        assert_eq!(parsed.invalid_paths, ["ttl"]);
    }

    #[test]
    fn syntax_error_has_line_and_column() {
        let problems = paths_and_messages("{\n  \"models\": {,}\n}\n");
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].0, "$");
        assert!(problems[0].1.contains("line 2 column 14"), "{problems:?}");
    }

    #[test]
    fn top_level_array_is_an_error() {
        let problems = paths_and_messages("[]");
        assert_eq!(problems, [("$".to_owned(), "the top level must be a JSON object".to_owned())]);
    }

    #[test]
    fn unknown_keys_warn_except_schema() {
        let parsed = parse_config(br#"{"$schema": "./config.schema.json", "colour": 1, "models": {"m": {"paramters": {}}}}"#);
        let paths: Vec<&str> = parsed.problems.iter().map(|problem| problem.path.as_str()).collect();
        assert_eq!(paths, ["colour", "models.m.paramters"]);
        assert!(parsed.problems.iter().all(|problem| !problem.is_error()));
    }

    #[test]
    fn example_config_has_no_problems() {
        let parsed = parse_config(include_bytes!("../../config.example.json"));
        assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
        let raw = parsed.raw.expect("example parses");
        assert!(super::super::validate(&raw).is_empty());
    }

    #[test]
    fn error_inside_array_names_the_element() {
        let problems = paths_and_messages(r#"{"models_dir": ["/a", 3, 4]}"#);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].0, "models_dir");
    }
}
