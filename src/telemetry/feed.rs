//! Fan-out of live updates to WebSocket clients with bounded memory, however many clients stall.
//!
//! Samples go through a watch channel that holds only the newest, so a slow client skips to it.
//! Events (state changes, requests, alerts, breaker changes) go through one broadcast ring
//! shared by all clients. A client that falls more than [`EVENTS_KEPT`] events behind receives
//! [`FeedItem::Lagged`] and should be sent a fresh snapshot. Messages are serialized once for all clients.

use std::sync::Arc;

use serde::Serialize;
use tokio::sync::{broadcast, watch};

/// Events kept for clients that read slowly.
pub const EVENTS_KEPT: usize = 1024;

/// One serialized JSON message.
pub type Text = Arc<str>;

#[derive(Debug, Clone)]
pub struct Feed {
    events: broadcast::Sender<Text>,
    sample: watch::Sender<Option<Text>>,
}

impl Default for Feed {
    fn default() -> Self {
        Self::new(EVENTS_KEPT)
    }
}

/// The next item for a client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedItem {
    Message(Text),
    /// The client missed this many events; its view is stale.
    Lagged(u64),
    /// The feed is gone: llama-runner is shutting down.
    Closed,
}

impl Feed {
    pub fn new(events_kept: usize) -> Self {
        Self {
            events: broadcast::channel(events_kept.max(1)).0,
            sample: watch::channel(None).0,
        }
    }

    /// Sends `message` to every client; it is not even serialized while none is connected.
    pub fn publish_event(&self, message: &impl Serialize) {
        if self.events.receiver_count() == 0 {
            return;
        }
        if let Some(text) = serialize(message) {
            let _ = self.events.send(text);
        }
    }

    /// Replaces the latest sample; a client still sending an older one gets only this one next.
    pub fn publish_sample(&self, message: &impl Serialize) {
        if let Some(text) = serialize(message) {
            self.sample.send_replace(Some(text));
        }
    }

    /// Starts receiving updates published from now on.
    pub fn subscribe(&self) -> FeedReceiver {
        let mut sample = self.sample.subscribe();
        sample.mark_unchanged();
        FeedReceiver {
            events: self.events.subscribe(),
            sample,
        }
    }

    /// Returns the number of connected clients.
    pub fn clients(&self) -> usize {
        self.events.receiver_count()
    }
}

fn serialize(message: &impl Serialize) -> Option<Text> {
    match serde_json::to_string(message) {
        Ok(text) => Some(Arc::from(text)),
        Err(error) => {
            tracing::error!(error = %error, "cannot serialize a live update");
            None
        }
    }
}

/// One client's view of the [`Feed`].
pub struct FeedReceiver {
    events: broadcast::Receiver<Text>,
    sample: watch::Receiver<Option<Text>>,
}

impl FeedReceiver {
    /// Waits for the next event or a newer sample; events are preferred when both are ready.
    pub async fn next(&mut self) -> FeedItem {
        loop {
            tokio::select! {
                biased;
                event = self.events.recv() => {
                    return match event {
                        Ok(text) => FeedItem::Message(text),
                        Err(broadcast::error::RecvError::Lagged(missed)) => FeedItem::Lagged(missed),
                        Err(broadcast::error::RecvError::Closed) => FeedItem::Closed,
                    };
                }
                changed = self.sample.changed() => {
                    if changed.is_err() {
                        return FeedItem::Closed;
                    }
                    if let Some(text) = self.sample.borrow_and_update().clone() {
                        return FeedItem::Message(text);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use serde_json::json;

    use super::*;

    async fn next_now(receiver: &mut FeedReceiver) -> Option<FeedItem> {
        tokio::time::timeout(Duration::from_millis(50), receiver.next()).await.ok()
    }

    #[tokio::test]
    async fn stalled_client_skips_to_the_newest_sample_and_learns_it_lagged() {
        let feed = Feed::new(8);
        let mut reading = feed.subscribe();
        let mut stalled = feed.subscribe();

        for index in 0..100 {
            feed.publish_sample(&json!({"type": "sample", "index": index}));
            feed.publish_event(&json!({"type": "request", "index": index}));
            // The reading client keeps up with every event.
            assert_eq!(
                next_now(&mut reading).await,
                Some(FeedItem::Message(Arc::from(format!(r#"{{"index":{index},"type":"request"}}"#))))
            );
        }

        assert_eq!(next_now(&mut stalled).await, Some(FeedItem::Lagged(92)), "only 8 events are kept");
        let mut rest = Vec::new();
        while let Some(FeedItem::Message(text)) = next_now(&mut stalled).await {
            rest.push(text);
        }
        assert_eq!(rest.len(), 9, "the 8 kept events and one sample: {rest:?}");
        assert!(rest.last().unwrap().contains(r#""index":99,"type":"sample""#), "only the newest sample: {rest:?}");
    }

    #[tokio::test]
    async fn events_are_not_serialized_without_clients() {
        let feed = Feed::new(8);
        feed.publish_event(&json!({"type": "request"}));
        let mut late = feed.subscribe();
        assert_eq!(next_now(&mut late).await, None, "events from before subscribing are not replayed");
        assert_eq!(feed.clients(), 1);
    }

    #[tokio::test]
    async fn subscriber_waits_for_a_sample_newer_than_its_start() {
        let feed = Feed::new(8);
        feed.publish_sample(&json!({"type": "sample", "index": 0}));
        let mut receiver = feed.subscribe();
        assert_eq!(next_now(&mut receiver).await, None);

        feed.publish_sample(&json!({"type": "sample", "index": 1}));
        assert!(matches!(next_now(&mut receiver).await, Some(FeedItem::Message(text)) if text.contains("\"index\":1")));
    }
}
