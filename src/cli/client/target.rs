//! The address of the running instance for the client commands: the management URL and the API
//! key, from the command line or from the `dashboard` and key fields of the config file.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};

use clap::Args;
use serde::Deserialize;

use llama_runner::config::{ConfigError, DashboardConfig, default_config_path};

#[derive(Args, Debug, Clone)]
pub struct ConnectionArgs {
    /// Config file to read the dashboard address and API key from.
    /// Default: ~/.llama-runner/config.json; a missing default file means 127.0.0.1:8585 and no key.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Management URL of the running instance, such as http://127.0.0.1:8585. Overrides the
    /// dashboard address of the config file.
    #[arg(long)]
    pub url: Option<String>,
    /// API key for the management API. Overrides the keys of the config file.
    #[arg(long, env = "LLAMA_RUNNER_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
}

/// The management API of one running instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// `http://host:port` with any path prefix and no trailing slash.
    pub base_url: String,
    pub api_key: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    #[error(transparent)]
    DefaultPath(#[from] ConfigError),
    #[error("cannot read config file {path}: {source}; pass the right file with --config, or the address with --url")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "cannot read the dashboard settings from config file {path}: {source}; \
         `llama-runner check --config {path}` lists every problem, or pass the address with --url"
    )]
    Invalid {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error(
        "the management API is switched off in {path} (dashboard.enabled is false); \
         set it to true and restart llama-runner, or pass --url"
    )]
    DashboardDisabled { path: PathBuf },
    #[error("invalid --url '{url}': {reason}; expected a URL such as http://127.0.0.1:8585")]
    InvalidUrl { url: String, reason: String },
}

/// The fields of the config file a client needs. Every other field, models included, is
/// ignored, so a config with model problems still names the address.
#[derive(Debug, Default, Deserialize)]
struct ClientConfig {
    #[serde(default)]
    dashboard: DashboardConfig,
    #[serde(default)]
    proxies: ProxyKeys,
}

#[derive(Debug, Default, Deserialize)]
struct ProxyKeys {
    #[serde(default)]
    lmstudio: KeyOnly,
    #[serde(default)]
    ollama: KeyOnly,
}

#[derive(Debug, Default, Deserialize)]
struct KeyOnly {
    #[serde(default)]
    api_key: Option<String>,
}

impl ClientConfig {
    /// Returns a configured key. The management API accepts any of them, so the first one set
    /// is as good as another.
    fn api_key(self) -> Option<String> {
        [self.dashboard.api_key, self.proxies.lmstudio.api_key, self.proxies.ollama.api_key]
            .into_iter()
            .flatten()
            .find(|key| !key.is_empty())
    }
}

/// Resolves the URL and key: `--url` and `--api-key` win, the config file gives the rest.
pub fn resolve_target(args: &ConnectionArgs) -> Result<Target, TargetError> {
    let needs_config = args.url.is_none() || args.api_key.is_none();
    let (config, path) = if needs_config {
        read_config(args.config.as_deref())?
    } else {
        (ClientConfig::default(), PathBuf::new())
    };

    let base_url = match &args.url {
        Some(url) => normalize_url(url)?,
        None if !config.dashboard.enabled => return Err(TargetError::DashboardDisabled { path }),
        None => dashboard_url(&config.dashboard),
    };
    let api_key = args.api_key.clone().filter(|key| !key.is_empty()).or_else(|| config.api_key());
    Ok(Target { base_url, api_key })
}

/// Reads the client fields of `explicit`, or of the default file. A missing default file gives
/// the defaults, because `serve` would write a starter file with those same values.
fn read_config(explicit: Option<&Path>) -> Result<(ClientConfig, PathBuf), TargetError> {
    let path = match explicit {
        Some(path) => path.to_owned(),
        None => default_config_path()?,
    };
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(error) if explicit.is_none() && error.kind() == std::io::ErrorKind::NotFound => {
            return Ok((ClientConfig::default(), path));
        }
        Err(source) => return Err(TargetError::Read { path, source }),
    };
    match serde_json::from_slice(&bytes) {
        Ok(config) => Ok((config, path)),
        Err(source) => Err(TargetError::Invalid { path, source }),
    }
}

