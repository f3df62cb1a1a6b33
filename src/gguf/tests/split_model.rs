//! Split models: totals over all parts found next to the first one.

use std::path::PathBuf;

use super::TempFolder;
use super::builder::GgufBuilder;
use crate::gguf::{GgufError, model_metadata};

/// Writes the parts of a split model. Part `n` (from 0) contains one F32 tensor of `(n + 1) * 64`
/// elements, and only the first part contains the model keys.
fn write_parts(folder: &TempFolder, count: u16, split_numbers: &[u16]) -> Vec<PathBuf> {
    let mut paths = Vec::new();
    for (index, split_number) in split_numbers.iter().enumerate() {
        let mut builder = GgufBuilder::new(3)
            .value("split.no", &crate::gguf::MetadataValue::U16(*split_number))
            .value("split.count", &crate::gguf::MetadataValue::U16(count))
            .value(
                "split.tensors.count",
                &crate::gguf::MetadataValue::I32(i32::from(count)),
            );
        if index == 0 {
            builder = builder
                .string("general.architecture", "qwen3")
                .u32("qwen3.context_length", 40_960);
        }
        builder = builder.tensor(&format!("blk.{index}.weight"), &[(index as u64 + 1) * 64], 0);

        let path = folder
            .path()
            .join(format!("Qwen3-Tiny-{:05}-of-{count:05}.gguf", index + 1));
        std::fs::write(&path, builder.build()).unwrap();
        paths.push(path);
    }
    paths
}

#[test]
fn totals_cover_every_part() {
    let folder = TempFolder::new("split");
    let paths = write_parts(&folder, 3, &[0, 1, 2]);

    let model = model_metadata(&paths[0]).unwrap();

    let file_size: u64 = paths.iter().map(|path| std::fs::metadata(path).unwrap().len()).sum();
    assert_eq!(model.split_count, 3);
    assert_eq!(model.parameter_count, 64 + 128 + 192);
    assert_eq!(model.tensor_bytes, (64 + 128 + 192) * 4);
    assert_eq!(model.file_size, file_size);
    assert_eq!(model.architecture.as_deref(), Some("qwen3"));
    assert_eq!(model.context_length, Some(40_960));
    assert_eq!(model.model_info["general.parameter_count"], 384);
}

#[test]
fn missing_part_is_reported() {
    let folder = TempFolder::new("split-missing");
    let paths = write_parts(&folder, 3, &[0, 1, 2]);
    std::fs::remove_file(&paths[2]).unwrap();

    let error = model_metadata(&paths[0]).unwrap_err();

    assert_eq!(
        error,
        GgufError::MissingSplitPart {
            part: 3,
            count: 3,
            expected: paths[2].clone()
        }
    );
}

#[test]
fn part_with_wrong_split_number_is_rejected() {
    let folder = TempFolder::new("split-number");
    let paths = write_parts(&folder, 2, &[0, 0]);

    let error = model_metadata(&paths[0]).unwrap_err();

    assert!(
        matches!(&error, GgufError::InvalidSplit { path, .. } if path == &paths[1]),
        "{error:?}"
    );
}

#[test]
fn split_count_without_split_name_is_rejected() {
    let folder = TempFolder::new("split-name");
    let paths = write_parts(&folder, 2, &[0, 1]);
    let renamed = folder.path().join("qwen3.gguf");
    std::fs::rename(&paths[0], &renamed).unwrap();

    let error = model_metadata(&renamed).unwrap_err();

    assert!(matches!(error, GgufError::InvalidSplit { .. }), "{error:?}");
}

#[test]
fn split_count_of_one_reads_a_single_file() {
    let folder = TempFolder::new("split-one");
    let paths = write_parts(&folder, 1, &[0]);

    let model = model_metadata(&paths[0]).unwrap();

    assert_eq!(model.split_count, 1);
    assert_eq!(model.parameter_count, 64);
}
