//! Every model of a config, configured or discovered, with the JSON path that problems about it
//! name.

use super::discovery::DiscoveredModel;
use super::json_path;
use super::raw::{ModelEntry, RawConfig};

#[derive(Debug, Clone)]
pub(crate) struct ModelSource {
    /// `models.<name>` for a configured model, the `models_dir` value for a discovered one.
    pub json_path: String,
    pub display_name: String,
    pub entry: ModelEntry,
    pub discovered: bool,
}

/// Configured models in name order, then discovered ones in the order they were found.
pub(crate) fn model_sources(raw: &RawConfig, discovered: &[DiscoveredModel]) -> Vec<ModelSource> {
    let configured = raw.models.iter().map(|(display_name, entry)| ModelSource {
        json_path: json_path::child("models", display_name),
        display_name: display_name.clone(),
        entry: entry.clone(),
        discovered: false,
    });
    let found = discovered.iter().map(|model| ModelSource {
        json_path: model.source_path.clone(),
        display_name: model.id.clone(),
        entry: model.entry(raw),
        discovered: true,
    });
    configured.chain(found).collect()
}
