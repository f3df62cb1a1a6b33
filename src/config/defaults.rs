//! Default values of the configuration keys, shared by the loader and the starter file.

use std::net::{IpAddr, Ipv4Addr};

pub const DEFAULT_LMSTUDIO_PORT: u16 = 1234;
pub const DEFAULT_OLLAMA_PORT: u16 = 11434;

pub(crate) fn runtime() -> String {
    "llama-server".to_owned()
}

pub(crate) fn concurrent_runners() -> usize {
    1
}

/// Seconds a model may take to answer `GET /health` with 200 after its process starts.
pub(crate) fn health_check_timeout() -> u64 {
    300
}

pub(crate) fn stop_grace_seconds() -> u64 {
    10
}

/// 32 MiB: enough for a request with several base64 images.
pub(crate) fn max_body_bytes() -> usize {
    33_554_432
}

pub(crate) fn host() -> IpAddr {
    IpAddr::V4(Ipv4Addr::LOCALHOST)
}

pub(crate) fn enabled() -> bool {
    true
}

pub(crate) fn ollama_port() -> u16 {
    DEFAULT_OLLAMA_PORT
}

pub(crate) fn lmstudio_port() -> u16 {
    DEFAULT_LMSTUDIO_PORT
}

pub const DEFAULT_DASHBOARD_PORT: u16 = 8585;

pub(crate) fn dashboard_port() -> u16 {
    DEFAULT_DASHBOARD_PORT
}

pub(crate) fn supports_tools() -> bool {
    true
}

/// Returns the starter configuration: no models and every section with its default.
pub fn starter_config_json() -> String {
    let starter = serde_json::json!({
        "llama-runtimes": {
            "default": {"runtime": runtime(), "supports_tools": true}
        },
        "default_runtime": runtime(),
        "concurrentRunners": concurrent_runners(),
        "healthCheckTimeout": health_check_timeout(),
        "ttl": 0,
        "stopGraceSeconds": stop_grace_seconds(),
        "maxBodyBytes": max_body_bytes(),
        "host": host().to_string(),
        "proxies": {
            "ollama": {"enabled": true, "port": DEFAULT_OLLAMA_PORT},
            "lmstudio": {"enabled": true, "port": DEFAULT_LMSTUDIO_PORT, "api_key": null}
        },
        "logging": {"prompt_logging_enabled": false},
        "dashboard": {"enabled": true, "host": host().to_string(), "port": DEFAULT_DASHBOARD_PORT},
        "circuitBreaker": crate::breaker::BreakerConfig::default(),
        "timeouts": {"connectSeconds": 5, "firstByteSeconds": null, "idleSeconds": null, "totalSeconds": null},
        "models": {}
    });
    let mut text = serde_json::to_string_pretty(&starter).unwrap_or_default();
    text.push('\n');
    text
}
