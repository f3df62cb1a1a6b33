use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

/// The HTTP/1.1 client for model processes on loopback; connections are kept and reused.
pub type UpstreamClient = Client<HttpConnector, Full<Bytes>>;

/// The connect timeout of the shared client, the default of `timeouts.connectSeconds`.
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

pub fn upstream_client() -> UpstreamClient {
    client_with(DEFAULT_CONNECT_TIMEOUT)
}

fn client_with(connect_timeout: Duration) -> UpstreamClient {
    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    connector.set_connect_timeout(Some(connect_timeout));
    Client::builder(TokioExecutor::new())
        .pool_idle_timeout(Duration::from_secs(30))
        .build(connector)
}

/// Returns `shared` for the default connect timeout, else a client with `connect_timeout`, one
/// per distinct value, kept for the life of the process.
pub(crate) fn upstream_client_with_connect_timeout(shared: &UpstreamClient, connect_timeout: Duration) -> UpstreamClient {
    if connect_timeout == DEFAULT_CONNECT_TIMEOUT {
        return shared.clone();
    }
    static CLIENTS: OnceLock<Mutex<HashMap<Duration, UpstreamClient>>> = OnceLock::new();
    let mut clients = CLIENTS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    clients.entry(connect_timeout).or_insert_with(|| client_with(connect_timeout)).clone()
}
