"""The sync process's /metrics server (``SYNC_METRICS_PORT``), real and on a real socket: HEAD
is answered as the web app's /metrics answers it — the GET's status and headers, no body —
where prometheus_client's own server answers 405."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from prometheus_client import CollectorRegistry, Counter

from entrypoints.cli.metrics_server import start_metrics_server
from entrypoints.embedded import free_port


@pytest.fixture
def metrics_url() -> Iterator[str]:
    registry = CollectorRegistry()
    Counter("sync_probe", "A sample to serve.", registry=registry).inc(3)
    port = free_port()
    server = start_metrics_server(port, "127.0.0.1", registry)
    try:
        yield f"http://127.0.0.1:{port}/metrics"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("encoding", ["identity", "gzip"])
def test_head_is_the_get_without_its_body(metrics_url: str, encoding: str) -> None:
    with httpx.Client(headers={"accept-encoding": encoding}, timeout=5) as client:
        get = client.get(metrics_url)
        head = client.head(metrics_url)
    assert get.status_code == head.status_code == 200
    assert "sync_probe_total 3.0" in get.text
    assert head.content == b""
    # The same headers, Content-Length (the GET body's, compressed or not) and type among them.
    assert {k: v for k, v in head.headers.items() if k != "date"} == {
        k: v for k, v in get.headers.items() if k != "date"
    }
    assert int(head.headers["content-length"]) > 0
    if encoding == "identity":
        assert int(head.headers["content-length"]) == len(get.content)
    else:
        assert head.headers["content-encoding"] == "gzip"


def test_allow_names_head_beside_get(metrics_url: str) -> None:
    refused = httpx.post(metrics_url, timeout=5)
    assert refused.status_code == 405
    assert refused.headers["allow"] == "OPTIONS,GET,HEAD"
    assert httpx.options(metrics_url, timeout=5).headers["allow"] == "OPTIONS,GET,HEAD"
