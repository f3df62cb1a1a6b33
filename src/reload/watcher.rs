//! Watching the config file for edits, debounced so that one save or a burst of edits gives one
//! reload.

use std::path::{Path, PathBuf};
use std::time::Duration;

use notify::{RecommendedWatcher, RecursiveMode, Watcher};
use tokio::sync::mpsc;

use super::trigger::ReloadTrigger;

/// Quiet time after the last file event before reloading.
pub const DEBOUNCE: Duration = Duration::from_millis(300);

/// Starts watching the folder of `config_path` and asks `trigger` for a reload after each burst
/// of events that touch the file. The folder is watched rather than the file because editors
/// save by writing a new file and renaming it over the old one.
///
/// The returned watcher must be kept alive for as long as watching should go on.
pub fn watch_config_file(config_path: &Path, trigger: ReloadTrigger) -> notify::Result<RecommendedWatcher> {
    let folder = config_path.parent().filter(|folder| !folder.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let file_name = config_path.file_name().map(|name| name.to_owned());
    let (events, mut received) = mpsc::unbounded_channel::<()>();

    let mut watcher = notify::recommended_watcher(move |result: notify::Result<notify::Event>| {
        let Ok(event) = result else { return };
        let touches_file = event
            .paths
            .iter()
            .any(|path| path.file_name().map(|name| name.to_owned()) == file_name);
        if touches_file && !event.kind.is_access() {
            let _ = events.send(());
        }
    })?;
    watcher.watch(folder, RecursiveMode::NonRecursive)?;

    let watched: PathBuf = config_path.to_owned();
    tokio::spawn(async move {
        while received.recv().await.is_some() {
            // Wait until no further event arrives for the debounce time.
            loop {
                match tokio::time::timeout(DEBOUNCE, received.recv()).await {
                    Ok(Some(())) => continue,
                    Ok(None) => return,
                    Err(_) => break,
                }
            }
            tracing::debug!(config = %watched.display(), "config file changed");
            trigger.request("file change");
        }
    });
    Ok(watcher)
}
