//! Commands that talk to a running llama-runner through its management API on the dashboard
//! port: `ps`, `models`, `load`, `unload`, `logs` and `status`.

mod http;
mod list;
mod load;
mod logs;
mod model_rows;
mod status;
mod table;
mod target;
mod unload;

use std::process::ExitCode;

use clap::{ArgGroup, Args, Subcommand};

use http::ManagementClient;
use target::{ConnectionArgs, resolve_target};

/// Options shared by every client command.
#[derive(Args, Debug, Clone)]
pub struct ClientArgs {
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// Print the API's JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Subcommand, Debug)]
pub enum ClientCommand {
    /// List the loaded models (starting, ready, draining or stopping) of a running llama-runner.
    Ps {
        #[command(flatten)]
        args: ClientArgs,
    },
    /// List every configured model of a running llama-runner with its state.
    Models {
        #[command(flatten)]
        args: ClientArgs,
    },
    /// Load a model and wait until it is ready. Exits 1 when it fails to start.
    Load {
        /// Model id, as clients send it in `model`.
        id: String,
        #[command(flatten)]
        args: ClientArgs,
    },
    /// Unload one model, or every model with --all, once its requests in flight finish.
    #[command(group = ArgGroup::new("which").required(true).args(["id", "all"]))]
    Unload {
        /// Model id, as clients send it in `model`.
        id: Option<String>,
        /// Unload every loaded model.
        #[arg(long)]
        all: bool,
        #[command(flatten)]
        args: ClientArgs,
    },
    /// Print a model's last output lines; with -f, follow new lines until Ctrl-C.
    Logs {
        /// Model id, as clients send it in `model`.
        id: String,
        /// Follow the output as it is written.
        #[arg(short, long)]
        follow: bool,
        /// Number of earlier lines to print first; the server keeps at most 1000.
        #[arg(long, default_value_t = 100)]
        tail: usize,
        #[command(flatten)]
        args: ClientArgs,
    },
    /// Show the overall health of a running llama-runner and its model counts. Exits 0 when it
    /// is ok or degraded, 1 when it is critical or not reachable.
    Status {
        #[command(flatten)]
        args: ClientArgs,
    },
}

/// Runs a client command against the instance its options name.
pub async fn run(command: ClientCommand) -> anyhow::Result<ExitCode> {
    let args = match &command {
        ClientCommand::Ps { args }
        | ClientCommand::Models { args }
        | ClientCommand::Load { args, .. }
        | ClientCommand::Unload { args, .. }
        | ClientCommand::Logs { args, .. }
        | ClientCommand::Status { args } => args.clone(),
    };
    let client = ManagementClient::new(resolve_target(&args.connection)?);
    let json = args.json;

    match command {
        ClientCommand::Ps { .. } => list::list_models(&client, list::Listing::Loaded, json).await,
        ClientCommand::Models { .. } => list::list_models(&client, list::Listing::All, json).await,
        ClientCommand::Load { id, .. } => load::load_model(&client, &id, json).await,
        ClientCommand::Unload { id: Some(id), .. } => unload::unload_model(&client, &id, json).await,
        ClientCommand::Unload { id: None, .. } => unload::unload_all(&client, json).await,
        ClientCommand::Logs { id, follow: false, tail, .. } => logs::print_tail(&client, &id, tail, json).await,
        ClientCommand::Logs { id, follow: true, tail, .. } => logs::follow(&client, &id, tail, json).await,
        ClientCommand::Status { .. } => status::print_status(&client, json).await,
    }
}
