//! Reads model shapes from disk, once per file version, and estimates a launch from them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use super::error::EstimateError;
use super::estimate::{MemoryEstimate, estimate_memory};
use super::launch_options::LaunchOptions;
use super::layer_devices::GpuShare;
use super::model_shape::ModelShape;
use crate::gguf::{GgufError, GgufFile, MetadataValue, read_gguf_file, split_part_paths};

/// Model shapes by path. A file counts as unchanged while its size and modification time do.
#[derive(Debug, Default)]
pub struct Estimator {
    shapes: Mutex<HashMap<PathBuf, CachedShape>>,
}

#[derive(Debug, Clone)]
struct CachedShape {
    fingerprint: (u64, SystemTime),
    shape: Arc<ModelShape>,
}

impl Estimator {
    /// Estimates the model at `model_path` launched with `flags`. Blocking: the first call per
    /// file reads its GGUF header, and a split model's other parts.
    pub fn estimate(&self, model_path: &Path, flags: &[String], gpus: &[GpuShare]) -> Result<MemoryEstimate, EstimateError> {
        let options = LaunchOptions::from_flags(flags)?;
        let shape = self.shape(model_path)?;
        let projector_bytes = projector_bytes(&options)?;
        Ok(estimate_memory(&shape, &options, gpus, projector_bytes))
    }

    /// Estimates the model whose first (or only) part at `path` is already parsed as `first`,
    /// reading only the other parts of a split model. Not cached.
    pub fn estimate_parsed(path: &Path, first: &GgufFile, flags: &[String], gpus: &[GpuShare]) -> Result<MemoryEstimate, EstimateError> {
        let options = LaunchOptions::from_flags(flags)?;
        let other_parts = read_other_parts(path, first)?;
        let shape = ModelShape::from_gguf(path, first, &other_parts)?;
        let projector_bytes = projector_bytes(&options)?;
        Ok(estimate_memory(&shape, &options, gpus, projector_bytes))
    }

    /// Returns the shape of the model at `path`, from the cache while the file is unchanged.
    pub fn shape(&self, path: &Path) -> Result<Arc<ModelShape>, EstimateError> {
        let fingerprint = fingerprint(path)?;
        let cached = self
            .shapes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(path)
            .filter(|cached| cached.fingerprint == fingerprint)
            .map(|cached| cached.shape.clone());
        if let Some(shape) = cached {
            return Ok(shape);
        }

        let shape = Arc::new(read_shape(path)?);
        tracing::debug!(path = %path.display(), tensors = shape.tensors.len(), "read the model shape for memory estimates");
        self.shapes.lock().unwrap_or_else(PoisonError::into_inner).insert(
            path.to_owned(),
            CachedShape {
                fingerprint,
                shape: shape.clone(),
            },
        );
        Ok(shape)
    }
}

fn read_shape(path: &Path) -> Result<ModelShape, EstimateError> {
    let first = read_gguf_file(path).map_err(|source| EstimateError::Gguf {
        path: path.to_owned(),
        source,
    })?;
    let other_parts = read_other_parts(path, &first)?;
    ModelShape::from_gguf(path, &first, &other_parts)
}

/// Reads the parts after `first` of a split model; none for a single file.
fn read_other_parts(path: &Path, first: &GgufFile) -> Result<Vec<GgufFile>, EstimateError> {
    let gguf_error = |source: GgufError| EstimateError::Gguf {
        path: path.to_owned(),
        source,
    };
    let split_count = first.metadata.get("split.count").and_then(MetadataValue::as_u64).unwrap_or(1);
    let mut other_parts = Vec::new();
    if split_count > 1 {
        let count = u32::try_from(split_count).unwrap_or(u32::MAX);
        for part_path in split_part_paths(path, count).map_err(gguf_error)? {
            if part_path.file_name() != path.file_name() {
                other_parts.push(read_gguf_file(&part_path).map_err(gguf_error)?);
            }
        }
    }
    Ok(other_parts)
}

/// Size of the `--mmproj` file, 0 without one.
fn projector_bytes(options: &LaunchOptions) -> Result<u64, EstimateError> {
    let Some(projector) = &options.projector else {
        return Ok(0);
    };
    std::fs::metadata(projector).map(|stat| stat.len()).map_err(|error| EstimateError::Gguf {
        path: projector.clone(),
        source: GgufError::io(projector, &error),
    })
}

fn fingerprint(path: &Path) -> Result<(u64, SystemTime), EstimateError> {
    let io_error = |error: std::io::Error| EstimateError::Gguf {
        path: path.to_owned(),
        source: GgufError::io(path, &error),
    };
    let stat = std::fs::metadata(path).map_err(io_error)?;
    Ok((stat.len(), stat.modified().map_err(io_error)?))
}

