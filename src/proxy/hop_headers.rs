use http::HeaderMap;
use http::header::{self, HeaderName};

/// Headers that describe one connection and must not be copied to the next hop (RFC 9110 §7.6.1),
/// plus the ones the proxy sets itself.
const NOT_FORWARDED: [HeaderName; 10] = [
    header::CONNECTION,
    header::PROXY_AUTHENTICATE,
    header::PROXY_AUTHORIZATION,
    header::TE,
    header::TRAILER,
    header::TRANSFER_ENCODING,
    header::UPGRADE,
    header::HOST,
    header::CONTENT_LENGTH,
    header::AUTHORIZATION,
];

/// Copies `source` without connection-specific headers, and without `Authorization`, whose key is
/// meant for llama-runner rather than llama-server.
pub(crate) fn forwarded_headers(source: &HeaderMap) -> HeaderMap {
    let mut headers = HeaderMap::with_capacity(source.len());
    for (name, value) in source {
        if NOT_FORWARDED.contains(name) || name.as_str() == "keep-alive" {
            continue;
        }
        headers.append(name.clone(), value.clone());
    }
    headers
}
