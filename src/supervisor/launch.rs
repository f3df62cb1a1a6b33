use crate::config::ModelSpec;

/// Environment variables that put llama-server into llama.cpp's router mode or its child mode.
/// A model process must never inherit them from llama-runner's environment.
pub(crate) const ROUTER_ENVIRONMENT: [&str; 2] = ["LLAMA_SERVER_ROUTER_PORT", "LLAMA_SERVER_CHILD_MODE"];

/// The arguments llama-server is started with: the model's own flags, then the ones llama-runner
/// always sets. Arguments are passed as a list, never through a shell, so spaces survive.
pub fn launch_command_line(spec: &ModelSpec, port: u16) -> Vec<String> {
    let mut arguments = spec.flags.clone();
    arguments.extend([
        "--model".to_owned(),
        spec.model_path.to_string_lossy().into_owned(),
        "--alias".to_owned(),
        spec.id.to_string(),
        "--host".to_owned(),
        "127.0.0.1".to_owned(),
        "--port".to_owned(),
        port.to_string(),
    ]);
    arguments
}
