//! nginx as the reference reverse proxy: a generated config, run in the foreground.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::Context;

use crate::ports::{free_port, wait_for_port};
use crate::process::ServerProcess;

/// Time nginx gets to bind its port after it starts.
const LISTEN_LIMIT: Duration = Duration::from_secs(10);

/// A running nginx that forwards every request to one upstream port.
pub struct Nginx {
    pub process: ServerProcess,
    pub port: u16,
}

impl Nginx {
    /// Writes a config into `dir` that proxies 127.0.0.1:`port` to 127.0.0.1:`upstream_port`,
    /// and starts `binary` with it.
    pub async fn start(binary: &Path, dir: &Path, upstream_port: u16) -> anyhow::Result<Self> {
        let port = free_port()?;
        let config_path = dir.join("nginx.conf");
        std::fs::write(&config_path, config_text(dir, port, upstream_port))
            .with_context(|| format!("cannot write {}", config_path.display()))?;

        // -e sends the errors logged before the config is read to the temp dir as well.
        let mut command = Command::new(binary);
        command
            .arg("-p")
            .arg(dir)
            .arg("-c")
            .arg(&config_path)
            .arg("-e")
            .arg(dir.join("error.log"));
        let mut process = ServerProcess::spawn("nginx", command, &dir.join("nginx.out"))?;
        wait_for_port(&mut process, "nginx", port, LISTEN_LIMIT).await?;
        Ok(Self { process, port })
    }

    /// Stops nginx and fails when a worker outlived the master.
    pub fn stop(mut self) -> anyhow::Result<()> {
        let leftovers = self.process.stop();
        if !leftovers.is_empty() {
            anyhow::bail!(
                "nginx left processes {leftovers:?} running after SIGTERM; the bench stopped them"
            );
        }
        Ok(())
    }
}

/// Renders the nginx config: foreground master, one worker per core, upstream keepalive over HTTP/1.1
/// and no response buffering, so it forwards the way llama-runner does. Both keepalive request
/// limits are raised above the bench's request counts, so no side closes a connection mid-run.
fn config_text(dir: &Path, port: u16, upstream_port: u16) -> String {
    let dir = dir.display();
    format!(
        "daemon off;
master_process on;
worker_processes auto;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;

events {{
    worker_connections 4096;
}}

http {{
    access_log off;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    keepalive_requests 1000000;

    upstream fake_upstream {{
        server 127.0.0.1:{upstream_port};
        keepalive 128;
        keepalive_requests 1000000;
    }}

    server {{
        listen 127.0.0.1:{port};

        location / {{
            proxy_pass http://fake_upstream;
            proxy_http_version 1.1;
            proxy_set_header Connection \"\";
            proxy_buffering off;
        }}
    }}
}}
"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_binds_loopback_and_keeps_upstream_alive() {
        let text = config_text(Path::new("/tmp/bench-nginx"), 8081, 9001);

        assert!(text.contains("listen 127.0.0.1:8081;"));
        assert!(text.contains("server 127.0.0.1:9001;"));
        assert!(text.contains("keepalive 128;"));
        assert!(text.contains("proxy_http_version 1.1;"));
        assert!(text.contains("proxy_buffering off;"));
        assert!(text.contains("daemon off;"));
        assert!(text.contains("pid /tmp/bench-nginx/nginx.pid;"));
    }
}
