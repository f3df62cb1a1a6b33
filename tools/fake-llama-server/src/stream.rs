//! Server-sent event stream of a completion, one frame per body chunk.

use std::convert::Infallible;
use std::time::Duration;

use async_stream::stream;
use axum::body::{Body, Bytes};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::completion_body::Completion;
use crate::request_log::DisconnectGuard;
use crate::settings::{FakeSettings, FaultMode};

/// Time given to hyper to write the last frame before `exit_mid_stream` exits the process.
const FLUSH_BEFORE_EXIT: Duration = Duration::from_millis(100);

/// Streams `chunk_count` content frames, a final frame and `data: [DONE]`, pausing
/// `chunk_delay` between frames. In `exit_mid_stream` mode the whole process exits with
/// code 1 after `chunks_before_exit` content frames, leaving the response unfinished.
pub fn event_stream(
    completion: Completion,
    settings: &FakeSettings,
    guard: DisconnectGuard,
) -> Response {
    let chunk_count = settings.chunk_count;
    let chunk_delay = settings.chunk_delay;
    let exit_after =
        (settings.mode == FaultMode::ExitMidStream).then_some(settings.chunks_before_exit);

    let frames = stream! {
        for index in 0..chunk_count {
            if exit_after == Some(index) {
                exit_mid_stream(index).await;
            }
            if index > 0 {
                pause(chunk_delay).await;
            }
            yield Ok::<Bytes, Infallible>(data_frame(&completion.content_chunk(index)));
        }

        if exit_after.is_some() {
            exit_mid_stream(chunk_count).await;
        }
        pause(chunk_delay).await;
        yield Ok(data_frame(&completion.final_chunk(chunk_count)));
        yield Ok(Bytes::from_static(b"data: [DONE]\n\n"));

        // Hyper drops the stream before this point when the client disconnects, and the
        // guard then records the disconnect.
        guard.finish();
    };

    (
        [
            (header::CONTENT_TYPE, "text/event-stream"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        Body::from_stream(frames),
    )
        .into_response()
}

fn data_frame(chunk: &Value) -> Bytes {
    Bytes::from(format!("data: {chunk}\n\n"))
}

async fn pause(delay: Duration) {
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
}

async fn exit_mid_stream(sent: usize) -> ! {
    tokio::time::sleep(FLUSH_BEFORE_EXIT).await;
    eprintln!(
        "fake-llama-server: FAKE_MODE=exit_mid_stream: exiting with code 1 after {sent} chunks"
    );
    std::process::exit(1)
}
