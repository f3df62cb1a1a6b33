"""The official `ollama` package against llama-runner's Ollama API and the real model."""

import time

import ollama
import pytest

from conftest import MODEL_ID, SECOND_MODEL_ID


@pytest.fixture
def client(runner):
    return ollama.Client(host=runner.ollama_host, timeout=120)


def loaded_names(client):
    return [model.model for model in client.ps().models]


def test_list_shows_every_configured_model(client):
    models = {model.model: model for model in client.list().models}
    assert MODEL_ID in models
    assert SECOND_MODEL_ID in models
    details = models[MODEL_ID].details
    assert details.format == "gguf"
    assert details.family == "gemma3"
    assert details.quantization_level == "Q4_K_M"
    assert models[MODEL_ID].size > 0
    assert len(models[MODEL_ID].digest) == 64


def test_show_reports_capabilities_and_model_info(client):
    shown = client.show(SECOND_MODEL_ID)
    assert shown.capabilities == ["completion"]
    assert shown.modelinfo["general.architecture"] == "gemma3"
    assert shown.modelinfo["gemma3.context_length"] == 2048
    assert shown.details.family == "gemma3"


def test_show_of_an_embedding_server_reports_embedding(client):
    shown = client.show(MODEL_ID)
    assert shown.capabilities == ["embedding"]


def test_show_unknown_model_is_not_found(client):
    with pytest.raises(ollama.ResponseError) as raised:
        client.show("no-such-model")
    assert raised.value.status_code == 404


def test_chat_without_streaming(client):
    reply = client.chat(model=MODEL_ID, messages=[{"role": "user", "content": "Say hi."}], options={"num_predict": 12})
    assert reply.done
    assert reply.message.role == "assistant"
    assert reply.done_reason in ("stop", "length")
    assert reply.eval_count > 0
    assert reply.prompt_eval_count > 0
    assert reply.eval_duration > 0


def test_chat_streams_ndjson_chunks(client):
    chunks = list(
        client.chat(
            model=MODEL_ID,
            messages=[{"role": "user", "content": "Count to five."}],
            stream=True,
            options={"num_predict": 16},
        )
    )
    assert len(chunks) >= 2
    assert all(chunk.model == MODEL_ID for chunk in chunks)
    assert not any(chunk.done for chunk in chunks[:-1])
    assert chunks[-1].done
    assert chunks[-1].total_duration > 0
    assert "".join(chunk.message.content for chunk in chunks)


def test_generate_completes_a_prompt(client):
    reply = client.generate(model=MODEL_ID, prompt="The sky is", options={"num_predict": 8})
    assert reply.done
    assert reply.response


def test_latest_tag_resolves_to_the_id(client):
    reply = client.generate(model=f"{MODEL_ID}:latest", prompt="Hi", options={"num_predict": 2})
    assert reply.done


def test_embed_returns_one_vector_per_input(client):
    result = client.embed(model=MODEL_ID, input=["first", "second"])
    assert len(result.embeddings) == 2
    assert len(result.embeddings[0]) > 0


def test_keep_alive_zero_unloads_and_empty_prompt_loads(client):
    loaded = client.generate(model=SECOND_MODEL_ID, prompt="")
    assert loaded.done_reason == "load"
    assert SECOND_MODEL_ID in loaded_names(client)

    unloaded = client.generate(model=SECOND_MODEL_ID, prompt="", keep_alive=0)
    assert unloaded.done_reason == "unload"
    deadline = time.monotonic() + 15
    while SECOND_MODEL_ID in loaded_names(client) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert SECOND_MODEL_ID not in loaded_names(client)


def test_invalid_keep_alive_is_a_bad_request(client):
    with pytest.raises(ollama.ResponseError) as raised:
        client.generate(model=MODEL_ID, prompt="Hi", keep_alive="abc")
    assert raised.value.status_code == 400
