//! `POST /v1/audio/transcriptions`: multipart, routed by its `model` form field.

use axum::extract::{Request, State};
use axum::response::Response;
use bytes::Bytes;
use futures_util::stream;
use http::header::CONTENT_TYPE;

use crate::api::AppState;
use crate::api::openai::render_proxy_error;
use crate::proxy::{ProxyError, forward, read_any_body};

pub(crate) async fn forward_transcription(State(state): State<AppState>, request: Request) -> Response {
    match forward_multipart(&state, request).await {
        Ok(response) => response,
        Err(error) => render_proxy_error(&error),
    }
}

/// Reads the whole body, finds the `model` field wherever it is among the parts, and forwards
/// the body unchanged.
async fn forward_multipart(state: &AppState, request: Request) -> Result<Response, ProxyError> {
    let (parts, body) = request.into_parts();
    let content_type = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let boundary = multer::parse_boundary(&content_type)
        .map_err(|_| ProxyError::UnsupportedContentType(content_type.clone()))?;

    let body = read_any_body(body, state.settings.max_body_bytes).await?;
    let model = model_field(body.clone(), &boundary).await?;
    let spec = state
        .settings
        .model(&model)
        .cloned()
        .ok_or_else(|| ProxyError::UnknownModel(model.clone()))?;
    let lease = state.pool.acquire(spec).await?;

    let path_and_query = parts.uri.path_and_query().map_or("/", |value| value.as_str());
    forward(&state.upstream, lease, parts.method, path_and_query, &parts.headers, body).await
}

async fn model_field(body: Bytes, boundary: &str) -> Result<String, ProxyError> {
    let chunks = stream::once(async move { Ok::<Bytes, std::io::Error>(body) });
    let mut multipart = multer::Multipart::new(chunks, boundary);

    loop {
        match multipart.next_field().await {
            Ok(Some(field)) if field.name() == Some("model") => {
                let model = field.text().await.map_err(|error| ProxyError::BodyRead(error.to_string()))?;
                let model = model.trim().to_owned();
                return if model.is_empty() { Err(ProxyError::MissingModel) } else { Ok(model) };
            }
            Ok(Some(_)) => continue,
            Ok(None) => return Err(ProxyError::MissingModel),
            Err(error) => return Err(ProxyError::BodyRead(format!("invalid multipart body: {error}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(parts: &[(&str, &str)]) -> Bytes {
        let mut body = String::new();
        for (name, value) in parts {
            body.push_str(&format!("--XYZ\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"));
        }
        body.push_str("--XYZ--\r\n");
        Bytes::from(body)
    }

    #[tokio::test]
    async fn model_is_found_after_the_file_part() {
        let body = form(&[("file", "RIFF....WAVE"), ("language", "en"), ("model", "whisper-small")]);
        assert_eq!(model_field(body, "XYZ").await.unwrap(), "whisper-small");
    }

    #[tokio::test]
    async fn missing_model_field_is_missing_model() {
        let body = form(&[("file", "data")]);
        assert_eq!(model_field(body, "XYZ").await, Err(ProxyError::MissingModel));
    }
}
