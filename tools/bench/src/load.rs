//! A closed-loop load generator: a fixed number of workers, each sending its next request when
//! the previous response has been read, until a request count or a time cap is reached.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::StatusCode;
use tokio::time::Instant;

use crate::http::{HttpClient, post_request};
use crate::latency::percentile;

/// Maximum time for one request. A slower request counts as an error.
const REQUEST_LIMIT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, Copy)]
pub struct LoadPlan {
    pub concurrency: usize,
    pub requests: usize,
    /// Workers stop starting requests once this much time has passed.
    pub time_cap: Duration,
}

#[derive(Debug, Default)]
pub struct LoadOutcome {
    /// Latency of each request that returned 200 with a complete body.
    pub latencies: Vec<Duration>,
    pub errors: usize,
    pub first_error: Option<String>,
    pub elapsed: Duration,
    /// Whether the time cap stopped the run before every request was sent.
    pub capped: bool,
}

impl LoadOutcome {
    pub fn requests_per_second(&self) -> f64 {
        self.latencies.len() as f64 / self.elapsed.as_secs_f64().max(f64::EPSILON)
    }

    pub fn p50(&self) -> Duration {
        percentile(&self.latencies, 50.0).unwrap_or_default()
    }

    pub fn p99(&self) -> Duration {
        percentile(&self.latencies, 99.0).unwrap_or_default()
    }

    /// Adds the results of another run of the same target, as if both were one run.
    pub fn absorb(&mut self, other: LoadOutcome) {
        self.latencies.extend(other.latencies);
        self.errors += other.errors;
        self.elapsed += other.elapsed;
        self.capped |= other.capped;
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
    }
}

/// Sends `plan.requests` copies of `POST path` with `body` to 127.0.0.1:`port` from
/// `plan.concurrency` workers. `client` should keep at least that many idle connections, so
/// runs after the first reuse the connections instead of opening new ones.
pub async fn run_load(
    client: &HttpClient,
    port: u16,
    path: &str,
    body: Bytes,
    plan: LoadPlan,
) -> LoadOutcome {
    let issued = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let deadline = started + plan.time_cap;

    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..plan.concurrency {
        let worker = Worker {
            client: client.clone(),
            port,
            path: path.to_owned(),
            body: body.clone(),
            issued: issued.clone(),
            requests: plan.requests,
            deadline,
        };
        workers.spawn(worker.run());
    }

    let mut outcome = LoadOutcome::default();
    while let Some(joined) = workers.join_next().await {
        match joined {
            Ok(part) => outcome.absorb(part),
            Err(_) => {
                outcome.errors += 1;
                outcome
                    .first_error
                    .get_or_insert_with(|| "a load worker panicked".to_owned());
            }
        }
    }
    // The workers ran side by side, so the run took the wall time, not the sum of theirs.
    outcome.elapsed = started.elapsed();
    outcome
}

struct Worker {
    client: HttpClient,
    port: u16,
    path: String,
    body: Bytes,
    issued: Arc<AtomicUsize>,
    requests: usize,
    deadline: Instant,
}

impl Worker {
    async fn run(self) -> LoadOutcome {
        let mut outcome = LoadOutcome::default();
        loop {
            if Instant::now() >= self.deadline {
                outcome.capped = self.issued.load(Ordering::Relaxed) < self.requests;
                break;
            }
            if self.issued.fetch_add(1, Ordering::Relaxed) >= self.requests {
                break;
            }

            let sent = Instant::now();
            match self.send_one().await {
                Ok(()) => outcome.latencies.push(sent.elapsed()),
                Err(error) => {
                    outcome.errors += 1;
                    outcome.first_error.get_or_insert(error);
                }
            }
        }
        outcome
    }

    async fn send_one(&self) -> Result<(), String> {
        let request = post_request(self.port, &self.path, self.body.clone());
        let exchange = async {
            let response = self
                .client
                .request(request)
                .await
                .map_err(|error| error.to_string())?;
            let status = response.status();
            let body = response
                .into_body()
                .collect()
                .await
                .map_err(|error| error.to_string())?;
            if status != StatusCode::OK {
                let text = String::from_utf8_lossy(&body.to_bytes()).into_owned();
                return Err(format!("status {status}: {text}"));
            }
            Ok(())
        };
        match tokio::time::timeout(REQUEST_LIMIT, exchange).await {
            Ok(result) => result,
            Err(_) => Err(format!("timed out after {REQUEST_LIMIT:?}")),
        }
    }
}
