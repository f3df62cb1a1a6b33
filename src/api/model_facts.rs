//! Facts about a configured model for the listing endpoints of both dialects, read from its file,
//! its GGUF header (through the metadata cache) and its flags, without starting it.

use std::io::Read;
use std::path::Path;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};

use super::AppState;
use super::launch_flags::{configured_context_size, has_projector, serves_embeddings_only};
use crate::config::ModelSpec;
use crate::gguf::{MetadataCache, ModelMetadata};

/// Bytes of the file's start that go into the digest, besides its path, size and mtime.
const DIGEST_PREFIX_BYTES: usize = 1024;

/// Template fragments that show a chat template renders tool definitions or tool calls.
const TOOL_MARKERS: [&str; 3] = ["tools", "tool_calls", "tool_call"];
/// Template fragments that show a model can think before it replies.
const THINKING_MARKERS: [&str; 5] = ["<think>", "enable_thinking", "reasoning_content", "thinking", "<|channel|>"];

/// A configured model with what is known about its file; metadata is `None` when the file is
/// missing or is not a readable GGUF file.
#[derive(Debug, Clone)]
pub(crate) struct ModelFacts {
    pub spec: Arc<ModelSpec>,
    pub metadata: Option<Arc<ModelMetadata>>,
    pub file_size: u64,
    pub modified: SystemTime,
    /// 64 lowercase hex digits, stable while the file is unchanged.
    pub digest: String,
}

impl ModelFacts {
    /// Reads the facts on a blocking thread, because the first read of a header touches the disk.
    pub(crate) async fn load(state: &AppState, spec: Arc<ModelSpec>) -> ModelFacts {
        let cache = state.metadata.clone();
        let fallback = spec.clone();
        let read = tokio::task::spawn_blocking(move || read_facts(&cache, spec)).await;
        read.unwrap_or_else(|error| {
            tracing::warn!(model = %fallback.id, error = %error, "reading model facts failed");
            ModelFacts::from_flags(fallback)
        })
    }

    /// Facts of every configured model, in id order.
    pub(crate) async fn load_all(state: &AppState) -> Vec<ModelFacts> {
        let mut all = Vec::with_capacity(state.settings.models.len());
        for spec in state.settings.models.values() {
            all.push(ModelFacts::load(state, spec.clone()).await);
        }
        all
    }

    /// Facts from the configuration alone, for requests that need no more than the flags.
    pub(crate) fn from_flags(spec: Arc<ModelSpec>) -> ModelFacts {
        let digest = digest_of(&spec.model_path, 0, UNIX_EPOCH, &[]);
        ModelFacts {
            spec,
            metadata: None,
            file_size: 0,
            modified: UNIX_EPOCH,
            digest,
        }
    }

    pub(crate) fn architecture(&self) -> &str {
        self.metadata.as_ref().and_then(|metadata| metadata.architecture.as_deref()).unwrap_or("")
    }

    pub(crate) fn family(&self) -> String {
        self.metadata.as_ref().map(|metadata| metadata.family()).unwrap_or_default()
    }

    pub(crate) fn quantization(&self) -> &str {
        self.metadata.as_ref().and_then(|metadata| metadata.quantization.as_deref()).unwrap_or("")
    }

    pub(crate) fn parameter_size(&self) -> String {
        self.metadata.as_ref().map(|metadata| metadata.parameter_size_label()).unwrap_or_default()
    }

    pub(crate) fn template(&self) -> &str {
        self.metadata.as_ref().and_then(|metadata| metadata.chat_template.as_deref()).unwrap_or("")
    }

    /// Size in bytes of all the model's files.
    pub(crate) fn size(&self) -> u64 {
        self.metadata
            .as_ref()
            .map(|metadata| metadata.file_size)
            .filter(|size| *size > 0)
            .unwrap_or(self.file_size)
    }

    pub(crate) fn accepts_images(&self) -> bool {
        has_projector(&self.spec.flags)
    }

