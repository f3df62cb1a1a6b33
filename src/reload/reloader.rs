//! The task that reloads the config file on request and applies what changed.

use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::mpsc;

use super::outcome::ReloadOutcome;
use super::plan::ReloadPlan;
use super::trigger::{ReloadRequest, ReloadTrigger};
use crate::config::{ConfigError, Settings, load_config};

/// Puts a new, valid config into effect; implemented by the server.
pub trait ApplySettings: Send + 'static {
    fn apply(&mut self, settings: Arc<Settings>, plan: &ReloadPlan);

    /// Called when a new config is invalid and the running one stays.
    fn rejected(&mut self, problems: &[String]);
}

/// Starts the reloader task for `path`, beginning from `current`.
pub fn spawn_reloader(path: PathBuf, current: Arc<Settings>, applier: impl ApplySettings) -> ReloadTrigger {
    let (requests, inbox) = mpsc::unbounded_channel();
    tokio::spawn(run(path, current, applier, inbox));
    ReloadTrigger::new(requests)
}

async fn run(
    path: PathBuf,
    mut current: Arc<Settings>,
    mut applier: impl ApplySettings,
    mut inbox: mpsc::UnboundedReceiver<ReloadRequest>,
) {
    while let Some(request) = inbox.recv().await {
        let load_path = path.clone();
        let loaded = tokio::task::spawn_blocking(move || load_config(&load_path)).await;
        let outcome = match loaded {
            Ok(Ok(loaded)) => {
                let settings = Arc::new(loaded.settings);
                let plan = ReloadPlan::between(&current, &settings);
                let outcome = outcome_of(&plan);
                applier.apply(settings.clone(), &plan);
                current = settings;
                tracing::info!(
                    cause = request.cause,
                    added = plan.added.len(),
                    removed = plan.removed.len(),
                    restarted = plan.relaunched.len(),
                    "config reloaded"
                );
                for key in &plan.needs_restart {
                    tracing::warn!(key, "config change takes effect only after llama-runner restarts");
                }
                outcome
            }
            Ok(Err(error)) => {
                let problems = problems_of(&error);
                tracing::warn!(cause = request.cause, error = %error, "config reload rejected; keeping the running config");
                applier.rejected(&problems);
                ReloadOutcome::Rejected { problems }
            }
            Err(error) => {
                tracing::error!(error = %error, "config reload task failed");
                ReloadOutcome::Rejected {
                    problems: vec![format!("reload failed: {error}")],
                }
            }
        };
        if let Some(reply) = request.reply {
            let _ = reply.send(outcome);
        }
    }
}

fn outcome_of(plan: &ReloadPlan) -> ReloadOutcome {
    if plan.is_empty() {
        return ReloadOutcome::Unchanged;
    }
    let names = |ids: &[Arc<str>]| ids.iter().map(|id| id.to_string()).collect::<Vec<_>>();
    ReloadOutcome::Applied {
        added: names(&plan.added),
        removed: names(&plan.removed),
        restarted: names(&plan.relaunched),
        needs_restart: plan.needs_restart.iter().map(|key| key.to_string()).collect(),
    }
}

fn problems_of(error: &ConfigError) -> Vec<String> {
    match error {
        ConfigError::Invalid { problems, .. } => problems.iter().map(|problem| problem.to_string()).collect(),
        other => vec![other.to_string()],
    }
}
