//! Sliding-window attention layers, whose KV cache keeps only the window.
//!
//! A GGUF file may store the layers in `<arch>.attention.sliding_window_pattern`, as one bool
//! per layer or as a pattern length. Otherwise llama.cpp uses a pattern fixed per architecture
//! (`load_swa_pattern` calls in `src/models/*.cpp`, 2026): a pattern of `n` makes every layer
//! sliding except each n-th, the last of each group, or the first when "dense first".

use crate::gguf::MetadataValue;

/// Architecture, pattern length and whether the full-attention layer comes first in a group.
const PATTERNS: [(&str, u64, bool); 15] = [
    ("gemma2", 2, false),
    ("gemma3", 6, false),
    ("gemma3n", 5, false),
    ("gemma-embedding", 6, false),
    ("cohere2", 4, false),
    ("cohere2moe", 4, true),
    ("gpt-oss", 2, false),
    ("exaone4", 4, false),
    ("exaone-moe", 4, false),
    ("olmo2", 4, false),
    ("afmoe", 4, false),
    ("mellum", 4, false),
    ("smallthinker", 4, true),
    ("modern-bert", 3, true),
    ("plamo3", 8, false),
];

/// Returns one flag per layer, true for a sliding-window layer, or `None` when the model has
/// no sliding-window layers that this table or the file describes.
// NOTE: an architecture with sliding-window layers that is missing from the table, and whose
// file has no pattern key, gets a full-size cache on every layer: an overestimate.
pub fn sliding_layers(architecture: &str, pattern_key: Option<&MetadataValue>, layers: u64) -> Option<Vec<bool>> {
    if let Some(MetadataValue::Array(flags)) = pattern_key {
        let flags: Vec<bool> = flags.iter().map(|flag| matches!(flag, MetadataValue::Bool(true))).collect();
        return flags.contains(&true).then_some(flags);
    }

    let (default_pattern, dense_first) = PATTERNS
        .iter()
        .find(|(name, _, _)| *name == architecture)
        .map(|(_, pattern, dense_first)| (*pattern, *dense_first))?;
    let pattern = pattern_key.and_then(MetadataValue::as_u64).unwrap_or(default_pattern);

    let flags = (0..layers)
        .map(|layer| match (pattern, dense_first) {
            (0, _) => true,
            (_, true) => layer % pattern != 0,
            (_, false) => layer % pattern < pattern - 1,
        })
        .collect();
    Some(flags)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full_layers(flags: &[bool]) -> Vec<usize> {
        flags.iter().enumerate().filter(|(_, sliding)| !**sliding).map(|(layer, _)| layer).collect()
    }

    #[test]
    fn gemma3_has_one_full_layer_in_six() {
        let flags = sliding_layers("gemma3", None, 18).unwrap();
        assert_eq!(full_layers(&flags), [5, 11, 17]);
    }

    #[test]
    fn dense_first_puts_the_full_layer_first() {
        let flags = sliding_layers("cohere2moe", None, 8).unwrap();
        assert_eq!(full_layers(&flags), [0, 4]);
    }

    #[test]
    fn pattern_key_overrides_the_table() {
        let flags = sliding_layers("gemma3", Some(&MetadataValue::U32(3)), 6).unwrap();
        assert_eq!(full_layers(&flags), [2, 5]);

        let stored = MetadataValue::Array(vec![MetadataValue::Bool(true), MetadataValue::Bool(false)]);
        assert_eq!(sliding_layers("llama", Some(&stored), 2), Some(vec![true, false]));
    }

    #[test]
    fn unknown_architecture_has_no_sliding_layers() {
        assert_eq!(sliding_layers("llama", None, 32), None);
        let none_sliding = MetadataValue::Array(vec![MetadataValue::Bool(false); 4]);
        assert_eq!(sliding_layers("gemma3", Some(&none_sliding), 4), None);
    }
}
