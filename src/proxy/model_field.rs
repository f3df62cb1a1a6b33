use serde::Deserialize;
use serde::de::IgnoredAny;

use super::error::ProxyError;

/// Only `model` is decoded; every other field is skipped without building values.
#[derive(Deserialize)]
struct ModelOnly {
    #[serde(default)]
    model: Option<ModelValue>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ModelValue {
    Text(String),
    Other(IgnoredAny),
}

/// Reads `model` from a JSON request body without decoding the rest.
pub fn requested_model(body: &[u8]) -> Result<String, ProxyError> {
    // serde would also read a struct from a JSON array; a request body must be an object.
    let first_byte = body.iter().find(|byte| !byte.is_ascii_whitespace());
    if first_byte.is_some_and(|byte| *byte != b'{') {
        return Err(ProxyError::InvalidJson("expected a JSON object".to_owned()));
    }

    let parsed: ModelOnly =
        serde_json::from_slice(body).map_err(|error| ProxyError::InvalidJson(error.to_string()))?;
    match parsed.model {
        Some(ModelValue::Text(model)) if !model.trim().is_empty() => Ok(model),
        Some(ModelValue::Text(_)) | None => Err(ProxyError::MissingModel),
        Some(ModelValue::Other(_)) => Err(ProxyError::ModelNotString),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_is_read_among_other_fields() {
        let body = br#"{"messages":[{"role":"user","content":"hi"}],"model":"org/Model-7B","stream":true}"#;
        assert_eq!(requested_model(body).unwrap(), "org/Model-7B");
    }

    #[test]
    fn missing_or_empty_model_is_missing() {
        assert_eq!(requested_model(br#"{"messages":[]}"#), Err(ProxyError::MissingModel));
        assert_eq!(requested_model(br#"{"model":""}"#), Err(ProxyError::MissingModel));
        assert_eq!(requested_model(br#"{"model":null}"#), Err(ProxyError::MissingModel));
    }

    #[test]
    fn non_string_model_is_invalid() {
        assert_eq!(requested_model(br#"{"model":42}"#), Err(ProxyError::ModelNotString));
    }

    #[test]
    fn truncated_or_non_object_json_is_invalid() {
        assert!(matches!(requested_model(br#"{"model":"m1""#), Err(ProxyError::InvalidJson(_))));
        assert!(matches!(requested_model(b"[1,2]"), Err(ProxyError::InvalidJson(_))));
        assert!(matches!(requested_model(br#"["m1"]"#), Err(ProxyError::InvalidJson(_))));
        assert!(matches!(requested_model(b""), Err(ProxyError::InvalidJson(_))));
    }
}
