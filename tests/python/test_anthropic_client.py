"""The official `anthropic` package against llama-server's Messages API through llama-runner."""

import anthropic
import pytest

from conftest import MODEL_ID


@pytest.fixture
def client(runner):
    return anthropic.Anthropic(base_url=f"http://127.0.0.1:{runner.openai_port}", api_key="unused", max_retries=0)


def test_message_returns_text(client):
    message = client.messages.create(
        model=MODEL_ID,
        max_tokens=16,
        messages=[{"role": "user", "content": "Say hello."}],
    )
    assert message.type == "message"
    assert message.role == "assistant"
    assert message.content[0].type == "text"
    assert message.usage.input_tokens > 0
    assert message.usage.output_tokens > 0


def test_streamed_message_ends_with_message_stop(client):
    events = []
    with client.messages.stream(
        model=MODEL_ID,
        max_tokens=16,
        messages=[{"role": "user", "content": "Count to three."}],
    ) as stream:
        for event in stream:
            events.append(event)
    kinds = [event.type for event in events]
    assert kinds[0] == "message_start"
    assert "content_block_delta" in kinds
    assert kinds[-1] == "message_stop"
    text = "".join(event.delta.text for event in events if event.type == "content_block_delta" and event.delta.type == "text_delta")
    assert text


def test_count_tokens(client):
    count = client.messages.count_tokens(model=MODEL_ID, messages=[{"role": "user", "content": "Hello there"}])
    assert count.input_tokens > 0


def test_unknown_model_is_not_found(client):
    with pytest.raises(anthropic.NotFoundError) as raised:
        client.messages.create(model="no-such-model", max_tokens=4, messages=[{"role": "user", "content": "x"}])
    assert raised.value.status_code == 404
