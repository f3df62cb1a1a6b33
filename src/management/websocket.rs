//! `GET /ws`: a snapshot on connecting, then samples, events and subscribed log lines, as
//! described in docs/websocket.md.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use futures_util::{Sink, SinkExt, StreamExt};

use super::api_key::ApiKeys;
use super::directory;
use super::log_follow::LogFollower;
use crate::api::AppState;
use crate::telemetry::{ClientMessage, ConfigSummary, FeedItem, ModelDirectory, ServerMessage};

/// A client whose socket takes longer than this to accept one message is disconnected.
pub(crate) const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// Bytes a client's socket may buffer before a send waits for the client to read.
const WRITE_BUFFER_BYTES: usize = 256 * 1024;

/// Lines sent when a client subscribes to a model's output.
const SUBSCRIBE_TAIL: usize = 100;

/// Log subscriptions one client may hold.
const MAX_LOG_SUBSCRIPTIONS: usize = 32;

/// How often subscribed logs are checked for new lines.
const LOG_POLL_INTERVAL: Duration = Duration::from_millis(250);

pub(crate) async fn upgrade(State(state): State<AppState>, upgrade: WebSocketUpgrade) -> Response {
    upgrade
        .write_buffer_size(0)
        .max_write_buffer_size(WRITE_BUFFER_BYTES)
        .on_upgrade(move |socket| serve_client(socket, state))
}

/// Reason a send failed.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum SendFailure {
    TimedOut,
    Closed,
}

/// Sends one message, giving up after `limit`: a client that stops reading fills its socket
/// and is then disconnected instead of making the server queue for it.
pub(crate) async fn send_within<S>(sink: &mut S, message: Message, limit: Duration) -> Result<(), SendFailure>
where
    S: Sink<Message> + Unpin,
{
    match tokio::time::timeout(limit, sink.send(message)).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(_)) => Err(SendFailure::Closed),
        Err(_) => Err(SendFailure::TimedOut),
    }
}

fn text(message: &ServerMessage) -> Message {
    Message::Text(serde_json::to_string(message).unwrap_or_default().into())
}

fn snapshot(directory: &ModelDirectory, api_key_required: bool) -> ServerMessage {
    ServerMessage::Snapshot {
        models: directory.all(),
        history: directory.telemetry.history(),
        alerts: directory.telemetry.alerts(),
        requests: directory.telemetry.requests(),
        config: ConfigSummary::of(&directory.settings, api_key_required),
    }
}

async fn serve_client(socket: WebSocket, state: AppState) {
    let directory = directory(&state);
    let api_key_required = management_keys(&state).is_required();
    let (mut sink, mut incoming) = socket.split();
    // Subscribing before the snapshot is read means no event falls between the two.
    let mut feed = directory.telemetry.feed().subscribe();
    let mut logs: BTreeMap<Arc<str>, LogFollower> = BTreeMap::new();
    let mut log_poll = tokio::time::interval(LOG_POLL_INTERVAL);
    tracing::debug!(clients = directory.telemetry.feed().clients(), "WebSocket client connected");

    let mut outcome = send_within(&mut sink, text(&snapshot(&directory, api_key_required)), WRITE_TIMEOUT).await;
    while outcome.is_ok() {
        outcome = tokio::select! {
            item = feed.next() => match item {
                FeedItem::Message(message) => send_within(&mut sink, Message::Text(message.as_ref().into()), WRITE_TIMEOUT).await,
                FeedItem::Lagged(missed) => {
                    tracing::debug!(missed, "WebSocket client fell behind; sending a new snapshot");
                    send_within(&mut sink, text(&snapshot(&directory, api_key_required)), WRITE_TIMEOUT).await
                }
                FeedItem::Closed => Err(SendFailure::Closed),
            },
            received = incoming.next() => match received {
                Some(Ok(Message::Text(body))) => match serde_json::from_str::<ClientMessage>(body.as_str()) {
                    Ok(request) => handle_request(&state, &mut logs, request, &mut sink).await,
                    Err(error) => {
                        tracing::debug!(error = %error, "ignoring an invalid WebSocket message");
                        Ok(())
                    }
                },
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => Err(SendFailure::Closed),
                Some(Ok(_)) => Ok(()),
            },
            _ = log_poll.tick(), if !logs.is_empty() => send_new_lines(&state, &mut logs, &mut sink).await,
        };
    }

    if outcome == Err(SendFailure::TimedOut) {
        tracing::info!("WebSocket client stopped reading; disconnected");
    }
    tracing::debug!("WebSocket client disconnected");
}

