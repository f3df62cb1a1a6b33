//! Tensor descriptions from the GGUF header: shape, ggml type and data offset, never the data.

use super::ggml_type::ggml_type_layout;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TensorInfo {
    pub name: String,
    /// Shape, innermost dimension first, as ggml stores it.
    pub dimensions: Vec<u64>,
    /// ggml type code, such as 12 for Q4_K.
    pub ggml_type: u32,
    /// Byte offset of the data, relative to the start of the file's data section.
    pub offset: u64,
}

impl TensorInfo {
    /// Returns the product of the dimensions, saturating at `u64::MAX`. The parser rejects
    /// shapes whose product exceeds `i64::MAX`, so the value is exact for parsed tensors.
    pub fn element_count(&self) -> u64 {
        self.dimensions
            .iter()
            .try_fold(1u64, |product, dimension| product.checked_mul(*dimension))
            .unwrap_or(u64::MAX)
    }

    /// Computes the bytes the tensor data occupies from the ggml type's block layout. `None`
    /// for an unknown ggml type, a first dimension that is not a whole number of blocks, or
    /// a size that overflows u64.
    pub fn byte_size(&self) -> Option<u64> {
        let layout = ggml_type_layout(self.ggml_type)?;
        let first_dimension = self.dimensions.first().copied().unwrap_or(1);
        if first_dimension % layout.block_size != 0 {
            return None;
        }

        let elements = self
            .dimensions
            .iter()
            .try_fold(1u64, |product, dimension| product.checked_mul(*dimension))?;
        (elements / layout.block_size).checked_mul(layout.type_size)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tensor(dimensions: &[u64], ggml_type: u32) -> TensorInfo {
        TensorInfo {
            name: "blk.0.ffn_up.weight".to_string(),
            dimensions: dimensions.to_vec(),
            ggml_type,
            offset: 0,
        }
    }

    #[test]
    fn byte_size_of_plain_and_block_types() {
        assert_eq!(tensor(&[640, 2048], 0).byte_size(), Some(640 * 2048 * 4));
        assert_eq!(tensor(&[640, 2048], 1).byte_size(), Some(640 * 2048 * 2));
        assert_eq!(tensor(&[640, 2048], 8).byte_size(), Some(640 / 32 * 2048 * 34));
        assert_eq!(tensor(&[1024, 3], 12).byte_size(), Some(4 * 3 * 144));
    }

    #[test]
    fn byte_size_unknown_for_unknown_type() {
        let unknown = tensor(&[64, 64], 4);

        assert_eq!(unknown.element_count(), 4096);
        assert_eq!(unknown.byte_size(), None);
    }

    #[test]
    fn byte_size_unknown_for_partial_block() {
        assert_eq!(tensor(&[100, 2], 12).byte_size(), None);
    }

    #[test]
    fn scalar_tensor_has_one_element() {
        assert_eq!(tensor(&[], 0).element_count(), 1);
        assert_eq!(tensor(&[], 0).byte_size(), Some(4));
    }

    #[test]
    fn overflowing_shape_saturates_without_panic() {
        let huge = tensor(&[u64::MAX, 2], 0);

        assert_eq!(huge.element_count(), u64::MAX);
        assert_eq!(huge.byte_size(), None);
        assert_eq!(tensor(&[u64::MAX - 7, 1], 0).byte_size(), None);
    }
}
