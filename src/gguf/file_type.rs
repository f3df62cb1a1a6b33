//! Names of `general.file_type` values, the quantization mix of a whole model file.

/// Bit that llama.cpp adds to a file type it guessed from the tensors (`LLAMA_FTYPE_GUESSED`).
const GUESSED_FLAG: u32 = 1024;

/// Returns the short quantization name of a `general.file_type` value, such as "Q4_K_M" for 15,
/// in the form Ollama shows. The names are `LlamaFileType` in llama.cpp's
/// `gguf-py/gguf/constants.py` (2026) without the `ALL_` or `MOSTLY_` prefix. `None` for
/// values that the table does not list.
pub fn file_type_name(file_type: u32) -> Option<&'static str> {
    let name = match file_type & !GUESSED_FLAG {
        0 => "F32",
        1 => "F16",
        2 => "Q4_0",
        3 => "Q4_1",
        7 => "Q8_0",
        8 => "Q5_0",
        9 => "Q5_1",
        10 => "Q2_K",
        11 => "Q3_K_S",
        12 => "Q3_K_M",
        13 => "Q3_K_L",
        14 => "Q4_K_S",
        15 => "Q4_K_M",
        16 => "Q5_K_S",
        17 => "Q5_K_M",
        18 => "Q6_K",
        19 => "IQ2_XXS",
        20 => "IQ2_XS",
        21 => "Q2_K_S",
        22 => "IQ3_XS",
        23 => "IQ3_XXS",
        24 => "IQ1_S",
        25 => "IQ4_NL",
        26 => "IQ3_S",
        27 => "IQ3_M",
        28 => "IQ2_S",
        29 => "IQ2_M",
        30 => "IQ4_XS",
        31 => "IQ1_M",
        32 => "BF16",
        36 => "TQ1_0",
        37 => "TQ2_0",
        38 => "MXFP4_MOE",
        39 => "NVFP4",
        40 => "Q1_0",
        _ => return None,
    };
    Some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_file_types_have_ollama_names() {
        assert_eq!(file_type_name(0), Some("F32"));
        assert_eq!(file_type_name(1), Some("F16"));
        assert_eq!(file_type_name(7), Some("Q8_0"));
        assert_eq!(file_type_name(15), Some("Q4_K_M"));
        assert_eq!(file_type_name(32), Some("BF16"));
    }

    #[test]
    fn guessed_flag_is_ignored() {
        assert_eq!(file_type_name(15 | GUESSED_FLAG), Some("Q4_K_M"));
    }

    #[test]
    fn removed_and_unknown_file_types_have_no_name() {
        for file_type in [4, 5, 6, 33, 34, 35, 41, 1023, u32::MAX] {
            assert_eq!(file_type_name(file_type), None, "file type {file_type}");
        }
    }
}
