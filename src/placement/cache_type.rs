//! KV cache element types (`--cache-type-k`, `--cache-type-v`) and their sizes.

use std::str::FromStr;

use crate::gguf::ggml_type_layout;

/// A KV cache type llama-server accepts, with its ggml type code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheType {
    F32,
    F16,
    Bf16,
    Q8_0,
    Q4_0,
    Q4_1,
    Iq4Nl,
    Q5_0,
    Q5_1,
}

/// The accepted names, as llama-server's help lists them.
const NAMES: [(&str, CacheType); 9] = [
    ("f32", CacheType::F32),
    ("f16", CacheType::F16),
    ("bf16", CacheType::Bf16),
    ("q8_0", CacheType::Q8_0),
    ("q4_0", CacheType::Q4_0),
    ("q4_1", CacheType::Q4_1),
    ("iq4_nl", CacheType::Iq4Nl),
    ("q5_0", CacheType::Q5_0),
    ("q5_1", CacheType::Q5_1),
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown KV cache type '{0}': expected one of f32, f16, bf16, q8_0, q4_0, q4_1, iq4_nl, q5_0, q5_1")]
pub struct UnknownCacheType(pub String);

impl CacheType {
    fn ggml_code(self) -> u32 {
        match self {
            CacheType::F32 => 0,
            CacheType::F16 => 1,
            CacheType::Q4_0 => 2,
            CacheType::Q4_1 => 3,
            CacheType::Q5_0 => 6,
            CacheType::Q5_1 => 7,
            CacheType::Q8_0 => 8,
            CacheType::Iq4Nl => 20,
            CacheType::Bf16 => 30,
        }
    }

    pub fn is_quantized(self) -> bool {
        !matches!(self, CacheType::F32 | CacheType::F16 | CacheType::Bf16)
    }

    /// Bytes of one row of `elements` values, such as the keys of one layer for one token:
    /// q8_0 stores 32 values in 34 bytes, so 256 values take 272 bytes.
    pub fn row_bytes(self, elements: u64) -> u64 {
        // Every code above is in the ggml type table.
        let layout = ggml_type_layout(self.ggml_code()).expect("KV cache types are known ggml types");
        elements.div_ceil(layout.block_size).saturating_mul(layout.type_size)
    }
}

impl FromStr for CacheType {
    type Err = UnknownCacheType;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let lower = text.trim().to_ascii_lowercase();
        NAMES
            .iter()
            .find(|(name, _)| *name == lower)
            .map(|(_, cache_type)| *cache_type)
            .ok_or_else(|| UnknownCacheType(text.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_sizes_follow_the_block_layouts() {
        assert_eq!(CacheType::F16.row_bytes(256), 512);
        assert_eq!(CacheType::F32.row_bytes(256), 1024);
        assert_eq!(CacheType::Q8_0.row_bytes(256), 256 / 32 * 34);
        assert_eq!(CacheType::Q4_0.row_bytes(256), 256 / 32 * 18);
        assert_eq!(CacheType::Q5_1.row_bytes(128), 128 / 32 * 24);
    }

    #[test]
    fn every_name_parses() {
        for (name, cache_type) in NAMES {
            assert_eq!(name.parse::<CacheType>(), Ok(cache_type));
            assert_eq!(name.to_uppercase().parse::<CacheType>(), Ok(cache_type));
            assert!(cache_type.row_bytes(64) > 0);
        }
        assert!("q3_k".parse::<CacheType>().is_err());
    }
}
