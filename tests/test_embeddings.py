"""The three embedders: unit float32 vectors of the right size; the endpoint over real HTTP."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import numpy as np
import pytest

from vectorstore.embeddings import EndpointEmbedder, load_embedder
from vectorstore.errors import EmbedderError


def test_fast_embedder_returns_unit_256d_float32_vectors() -> None:
    embedder = load_embedder("fast")
    vectors = embedder.embed_passages(["Police stops in Ferguson", "Use of force by officers"])
    assert embedder.name == "fast"
    assert vectors.shape == (2, embedder.dim) == (2, 256)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    query = embedder.embed_query("traffic stops")
    assert query.shape == (256,)
    assert abs(float(np.linalg.norm(query)) - 1.0) < 1e-5


@pytest.mark.integration
def test_e5_embedder_is_cross_lingual() -> None:
    embedder = load_embedder("e5")
    passages = embedder.embed_passages(
        [
            "Les policiers doivent respecter la dignité des personnes interpellées.",
            "The recipe needs two cups of flour and an egg.",
        ]
    )
    assert passages.shape == (2, 384)
    np.testing.assert_allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-5)
    query = embedder.embed_query("police officers must respect the dignity of people arrested")
    similarities = passages @ query
    assert similarities[0] > similarities[1]


def test_empty_input_gives_an_empty_matrix() -> None:
    assert load_embedder("fast").embed_passages([]).shape == (0, 256)


def test_unknown_embedder_name_is_a_clear_error() -> None:
    with pytest.raises(EmbedderError, match="e5, fast, endpoint"):
        load_embedder("bert")


class _EmbeddingServer(BaseHTTPRequestHandler):
    """An OpenAI-compatible /v1/embeddings server: 3-d vectors from the text length."""

    requests: ClassVar[list[dict]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append({"path": self.path, "body": body})
        if self.path != "/v1/embeddings":
            self.send_response(404)
            self.end_headers()
            return
        data = [
            {"object": "embedding", "index": i, "embedding": [len(text), 1.0, 0.0]}
            for i, text in enumerate(body["input"])
        ]
        payload = json.dumps({"object": "list", "data": data[::-1], "model": body.get("model")})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(payload.encode())

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def embedding_server() -> Iterator[str]:
    _EmbeddingServer.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _EmbeddingServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_endpoint_embedder_posts_to_v1_embeddings_and_normalises(embedding_server: str) -> None:
    embedder = load_embedder("endpoint", url=embedding_server, model="e5-large")
    vectors = embedder.embed_passages(["abc", "abcdef"])
    assert embedder.name == "endpoint:e5-large"
    assert embedder.dim == 3
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-6)
    # Rows come back in input order even though the server answered in reverse.
    assert vectors[1][0] > vectors[0][0]
    request = _EmbeddingServer.requests[0]
    assert request["path"] == "/v1/embeddings"
    assert request["body"] == {"input": ["abc", "abcdef"], "model": "e5-large"}


def test_endpoint_url_ending_in_v1_is_not_doubled(embedding_server: str) -> None:
    embedder = EndpointEmbedder(embedding_server + "/v1/")
    assert embedder.embed_query("x").shape == (3,)
    assert _EmbeddingServer.requests[-1]["path"] == "/v1/embeddings"


def test_endpoint_wrong_dimension_names_the_setting(embedding_server: str) -> None:
    embedder = load_embedder("endpoint", url=embedding_server, dim=768)
    with pytest.raises(EmbedderError, match="SUBMISSIONS_EMBEDDING_DIM"):
        embedder.embed_query("x")


def test_endpoint_down_is_an_embedder_error_naming_the_url() -> None:
    embedder = load_embedder("endpoint", url="http://127.0.0.1:9")
    with pytest.raises(EmbedderError, match=r"127\.0\.0\.1:9/v1/embeddings"):
        embedder.embed_query("x")


def test_endpoint_without_url_says_which_setting_to_set() -> None:
    with pytest.raises(EmbedderError, match="SUBMISSIONS_EMBEDDING_URL"):
        load_embedder("endpoint")