async fn handle_request<S>(state: &AppState, logs: &mut BTreeMap<Arc<str>, LogFollower>, request: ClientMessage, sink: &mut S) -> Result<(), SendFailure>
where
    S: Sink<Message> + Unpin,
{
    match request {
        ClientMessage::SubscribeLogs { model } => {
            let Some(model) = super::logs::configured_id(state, &model) else {
                tracing::debug!(model = %model, "log subscription for an unknown model ignored");
                return Ok(());
            };
            if logs.len() >= MAX_LOG_SUBSCRIPTIONS && !logs.contains_key(&model) {
                tracing::debug!(model = %model, "log subscription ignored: too many subscriptions");
                return Ok(());
            }
            let (follower, lines) = LogFollower::start(&state.pool, model.clone(), SUBSCRIBE_TAIL);
            logs.insert(model.clone(), follower);
            send_within(sink, text(&ServerMessage::Log { model, lines }), WRITE_TIMEOUT).await
        }
        ClientMessage::UnsubscribeLogs { model } => {
            logs.remove(model.as_str());
            Ok(())
        }
    }
}

async fn send_new_lines<S>(state: &AppState, logs: &mut BTreeMap<Arc<str>, LogFollower>, sink: &mut S) -> Result<(), SendFailure>
where
    S: Sink<Message> + Unpin,
{
    for follower in logs.values_mut() {
        let lines = follower.read_new(&state.pool);
        if !lines.is_empty() {
            let message = ServerMessage::Log {
                model: follower.model.clone(),
                lines,
            };
            send_within(sink, text(&message), WRITE_TIMEOUT).await?;
        }
    }
    Ok(())
}

/// Returns the keys the management port accepts: the API ports' keys and `dashboard.api_key`.
pub(crate) fn management_keys(state: &AppState) -> ApiKeys {
    let settings = &state.settings;
    ApiKeys::new([
        settings.proxies.lmstudio.api_key.as_deref(),
        settings.proxies.ollama.api_key.as_deref(),
        settings.dashboard.api_key.as_deref(),
    ])
}

#[cfg(test)]
mod tests {
    use std::pin::Pin;
    use std::task::{Context, Poll};

    use super::*;

    /// A socket whose client never reads: it never accepts another message.
    struct StalledSocket;

    impl Sink<Message> for StalledSocket {
        type Error = std::io::Error;

        fn poll_ready(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
            Poll::Pending
        }

        fn start_send(self: Pin<&mut Self>, _: Message) -> Result<(), Self::Error> {
            Ok(())
        }

        fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
            Poll::Pending
        }

        fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
            Poll::Ready(Ok(()))
        }
    }

    #[tokio::test(start_paused = true)]
    async fn stalled_client_is_disconnected_after_the_write_timeout() {
        let started = tokio::time::Instant::now();

        let outcome = send_within(&mut StalledSocket, Message::Text("{}".into()), WRITE_TIMEOUT).await;

        assert_eq!(outcome, Err(SendFailure::TimedOut));
        assert_eq!(started.elapsed(), WRITE_TIMEOUT);
    }

    #[tokio::test]
    async fn send_to_a_reading_client_succeeds() {
        let mut sink = futures_util::sink::drain::<Message>();
        let outcome = send_within(&mut sink, Message::Text("{}".into()), WRITE_TIMEOUT).await;
        assert_eq!(outcome, Ok(()));
    }
}