    pub(crate) fn is_embedding(&self) -> bool {
        serves_embeddings_only(&self.spec.flags)
            || self.metadata.as_ref().is_some_and(|metadata| metadata.is_embedding_model())
    }

    /// True when the chat template renders tools and the runtime is allowed to receive them.
    pub(crate) fn supports_tools(&self) -> bool {
        let template = self.template();
        self.spec.runtime.supports_tools && TOOL_MARKERS.iter().any(|marker| template.contains(marker))
    }

    pub(crate) fn supports_thinking(&self) -> bool {
        let template = self.template();
        THINKING_MARKERS.iter().any(|marker| template.contains(marker))
    }

    pub(crate) fn has_fill_in_middle(&self) -> bool {
        self.metadata.as_ref().is_some_and(|metadata| metadata.has_fill_in_middle)
    }

    pub(crate) fn trained_context(&self) -> Option<u64> {
        self.metadata.as_ref().and_then(|metadata| metadata.context_length)
    }

    /// Returns the context size the model's flags start it with, else the trained one.
    pub(crate) fn configured_context(&self) -> Option<u64> {
        configured_context_size(&self.spec.flags).or_else(|| self.trained_context())
    }

    /// Returns the context size of the running process: the one a request set with Ollama's
    /// `num_ctx`, else the configured one.
    pub(crate) fn served_context(&self, state: &AppState) -> Option<u64> {
        state.served.get(&self.spec.id).context_size.or_else(|| self.configured_context())
    }
}

fn read_facts(cache: &MetadataCache, spec: Arc<ModelSpec>) -> ModelFacts {
    let path = spec.model_path.clone();
    let metadata = match cache.get(&path) {
        Ok(metadata) => Some(metadata),
        Err(error) => {
            // Listings ask for every model on each call, so this stays below warn.
            tracing::debug!(model = %spec.id, path = %path.display(), error = %error, "no GGUF metadata for model");
            None
        }
    };

    let (file_size, modified) = std::fs::metadata(&path)
        .map(|stat| (stat.len(), stat.modified().unwrap_or(UNIX_EPOCH)))
        .unwrap_or((0, UNIX_EPOCH));
    let prefix = file_prefix(&path).unwrap_or_default();
    let digest = digest_of(&path, file_size, modified, &prefix);

    ModelFacts {
        spec,
        metadata,
        file_size,
        modified,
        digest,
    }
}

fn file_prefix(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut prefix = Vec::with_capacity(DIGEST_PREFIX_BYTES);
    std::fs::File::open(path)?
        .take(DIGEST_PREFIX_BYTES as u64)
        .read_to_end(&mut prefix)?;
    Ok(prefix)
}

/// Hashes the path, size, mtime and first bytes with SHA-256. The digest changes when the file
/// is replaced, without hashing gigabytes.
fn digest_of(path: &Path, size: u64, modified: SystemTime, prefix: &[u8]) -> String {
    let modified_nanos = modified.duration_since(UNIX_EPOCH).map_or(0, |elapsed| elapsed.as_nanos());
    let mut hasher = Sha256::new();
    hasher.update(path.to_string_lossy().as_bytes());
    hasher.update(size.to_le_bytes());
    hasher.update(modified_nanos.to_le_bytes());
    hasher.update(prefix);
    hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_is_64_hex_and_follows_the_file() {
        let path = Path::new("/models/m1.gguf");
        let moment = UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);

        let digest = digest_of(path, 10, moment, b"GGUF");

        assert_eq!(digest.len(), 64);
        assert!(digest.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert_eq!(digest, digest_of(path, 10, moment, b"GGUF"));
        assert_ne!(digest, digest_of(path, 11, moment, b"GGUF"));
        assert_ne!(digest, digest_of(path, 10, moment + std::time::Duration::from_secs(1), b"GGUF"));
        assert_ne!(digest, digest_of(path, 10, moment, b"GGUG"));
    }
}
