//! Forwarding a request to a model's llama-server and its response back, frame by frame.

mod error;
mod forward;
mod hop_headers;
mod leased_body;
mod model_field;
mod request_body;
mod upstream_client;

pub use error::ProxyError;
pub use forward::forward;
pub use model_field::requested_model;
pub use request_body::{read_any_body, read_json_body};
pub use upstream_client::{UpstreamClient, upstream_client};
