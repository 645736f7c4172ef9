"""A second process on the same data folder shares the running embedded servers (`cabanas
sync` beside `make run`) instead of starting rivals that write the same files."""

from __future__ import annotations

from pathlib import Path

import redis

from entrypoints.embedded import EmbeddedRedis


def test_a_second_embedded_redis_shares_the_running_one(tmp_path: Path) -> None:
    first = EmbeddedRedis(tmp_path / "redis", persistent=False).start()
    try:
        second = EmbeddedRedis(tmp_path / "redis", persistent=False).start()
        try:
            assert second.port == first.port
            redis.Redis(port=first.port).set("k", "v")
        finally:
            second.stop()  # not its server: nothing stops (its own, had it started one)
        assert redis.Redis(port=first.port).get("k") == b"v"
    finally:
        first.stop()
    # Once stopped, the next start runs a server of its own again.
    third = EmbeddedRedis(tmp_path / "redis", persistent=False).start()
    try:
        assert redis.Redis(port=third.port).ping()
    finally:
        third.stop()
