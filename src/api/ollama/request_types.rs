//! The request bodies of Ollama's generating endpoints, as its `api/types.go` defines them.

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::error::OllamaError;
use super::messages::OllamaMessage;

/// `POST /api/chat`.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct ChatRequest {
    #[serde(default)]
    pub model: String,
    #[serde(default)]
    pub messages: Option<Vec<OllamaMessage>>,
    /// Absent means true.
    #[serde(default)]
    pub stream: Option<bool>,
    /// "json", a JSON schema, or empty.
    #[serde(default)]
    pub format: Option<Value>,
    #[serde(default)]
    pub keep_alive: Option<Value>,
    #[serde(default)]
    pub tools: Option<Value>,
    #[serde(default)]
    pub options: Option<Value>,
    /// true/false, or a level: "high", "medium", "low".
    #[serde(default)]
    pub think: Option<Value>,
}

/// `POST /api/generate`.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct GenerateRequest {
    #[serde(default)]
    pub model: String,
    #[serde(default)]
    pub prompt: Option<String>,
    /// Text after the insertion point, for fill-in-the-middle.
    #[serde(default)]
    pub suffix: Option<String>,
    #[serde(default)]
    pub system: Option<String>,
    /// A Go template in Ollama; llama-server renders the model's own chat template instead.
    #[serde(default)]
    pub template: Option<String>,
    #[serde(default)]
    pub raw: Option<bool>,
    #[serde(default)]
    pub images: Option<Vec<String>>,
    #[serde(default)]
    pub stream: Option<bool>,
    #[serde(default)]
    pub format: Option<Value>,
    #[serde(default)]
    pub keep_alive: Option<Value>,
    #[serde(default)]
    pub options: Option<Value>,
    #[serde(default)]
    pub think: Option<Value>,
}

/// `POST /api/embed`.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct EmbedRequest {
    #[serde(default)]
    pub model: String,
    /// A string or an array of strings.
    #[serde(default)]
    pub input: Option<Value>,
    #[serde(default)]
    pub keep_alive: Option<Value>,
    #[serde(default)]
    pub options: Option<Value>,
}

/// The legacy `POST /api/embeddings`.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct EmbeddingsRequest {
    #[serde(default)]
    pub model: String,
    #[serde(default)]
    pub prompt: Option<String>,
    #[serde(default)]
    pub keep_alive: Option<Value>,
    #[serde(default)]
    pub options: Option<Value>,
}

/// Decodes a request body, naming the field that did not fit in the 400 message.
pub(crate) fn decode_request<T: DeserializeOwned>(body: &[u8]) -> Result<T, OllamaError> {
    let first_byte = body.iter().find(|byte| !byte.is_ascii_whitespace());
    if first_byte != Some(&b'{') {
        return Err(OllamaError::invalid("invalid request body: expected a JSON object"));
    }
    serde_json::from_slice(body).map_err(|error| OllamaError::invalid(format!("invalid request body: {error}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chat_request_reads_every_field() {
        let body = br#"{"model":"m1","messages":[{"role":"user","content":"hi"}],"stream":false,
            "format":"json","keep_alive":"5m","tools":[],"options":{"temperature":0},"think":true}"#;

        let request: ChatRequest = decode_request(body).unwrap();

        assert_eq!(request.model, "m1");
        assert_eq!(request.messages.unwrap()[0].content.as_deref(), Some("hi"));
        assert_eq!(request.stream, Some(false));
        assert_eq!(request.think, Some(Value::Bool(true)));
    }

    #[test]
    fn wrong_types_and_non_objects_are_invalid() {
        assert!(decode_request::<ChatRequest>(br#"{"model":"m1","messages":"hi"}"#).is_err());
        assert!(decode_request::<GenerateRequest>(br#"{"model":"m1","prompt":5}"#).is_err());
        assert!(decode_request::<GenerateRequest>(b"[]").is_err());
        assert!(decode_request::<GenerateRequest>(b"").is_err());
    }

    #[test]
    fn null_fields_count_as_absent() {
        let request: GenerateRequest = decode_request(br#"{"model":"m1","prompt":null,"images":null,"stream":null}"#).unwrap();
        assert_eq!(request.prompt, None);
        assert_eq!(request.stream, None);
    }
}