/// Returns the URL of the dashboard listener; an unspecified bind address is reached through
/// loopback.
fn dashboard_url(dashboard: &DashboardConfig) -> String {
    let host = match dashboard.host {
        IpAddr::V4(address) if address.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(address) if address.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        address => address,
    };
    match host {
        IpAddr::V4(address) => format!("http://{address}:{}", dashboard.port),
        IpAddr::V6(address) => format!("http://[{address}]:{}", dashboard.port),
    }
}

/// Checks a `--url` and drops its trailing slash. A URL without a scheme gets `http://`.
fn normalize_url(url: &str) -> Result<String, TargetError> {
    let invalid = |reason: &str| TargetError::InvalidUrl {
        url: url.to_owned(),
        reason: reason.to_owned(),
    };
    let with_scheme = if url.contains("://") { url.to_owned() } else { format!("http://{url}") };
    let uri: http::Uri = with_scheme.parse().map_err(|error: http::uri::InvalidUri| invalid(&error.to_string()))?;

    if uri.scheme_str() != Some("http") {
        return Err(invalid("only http is supported, because the management port serves plain HTTP"));
    }
    let Some(authority) = uri.authority() else {
        return Err(invalid("the host is missing"));
    };
    if uri.query().is_some() {
        return Err(invalid("a query string is not allowed"));
    }
    let prefix = uri.path().trim_end_matches('/');
    Ok(format!("http://{authority}{prefix}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> ClientConfig {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn url_is_normalized() {
        assert_eq!(normalize_url("http://127.0.0.1:8585/").unwrap(), "http://127.0.0.1:8585");
        assert_eq!(normalize_url("127.0.0.1:9000").unwrap(), "http://127.0.0.1:9000");
        assert_eq!(normalize_url("http://[::1]:8585/runner/").unwrap(), "http://[::1]:8585/runner");
    }

    #[test]
    fn unsupported_urls_are_rejected() {
        for url in ["https://127.0.0.1:8585", "http://127.0.0.1:8585/?a=1", "http://", "ftp://host"] {
            let error = normalize_url(url).unwrap_err().to_string();
            assert!(error.contains(url), "{error}");
        }
    }

    #[test]
    fn config_gives_address_and_key() {
        let config = parse(r#"{"dashboard": {"host": "0.0.0.0", "port": 9001}, "proxies": {"ollama": {"api_key": "k"}}}"#);
        assert_eq!(dashboard_url(&config.dashboard), "http://127.0.0.1:9001");
        assert_eq!(config.api_key().as_deref(), Some("k"));
    }

    #[test]
    fn dashboard_key_comes_first() {
        let config = parse(r#"{"dashboard": {"api_key": "d"}, "proxies": {"lmstudio": {"api_key": "l"}}}"#);
        assert_eq!(config.api_key().as_deref(), Some("d"));
    }

    #[test]
    fn model_problems_do_not_matter() {
        let config = parse(r#"{"models": {"m": {"model_path": 5}}, "concurrentRunners": "x"}"#);
        assert_eq!(dashboard_url(&config.dashboard), "http://127.0.0.1:8585");
        assert_eq!(config.api_key(), None);
    }

    #[test]
    fn ipv6_host_is_bracketed() {
        let config = parse(r#"{"dashboard": {"host": "::", "port": 8585}}"#);
        assert_eq!(dashboard_url(&config.dashboard), "http://[::1]:8585");
    }

    #[test]
    fn explicit_missing_file_fails() {
        let error = read_config(Some(Path::new("/nonexistent/llama-runner.json"))).unwrap_err();
        assert!(error.to_string().contains("/nonexistent/llama-runner.json"), "{error}");
    }
}
