//! Facts about a model derived from its GGUF header, in the form the listing APIs show them.

use serde::{Deserialize, Serialize};

/// llama.cpp's `LLAMA_POOLING_TYPE_NONE`: the model returns token logits, not a pooled embedding.
const POOLING_TYPE_NONE: u32 = 0;

/// Facts about one model file, or about all parts of a split model together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelMetadata {
    /// `general.architecture`, such as "llama" or "gemma3".
    pub architecture: Option<String>,
    /// `general.name`.
    pub name: Option<String>,
    /// `general.basename`.
    pub basename: Option<String>,
    /// `general.size_label`, such as "270M".
    pub size_label: Option<String>,
    /// Sum of the element counts of all tensors in all parts.
    pub parameter_count: u64,
    /// `general.file_type`, llama.cpp's `llama_ftype`.
    pub file_type: Option<u32>,
    /// Name of `file_type`, such as "Q4_K_M", "F16" or "Q8_0".
    pub quantization: Option<String>,
    /// `<arch>.context_length`: the context length the model was trained with, in tokens.
    pub context_length: Option<u64>,
    /// `<arch>.embedding_length`.
    pub embedding_length: Option<u64>,
    /// `<arch>.block_count`: the number of layers.
    pub block_count: Option<u64>,
    /// `<arch>.attention.head_count`, or the maximum when the file stores one value per layer.
    pub head_count: Option<u64>,
    /// `<arch>.attention.head_count_kv`, or the maximum when the file stores one value per layer.
    pub head_count_kv: Option<u64>,
    /// `<arch>.attention.key_length`.
    pub key_length: Option<u64>,
    /// `<arch>.attention.value_length`.
    pub value_length: Option<u64>,
    /// `<arch>.pooling_type`: 0 none, 1 mean, 2 CLS, 3 last, 4 rank.
    pub pooling_type: Option<u32>,
    /// `tokenizer.chat_template`.
    pub chat_template: Option<String>,
    /// Whether the tokenizer defines fill-in-the-middle prefix and suffix tokens.
    pub has_fill_in_middle: bool,
    /// Sum of the tensor data sizes in bytes over all parts. Tensors of ggml types this reader
    /// does not know are left out, which makes the sum a lower bound.
    pub tensor_bytes: u64,
    /// Sum of the sizes of all part files in bytes.
    pub file_size: u64,
    /// Number of part files, 1 when the model is not split.
    pub split_count: u32,
    /// Every key of the first part as JSON, except arrays too long to keep, plus
    /// "general.parameter_count".
    pub model_info: serde_json::Map<String, serde_json::Value>,
}

impl ModelMetadata {
    /// Returns whether the model produces pooled embeddings: `pooling_type` is present and not
    /// NONE (0). Rerankers (RANK, 4) count as embedding models here because, like embedding
    /// models, they return scores rather than generated text.
    pub fn is_embedding_model(&self) -> bool {
        self.pooling_type.is_some_and(|pooling| pooling != POOLING_TYPE_NONE)
    }

    /// Returns `size_label` when the file has a non-empty one, else the parameter count formatted
    /// as Ollama does: "268.10M", "7.2B", "7B".
    pub fn parameter_size_label(&self) -> String {
        match &self.size_label {
            Some(label) if !label.trim().is_empty() => label.clone(),
            _ => format_parameter_count(self.parameter_count),
        }
    }

    /// Returns the architecture, or "unknown" when the file does not name one.
    pub fn family(&self) -> String {
        self.architecture.clone().unwrap_or_else(|| "unknown".to_string())
    }
}

/// Formats a parameter count like Ollama's `format.HumanNumber`: billions with one decimal,
/// millions with two, thousands with none, and no decimals for a whole number.
pub(super) fn format_parameter_count(count: u64) -> String {
    const THOUSAND: u64 = 1_000;
    const MILLION: u64 = 1_000_000;
    const BILLION: u64 = 1_000_000_000;

    let scaled = |unit: u64, decimals: usize, suffix: &str| {
        let value = count as f64 / unit as f64;
        if value == value.floor() {
            format!("{value:.0}{suffix}")
        } else {
            format!("{value:.decimals$}{suffix}")
        }
    };

    if count >= BILLION {
        scaled(BILLION, 1, "B")
    } else if count >= MILLION {
        scaled(MILLION, 2, "M")
    } else if count >= THOUSAND {
        format!("{:.0}K", count as f64 / THOUSAND as f64)
    } else {
        count.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metadata() -> ModelMetadata {
        ModelMetadata {
            architecture: None,
            name: None,
            basename: None,
            size_label: None,
            parameter_count: 0,
            file_type: None,
            quantization: None,
            context_length: None,
            embedding_length: None,
            block_count: None,
            head_count: None,
            head_count_kv: None,
            key_length: None,
            value_length: None,
            pooling_type: None,
            chat_template: None,
            has_fill_in_middle: false,
            tensor_bytes: 0,
            file_size: 0,
            split_count: 1,
            model_info: serde_json::Map::new(),
        }
    }

    #[test]
    fn parameter_count_formats_like_ollama() {
        assert_eq!(format_parameter_count(268_098_176), "268.10M");
        assert_eq!(format_parameter_count(7_241_732_096), "7.2B");
        assert_eq!(format_parameter_count(7_000_000_000), "7B");
        assert_eq!(format_parameter_count(1_000_000), "1M");
        assert_eq!(format_parameter_count(22_700), "23K");
        assert_eq!(format_parameter_count(999), "999");
        assert_eq!(format_parameter_count(u64::MAX), "18446744073.7B");
    }

    #[test]
    fn size_label_wins_over_count() {
        let mut model = metadata();
        model.parameter_count = 268_098_176;
        assert_eq!(model.parameter_size_label(), "268.10M");

        model.size_label = Some("270M".to_string());
        assert_eq!(model.parameter_size_label(), "270M");

        model.size_label = Some(" ".to_string());
        assert_eq!(model.parameter_size_label(), "268.10M");
    }

    #[test]
    fn embedding_model_needs_pooling_other_than_none() {
        let mut model = metadata();
        assert!(!model.is_embedding_model());

        model.pooling_type = Some(0);
        assert!(!model.is_embedding_model());

        for pooling in 1..=4 {
            model.pooling_type = Some(pooling);
            assert!(model.is_embedding_model(), "pooling type {pooling}");
        }
    }

    #[test]
    fn family_defaults_to_unknown() {
        let mut model = metadata();
        assert_eq!(model.family(), "unknown");

        model.architecture = Some("gemma3".to_string());
        assert_eq!(model.family(), "gemma3");
    }

    #[test]
    fn serde_round_trip() {
        let mut model = metadata();
        model.architecture = Some("gemma3".to_string());
        model.model_info.insert("general.architecture".into(), "gemma3".into());

        let text = serde_json::to_string(&model).unwrap();
        let back: ModelMetadata = serde_json::from_str(&text).unwrap();

        assert_eq!(back, model);
    }
}
