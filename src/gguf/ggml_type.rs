//! ggml tensor types: names and storage layout, used to compute tensor byte sizes.

/// One ggml tensor type: `block_size` elements are stored in `type_size` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GgmlTypeLayout {
    pub name: &'static str,
    pub block_size: u64,
    pub type_size: u64,
}

const QK_K: u64 = 256;

const fn layout(name: &'static str, block_size: u64, type_size: u64) -> GgmlTypeLayout {
    GgmlTypeLayout {
        name,
        block_size,
        type_size,
    }
}

/// Type code, name and layout, from `GGMLQuantizationType` and `GGML_QUANT_SIZES` in llama.cpp's
/// `gguf-py/gguf/constants.py` (2026). Codes 4, 5 and 31 to 33 and 36 to 38 are types that
/// ggml removed, so files using them are reported with unknown byte sizes.
const LAYOUTS: &[(u32, GgmlTypeLayout)] = &[
    (0, layout("F32", 1, 4)),
    (1, layout("F16", 1, 2)),
    (2, layout("Q4_0", 32, 2 + 16)),
    (3, layout("Q4_1", 32, 2 + 2 + 16)),
    (6, layout("Q5_0", 32, 2 + 4 + 16)),
    (7, layout("Q5_1", 32, 2 + 2 + 4 + 16)),
    (8, layout("Q8_0", 32, 2 + 32)),
    (9, layout("Q8_1", 32, 4 + 4 + 32)),
    (10, layout("Q2_K", QK_K, 2 + 2 + QK_K / 16 + QK_K / 4)),
    (11, layout("Q3_K", QK_K, 2 + QK_K / 4 + QK_K / 8 + 12)),
    (12, layout("Q4_K", QK_K, 2 + 2 + QK_K / 2 + 12)),
    (13, layout("Q5_K", QK_K, 2 + 2 + QK_K / 2 + QK_K / 8 + 12)),
    (14, layout("Q6_K", QK_K, 2 + QK_K / 2 + QK_K / 4 + QK_K / 16)),
    (15, layout("Q8_K", QK_K, 4 + QK_K + QK_K / 8)),
    (16, layout("IQ2_XXS", QK_K, 2 + QK_K / 4)),
    (17, layout("IQ2_XS", QK_K, 2 + QK_K / 4 + QK_K / 32)),
    (18, layout("IQ3_XXS", QK_K, 2 + QK_K / 4 + QK_K / 8)),
    (19, layout("IQ1_S", QK_K, 2 + QK_K / 8 + QK_K / 16)),
    (20, layout("IQ4_NL", 32, 2 + 16)),
    (21, layout("IQ3_S", QK_K, 2 + QK_K / 4 + QK_K / 8 + QK_K / 32 + 4)),
    (22, layout("IQ2_S", QK_K, 2 + QK_K / 4 + QK_K / 16)),
    (23, layout("IQ4_XS", QK_K, 2 + 2 + QK_K / 2 + QK_K / 64)),
    (24, layout("I8", 1, 1)),
    (25, layout("I16", 1, 2)),
    (26, layout("I32", 1, 4)),
    (27, layout("I64", 1, 8)),
    (28, layout("F64", 1, 8)),
    (29, layout("IQ1_M", QK_K, QK_K / 8 + QK_K / 16 + QK_K / 32)),
    (30, layout("BF16", 1, 2)),
    (34, layout("TQ1_0", QK_K, 2 + 4 * 13)),
    (35, layout("TQ2_0", QK_K, 2 + 64)),
    (39, layout("MXFP4", 32, 1 + 16)),
    (40, layout("NVFP4", 64, 4 + 32)),
    (41, layout("Q1_0", 128, 2 + 16)),
];

/// Looks up the layout of a ggml type code. Returns `None` for codes this table does not list.
pub fn ggml_type_layout(code: u32) -> Option<GgmlTypeLayout> {
    LAYOUTS
        .iter()
        .find(|(known, _)| *known == code)
        .map(|(_, layout)| *layout)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn k_quant_sizes_match_ggml_blocks() {
        // Bits per weight quoted for the k-quants: Q4_K 4.5, Q6_K 6.5625.
        let q4_k = ggml_type_layout(12).unwrap();
        let q6_k = ggml_type_layout(14).unwrap();

        assert_eq!((q4_k.name, q4_k.block_size, q4_k.type_size), ("Q4_K", 256, 144));
        assert_eq!((q6_k.name, q6_k.block_size, q6_k.type_size), ("Q6_K", 256, 210));
        assert_eq!(q4_k.type_size * 8 * 10_000 / q4_k.block_size, 45_000);
        assert_eq!(q6_k.type_size * 8 * 10_000 / q6_k.block_size, 65_625);
    }

    #[test]
    fn plain_types_have_block_size_one() {
        assert_eq!(ggml_type_layout(0), Some(layout("F32", 1, 4)));
        assert_eq!(ggml_type_layout(30), Some(layout("BF16", 1, 2)));
        assert_eq!(ggml_type_layout(8), Some(layout("Q8_0", 32, 34)));
    }

    #[test]
    fn removed_and_future_codes_are_unknown() {
        for code in [4, 5, 31, 32, 33, 36, 37, 38, 42, u32::MAX] {
            assert_eq!(ggml_type_layout(code), None, "code {code}");
        }
    }

    #[test]
    fn codes_are_unique() {
        for (index, (code, _)) in LAYOUTS.iter().enumerate() {
            assert!(
                LAYOUTS[index + 1..].iter().all(|(other, _)| other != code),
                "code {code}"
            );
        }
    }
}
