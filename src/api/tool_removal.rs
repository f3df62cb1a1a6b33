//! Requests to a runtime configured with `supports_tools: false` lose their tool fields, because
//! such a llama-server build rejects or misrenders them.

use bytes::Bytes;
use serde_json::Value;

/// Request fields that only make sense with tool support.
const TOOL_FIELDS: [&str; 2] = ["tools", "tool_choice"];

/// Removes `tools` and `tool_choice` from a JSON object in place; returns whether any was there.
pub(crate) fn remove_tool_fields(body: &mut Value) -> bool {
    let Some(fields) = body.as_object_mut() else {
        return false;
    };
    let mut removed = false;
    for field in TOOL_FIELDS {
        removed |= fields.remove(field).is_some();
    }
    removed
}

/// Returns `body` without its tool fields. A body that has none, or that is not a JSON object,
/// is returned byte for byte.
pub(crate) fn without_tool_fields(body: Bytes) -> Bytes {
    // A cheap scan first, so that most bodies are never decoded.
    let mentions_tools = body.windows(b"\"tool".len()).any(|window| window == b"\"tool");
    if !mentions_tools {
        return body;
    }

    let Ok(mut json) = serde_json::from_slice::<Value>(&body) else {
        return body;
    };
    if !remove_tool_fields(&mut json) {
        return body;
    }
    serde_json::to_vec(&json).map(Bytes::from).unwrap_or(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tools_and_tool_choice_are_removed() {
        let body = Bytes::from(json!({"model": "m1", "tools": [{"type": "function"}], "tool_choice": "auto"}).to_string());
        let stripped: Value = serde_json::from_slice(&without_tool_fields(body)).unwrap();
        assert_eq!(stripped, json!({"model": "m1"}));
    }

    #[test]
    fn body_without_tools_is_unchanged() {
        let body = Bytes::from_static(b"{ \"model\" : \"m1\",  \"messages\": [] }");
        assert_eq!(without_tool_fields(body.clone()), body);

        let mentions_in_text = Bytes::from_static(b"{\"model\":\"m1\",\"prompt\":\"\\\"tools\\\"\"}");
        assert_eq!(without_tool_fields(mentions_in_text.clone()), mentions_in_text);
    }
}
