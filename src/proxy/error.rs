use crate::pool::AcquireError;

/// Everything that can go wrong between a client's request and the upstream's response, before
/// the dialect renders it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProxyError {
    #[error("invalid JSON in request body: {0}")]
    InvalidJson(String),
    #[error("unsupported Content-Type '{0}': the request body must be JSON (application/json)")]
    UnsupportedContentType(String),
    #[error("invalid Content-Type '{0}': send the JSON body as application/json")]
    MislabelledJson(String),
    #[error("missing 'model': the request body must name a model")]
    MissingModel,
    #[error("invalid 'model': expected a string")]
    ModelNotString,
    #[error("model '{0}' not found")]
    UnknownModel(String),
    #[error("request body exceeds the limit of {limit} bytes (maxBodyBytes)")]
    BodyTooLarge { limit: usize },
    #[error("cannot read the request body: {0}")]
    BodyRead(String),
    #[error(transparent)]
    Unavailable(#[from] AcquireError),
    #[error("model '{model}' did not answer: {message}")]
    Upstream { model: String, message: String },
    #[error("model '{model}' timed out: the {which} timeout of {seconds} s fired (timeouts in the config)")]
    Timeout {
        model: String,
        which: &'static str,
        seconds: u64,
    },
}

impl ProxyError {
    pub fn status(&self) -> http::StatusCode {
        use http::StatusCode;
        match self {
            ProxyError::UnsupportedContentType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ProxyError::InvalidJson(_)
            | ProxyError::MislabelledJson(_)
            | ProxyError::MissingModel
            | ProxyError::ModelNotString
            | ProxyError::BodyRead(_) => StatusCode::BAD_REQUEST,
            ProxyError::UnknownModel(_) => StatusCode::NOT_FOUND,
            ProxyError::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ProxyError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ProxyError::Upstream { .. } => StatusCode::BAD_GATEWAY,
            ProxyError::Timeout { .. } => StatusCode::GATEWAY_TIMEOUT,
        }
    }

    /// Returns a stable machine-readable code, used as OpenAI's `error.code`.
    pub fn code(&self) -> &'static str {
        match self {
            ProxyError::InvalidJson(_) => "invalid_json",
            ProxyError::UnsupportedContentType(_) => "unsupported_content_type",
            ProxyError::MislabelledJson(_) => "invalid_content_type",
            ProxyError::MissingModel => "missing_model",
            ProxyError::ModelNotString => "invalid_model",
            ProxyError::UnknownModel(_) => "model_not_found",
            ProxyError::BodyTooLarge { .. } => "request_too_large",
            ProxyError::BodyRead(_) => "invalid_body",
            ProxyError::Unavailable(_) => "model_unavailable",
            ProxyError::Upstream { .. } => "upstream_error",
            ProxyError::Timeout { .. } => "timeout",
        }
    }

    /// Seconds a client should wait before retrying, for a `Retry-After` header.
    pub fn retry_after_seconds(&self) -> Option<u64> {
        match self {
            ProxyError::Unavailable(AcquireError::BreakerOpen { retry_after_seconds, .. }) => Some(*retry_after_seconds),
            _ => None,
        }
    }
}
