//! `GET /health` (liveness) and `GET /api/health` (the overall state and the checks behind it).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use serde::Serialize;
use tokio::time::Instant;

use crate::api::AppState;
use crate::telemetry::alerts::AlertLevel;

/// How long a port check waits for the connection.
const PORT_CHECK_TIMEOUT: Duration = Duration::from_millis(500);

/// Returns `ok` while the process runs: a liveness check only.
pub(crate) async fn liveness() -> &'static str {
    "ok"
}

/// `ok`, `degraded` or `critical`, ordered from best to worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Health {
    Ok,
    Degraded,
    Critical,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Check {
    name: String,
    status: Health,
    detail: String,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct HealthReport {
    status: Health,
    checks: Vec<Check>,
}

/// Returns the overall state and its checks. It is `critical` (503) when an API port does not
/// accept connections or a critical alert is active. It is `degraded` when a model failed, a
/// breaker is open or a warning is active, and `ok` otherwise.
pub(crate) async fn overall(State(state): State<AppState>) -> Response {
    let mut checks = Vec::new();
    let proxies = &state.settings.proxies;
    let ports = [
        ("openai_port", proxies.lmstudio.enabled, proxies.lmstudio_port()),
        ("ollama_port", proxies.ollama.enabled, proxies.ollama_port()),
    ];
    for (name, enabled, port) in ports {
        if enabled {
            checks.push(port_check(name, state.settings.host, port).await);
        }
    }

    let failed: Vec<String> = state
        .pool
        .status()
        .all()
        .into_iter()
        .filter(|(_, status)| status.state == "failed")
        .map(|(model, _)| model.to_string())
        .collect();
    checks.push(listing_check("failed_models", &failed, "failed: ", Health::Degraded));

    let open: Vec<String> = state
        .pool
        .breakers()
        .snapshot(Instant::now())
        .into_iter()
        .filter(|(_, stats)| stats.state.as_str() == "open")
        .map(|(model, _)| model.to_string())
        .collect();
    checks.push(listing_check("open_breakers", &open, "circuit breaker open: ", Health::Degraded));

    let alerts = state.telemetry.alerts().active;
    let worst = alerts.iter().map(|alert| alert.level).max();
    let status = match worst {
        None => Health::Ok,
        Some(AlertLevel::Warning) => Health::Degraded,
        Some(AlertLevel::Critical) => Health::Critical,
    };
    let detail = alerts.iter().map(|alert| alert.message.clone()).collect::<Vec<_>>().join("; ");
    checks.push(Check {
        name: "active_alerts".to_owned(),
        status,
        detail: if detail.is_empty() { "none".to_owned() } else { detail },
    });

    let status = checks.iter().map(|check| check.status).max().unwrap_or(Health::Ok);
    let code = if status == Health::Critical { StatusCode::SERVICE_UNAVAILABLE } else { StatusCode::OK };
    (code, Json(HealthReport { status, checks })).into_response()
}

fn listing_check(name: &str, items: &[String], prefix: &str, bad: Health) -> Check {
    if items.is_empty() {
        return Check {
            name: name.to_owned(),
            status: Health::Ok,
            detail: "none".to_owned(),
        };
    }
    Check {
        name: name.to_owned(),
        status: bad,
        detail: format!("{prefix}{}", items.join(", ")),
    }
}

/// Connects to an API port; an unspecified bind address is reached through loopback.
async fn port_check(name: &str, host: IpAddr, port: u16) -> Check {
    let host = match host {
        IpAddr::V4(address) if address.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(address) if address.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        address => address,
    };
    let address = SocketAddr::new(host, port);
    let connected = tokio::time::timeout(PORT_CHECK_TIMEOUT, tokio::net::TcpStream::connect(address)).await;
    let (status, detail) = match connected {
        Ok(Ok(_)) => (Health::Ok, format!("listening on {address}")),
        Ok(Err(error)) => (Health::Critical, format!("not accepting connections on {address}: {error}")),
        Err(_) => (Health::Critical, format!("connecting to {address} timed out")),
    };
    Check {
        name: name.to_owned(),
        status,
        detail,
    }
}
