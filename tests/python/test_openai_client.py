"""The official `openai` package against llama-runner and the real model, on both API ports."""

import openai
import pytest

from conftest import MODEL_ID, SECOND_MODEL_ID


def client_for(base_url: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=base_url, api_key="unused", timeout=120, max_retries=0)


@pytest.fixture(params=["lmstudio", "ollama"])
def client(runner, request):
    if request.param == "lmstudio":
        return client_for(runner.openai_base_url)
    return client_for(f"{runner.ollama_host}/v1")


def test_models_lists_every_configured_model(client):
    ids = [model.id for model in client.models.list()]
    assert MODEL_ID in ids
    assert SECOND_MODEL_ID in ids


def test_chat_completion_returns_the_requested_model(client):
    completion = client.chat.completions.create(
        model=MODEL_ID,
        messages=[{"role": "user", "content": "Say hello."}],
        max_tokens=12,
    )
    assert completion.model == MODEL_ID
    assert completion.choices[0].message.role == "assistant"
    assert completion.usage.completion_tokens > 0


def test_streamed_chat_arrives_in_chunks(client):
    stream = client.chat.completions.create(
        model=MODEL_ID,
        messages=[{"role": "user", "content": "Count to five."}],
        max_tokens=16,
        stream=True,
    )
    chunks = list(stream)
    assert len(chunks) >= 2
    assert all(chunk.model == MODEL_ID for chunk in chunks)
    text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices)
    assert text


def test_model_id_with_slash_and_colon_routes_exactly(client):
    completion = client.chat.completions.create(
        model=SECOND_MODEL_ID,
        messages=[{"role": "user", "content": "Hi"}],
        max_tokens=4,
    )
    assert completion.model == SECOND_MODEL_ID


def test_embeddings_return_vectors(client):
    result = client.embeddings.create(model=MODEL_ID, input=["first text", "second text"])
    assert len(result.data) == 2
    assert len(result.data[0].embedding) > 0


def test_unknown_model_raises_not_found(client):
    with pytest.raises(openai.NotFoundError) as raised:
        client.chat.completions.create(model="no-such-model", messages=[{"role": "user", "content": "x"}])
    assert raised.value.status_code == 404
    assert "no-such-model" in str(raised.value)


def test_missing_model_raises_bad_request(client):
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model="", messages=[{"role": "user", "content": "x"}])


def test_responses_api_returns_output_text(runner):
    client = client_for(runner.openai_base_url)
    response = client.responses.create(model=MODEL_ID, input="Say hi.", max_output_tokens=16)
    assert response.object == "response"
    assert response.status == "completed"
    assert response.output_text is not None


def test_streamed_responses_api_completes(runner):
    client = client_for(runner.openai_base_url)
    stream = client.responses.create(model=MODEL_ID, input="Say hi.", max_output_tokens=16, stream=True)
    kinds = [event.type for event in stream]
    assert "response.output_text.delta" in kinds
    assert kinds[-1] == "response.completed"


def test_retrieve_model_by_id(client):
    for model_id in (MODEL_ID, SECOND_MODEL_ID):
        model = client.models.retrieve(model_id)
        assert model.id == model_id
        assert model.object == "model"


def test_retrieve_unknown_model_is_not_found(client):
    with pytest.raises(openai.NotFoundError):
        client.models.retrieve("no-such-model")
