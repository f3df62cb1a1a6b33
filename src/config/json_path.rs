//! JSON paths as problems show them: `models.Gemma.parameters`, `models_dir[1]`, and
//! `models["Qwen2.5 7B"].model_path` for a key that contains `.`, `[`, `]` or `"`.

use serde_path_to_error::Segment;

use super::problem::ROOT_PATH;

/// Appends an object key to `parent`, which is empty for the top level.
pub fn child(parent: &str, key: &str) -> String {
    let needs_quotes = key.is_empty() || key.contains(['.', '[', ']', '"']);
    match (parent.is_empty(), needs_quotes) {
        (_, true) => format!("{parent}[{}]", serde_json::Value::from(key)),
        (true, false) => key.to_owned(),
        (false, false) => format!("{parent}.{key}"),
    }
}

/// Appends an array index to `parent`.
pub fn index(parent: &str, position: usize) -> String {
    format!("{parent}[{position}]")
}

/// Formats the path at which serde failed; the top level is [`ROOT_PATH`].
pub(crate) fn from_error_path(path: &serde_path_to_error::Path) -> String {
    let mut text = String::new();
    for segment in path.iter() {
        text = match segment {
            Segment::Seq { index: position } => index(&text, *position),
            Segment::Map { key } => child(&text, key),
            Segment::Enum { variant } => child(&text, variant),
            Segment::Unknown => child(&text, "?"),
        };
    }
    if text.is_empty() { ROOT_PATH.to_owned() } else { text }
}

/// Formats the path of a key serde ignored. `Option` and newtype layers add no segment.
pub(crate) fn from_ignored_path(path: &serde_ignored::Path<'_>) -> String {
    match path {
        serde_ignored::Path::Root => String::new(),
        serde_ignored::Path::Seq { parent, index: position } => index(&from_ignored_path(parent), *position),
        serde_ignored::Path::Map { parent, key } => child(&from_ignored_path(parent), key),
        serde_ignored::Path::Some { parent }
        | serde_ignored::Path::NewtypeStruct { parent }
        | serde_ignored::Path::NewtypeVariant { parent } => from_ignored_path(parent),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_keys_join_with_dots() {
        assert_eq!(child("", "models"), "models");
        assert_eq!(child("models", "Gemma 3"), "models.Gemma 3");
        assert_eq!(index("models_dir", 1), "models_dir[1]");
    }

    #[test]
    fn keys_with_dots_are_quoted() {
        assert_eq!(child("models", "Qwen2.5 7B"), r#"models["Qwen2.5 7B"]"#);
        assert_eq!(child(&child("models", "a.b"), "model_path"), r#"models["a.b"].model_path"#);
    }

    #[test]
    fn option_layers_add_no_segment() {
        let root = serde_ignored::Path::Root;
        let models = serde_ignored::Path::Map { parent: &root, key: "models".into() };
        let entry = serde_ignored::Path::Map { parent: &models, key: "m".into() };
        let breaker = serde_ignored::Path::Map { parent: &entry, key: "circuitBreaker".into() };
        let some = serde_ignored::Path::Some { parent: &breaker };
        let unknown = serde_ignored::Path::Map { parent: &some, key: "colour".into() };
        assert_eq!(from_ignored_path(&unknown), "models.m.circuitBreaker.colour");
    }
}
