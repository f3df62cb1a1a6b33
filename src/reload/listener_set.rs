//! The bound API and management listeners, which a reload may move to other addresses.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::live_router::LiveRouter;

/// One listener: its address and the token that stops it.
struct Running {
    address: SocketAddr,
    stop: CancellationToken,
}

/// Every listener by API name, serving a [`LiveRouter`] each.
pub struct ListenerSet {
    running: BTreeMap<&'static str, Running>,
    servers: JoinSet<()>,
    shutdown: CancellationToken,
}

impl ListenerSet {
    pub fn new(shutdown: CancellationToken) -> Self {
        Self {
            running: BTreeMap::new(),
            servers: JoinSet::new(),
            shutdown,
        }
    }

    /// Serves `router` on an already bound listener.
    pub fn serve(&mut self, api: &'static str, listener: TcpListener, router: LiveRouter) {
        let Ok(address) = listener.local_addr() else { return };
        let stop = self.shutdown.child_token();
        tracing::info!(api, address = %address, "listening");

        let stopped = stop.clone();
        self.servers.spawn(async move {
            let served = axum::serve(listener, router.serving_router())
                .with_graceful_shutdown(async move { stopped.cancelled().await })
                .await;
            if let Err(error) = served {
                tracing::error!(api, error = %error, "API server failed");
            }
        });
        self.running.insert(api, Running { address, stop });
    }

    /// Moves `api` to `address`, or stops it when `address` is `None`. The new address is bound
    /// before the old listener stops, so a failed bind keeps the old one serving.
    pub async fn rebind(&mut self, api: &'static str, address: Option<SocketAddr>, router: &LiveRouter) {
        let current = self.running.get(api).map(|running| running.address);
        if current == address {
            return;
        }

        if let Some(address) = address {
            match TcpListener::bind(address).await {
                Ok(listener) => {
                    self.stop(api);
                    self.serve(api, listener, router.clone());
                }
                Err(error) => {
                    tracing::error!(api, address = %address, error = %error, "cannot listen on the reloaded address; keeping the old one");
                }
            }
        } else {
            self.stop(api);
        }
    }

    fn stop(&mut self, api: &'static str) {
        if let Some(running) = self.running.remove(api) {
            tracing::info!(api, address = %running.address, "no longer listening");
            running.stop.cancel();
        }
    }

    /// Waits until every server has finished its graceful shutdown.
    pub async fn drain(&mut self) {
        while self.servers.join_next().await.is_some() {}
    }

    pub fn abort_all(&mut self) {
        self.servers.abort_all();
    }
}
