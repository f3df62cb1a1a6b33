"""LM Studio's REST API v0 over plain HTTP against llama-runner and the real model."""

import json
import urllib.error
import urllib.parse
import urllib.request

from conftest import MODEL_ID, SECOND_MODEL_ID


def get_json(url):
    with urllib.request.urlopen(url, timeout=60) as response:
        return json.load(response)


def post_json(url, body):
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.load(response)


def test_models_list_has_lmstudio_fields(runner):
    listing = get_json(f"http://127.0.0.1:{runner.openai_port}/api/v0/models")
    models = {model["id"]: model for model in listing["data"]}
    for model_id in (MODEL_ID, SECOND_MODEL_ID):
        model = models[model_id]
        assert model["object"] == "model"
        assert model["type"] in ("llm", "vlm", "embeddings")
        assert model["compatibility_type"] == "gguf"
        assert model["arch"] == "gemma3"
        assert model["quantization"] == "Q4_K_M"
        assert model["state"] in ("loaded", "not-loaded")
        assert model["max_context_length"] > 0


def test_model_with_slash_is_reachable_percent_encoded(runner):
    encoded = urllib.parse.quote(SECOND_MODEL_ID, safe="")
    model = get_json(f"http://127.0.0.1:{runner.openai_port}/api/v0/models/{encoded}")
    assert model["id"] == SECOND_MODEL_ID


def test_unknown_model_is_a_json_404(runner):
    try:
        get_json(f"http://127.0.0.1:{runner.openai_port}/api/v0/models/no-such-model")
    except urllib.error.HTTPError as error:
        assert error.code == 404
        assert "error" in json.load(error)
    else:
        raise AssertionError("expected 404")


def test_chat_completion_adds_stats(runner):
    reply = post_json(
        f"http://127.0.0.1:{runner.openai_port}/api/v0/chat/completions",
        {"model": MODEL_ID, "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 8},
    )
    assert reply["choices"][0]["message"]["role"] == "assistant"
    assert reply["stats"]["tokens_per_second"] > 0
    assert "stop_reason" in reply["stats"]
    assert reply["model_info"]["arch"] == "gemma3"
    assert reply["runtime"]["name"]
