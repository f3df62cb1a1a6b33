//! The `models_dir` key: one directory or a list of them.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::json_path;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(untagged, expecting = "expected a directory path or a list of directory paths")]
pub enum ModelsDir {
    One(PathBuf),
    Many(Vec<PathBuf>),
}

impl ModelsDir {
    /// Returns each directory with the JSON path of its value: `models_dir` or `models_dir[i]`.
    pub fn directories(&self) -> Vec<(String, PathBuf)> {
        match self {
            ModelsDir::One(directory) => vec![("models_dir".to_owned(), directory.clone())],
            ModelsDir::Many(directories) => directories
                .iter()
                .enumerate()
                .map(|(position, directory)| (json_path::index("models_dir", position), directory.clone()))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_and_list_forms_parse() {
        let one: ModelsDir = serde_json::from_str(r#""/models""#).unwrap();
        assert_eq!(one.directories(), [("models_dir".to_owned(), PathBuf::from("/models"))]);

        let many: ModelsDir = serde_json::from_str(r#"["/a", "/b"]"#).unwrap();
        let paths: Vec<String> = many.directories().into_iter().map(|(path, _)| path).collect();
        assert_eq!(paths, ["models_dir[0]", "models_dir[1]"]);
    }

    #[test]
    fn other_types_name_both_forms() {
        let error = serde_json::from_str::<ModelsDir>("3").unwrap_err();
        assert!(error.to_string().contains("a directory path or a list of directory paths"), "{error}");
    }
}
