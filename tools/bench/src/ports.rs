//! Loopback ports for the servers the bench starts.

use std::net::{Ipv4Addr, TcpListener};
use std::time::Duration;

use anyhow::Context;
use tokio::time::Instant;

use crate::process::ServerProcess;

/// Returns a port that was free on 127.0.0.1 a moment ago. Another program may take it before
/// the server binds it, in which case that server fails to start and the bench reports it.
pub fn free_port() -> anyhow::Result<u16> {
    let listener =
        TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).context("cannot bind 127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

/// Waits until 127.0.0.1:`port` accepts TCP connections, failing early when `server` exits.
pub async fn wait_for_port(
    server: &mut ServerProcess,
    name: &str,
    port: u16,
    limit: Duration,
) -> anyhow::Result<()> {
    let deadline = Instant::now() + limit;
    loop {
        if tokio::net::TcpStream::connect((Ipv4Addr::LOCALHOST, port))
            .await
            .is_ok()
        {
            return Ok(());
        }
        server.ensure_running()?;
        if Instant::now() >= deadline {
            anyhow::bail!(
                "{name} did not listen on 127.0.0.1:{port} within {limit:?}; last log lines:\n{}",
                server.log_tail()
            );
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}
