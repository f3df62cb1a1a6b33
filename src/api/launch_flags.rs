//! Reading and changing the llama-server flags of a model entry.

use crate::config::ModelSpec;

/// Spellings of llama-server's context size flag; `--c` is what a `parameters` key `c` becomes.
const CONTEXT_FLAGS: [&str; 3] = ["--ctx-size", "-c", "--c"];
/// Spellings of the multimodal projector flag, which makes a model accept images.
const PROJECTOR_FLAGS: [&str; 2] = ["--mmproj", "-mm"];
/// Spellings of the flag that makes llama-server serve embeddings only.
const EMBEDDING_FLAGS: [&str; 2] = ["--embedding", "--embeddings"];

/// Returns the configured context size in tokens, or `None` when it is unset or 0, which
/// llama-server reads as "the trained context length".
pub(crate) fn configured_context_size(flags: &[String]) -> Option<u64> {
    flag_value(flags, &CONTEXT_FLAGS)
        .and_then(|value| value.parse::<u64>().ok())
        .filter(|size| *size > 0)
}

pub(crate) fn has_projector(flags: &[String]) -> bool {
    flags.iter().any(|flag| PROJECTOR_FLAGS.contains(&flag.as_str()))
}

pub(crate) fn serves_embeddings_only(flags: &[String]) -> bool {
    flags.iter().any(|flag| EMBEDDING_FLAGS.contains(&flag.as_str()))
}

/// Copies `spec` with `--ctx-size context_size` in place of its own context flag.
pub(crate) fn with_context_size(spec: &ModelSpec, context_size: u64) -> ModelSpec {
    let mut flags = Vec::with_capacity(spec.flags.len() + 2);
    let mut arguments = spec.flags.iter();
    while let Some(flag) = arguments.next() {
        if CONTEXT_FLAGS.contains(&flag.as_str()) {
            arguments.next();
            continue;
        }
        flags.push(flag.clone());
    }
    flags.push("--ctx-size".to_owned());
    flags.push(context_size.to_string());

    ModelSpec {
        flags,
        ..spec.clone()
    }
}

/// Returns the value after the last of `names` in `flags`.
fn flag_value<'a>(flags: &'a [String], names: &[&str]) -> Option<&'a str> {
    flags
        .windows(2)
        .filter(|pair| names.contains(&pair[0].as_str()))
        .map(|pair| pair[1].as_str())
        .last()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags(items: &[&str]) -> Vec<String> {
        items.iter().map(|item| (*item).to_owned()).collect()
    }

    #[test]
    fn context_size_is_read_from_any_spelling() {
        assert_eq!(configured_context_size(&flags(&["--ctx-size", "4096"])), Some(4096));
        assert_eq!(configured_context_size(&flags(&["-c", "2048", "--threads", "2"])), Some(2048));
        assert_eq!(configured_context_size(&flags(&["--c", "1024"])), Some(1024));
        assert_eq!(configured_context_size(&flags(&["--ctx-size", "0"])), None);
        assert_eq!(configured_context_size(&flags(&["--threads", "2"])), None);
    }

    #[test]
    fn context_size_replaces_the_configured_flag() {
        let spec = crate::api::test_support::spec("m1", &["-c", "4096", "--threads", "2"], true);

        let derived = with_context_size(&spec, 8192);

        assert_eq!(derived.flags, flags(&["--threads", "2", "--ctx-size", "8192"]));
        assert_eq!(derived.id, spec.id);
        assert!(!derived.same_launch(&spec));
        assert!(with_context_size(&derived, 8192).same_launch(&derived));
    }

    #[test]
    fn projector_and_embedding_flags_are_found() {
        assert!(has_projector(&flags(&["--mmproj", "/m/mmproj.gguf"])));
        assert!(!has_projector(&flags(&["--jinja"])));
        assert!(serves_embeddings_only(&flags(&["--embeddings"])));
        assert!(!serves_embeddings_only(&flags(&["--pooling", "mean"])));
    }
}
