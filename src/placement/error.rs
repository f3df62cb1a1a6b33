//! Errors of the memory estimate.

use std::path::PathBuf;

use super::launch_options::LaunchOptionsError;
use crate::gguf::GgufError;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EstimateError {
    #[error("cannot estimate the memory of {path}: {source}")]
    Gguf {
        path: PathBuf,
        #[source]
        source: GgufError,
    },
    #[error("cannot estimate the memory of {path}: the GGUF header has no '{key}'")]
    MissingKey { path: PathBuf, key: String },
    #[error("cannot estimate the memory of {path}: '{key}' is {value}, which no model has")]
    Implausible { path: PathBuf, key: String, value: u64 },
    #[error("the memory estimate was interrupted")]
    Interrupted,
    #[error("cannot estimate the memory from the model's parameters: {0}")]
    Flags(#[from] LaunchOptionsError),
}
