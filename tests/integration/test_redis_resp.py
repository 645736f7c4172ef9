"""The lean pipelined Redis client (adapters.redis.resp) against the real redis-server."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError

from adapters.redis.client import make_redis
from adapters.redis.resp import RespPipe
from entrypoints.embedded import EmbeddedRedis


async def test_concurrent_commands_share_one_connection_and_get_their_own_replies(
    pipe: RespPipe, redis_server: EmbeddedRedis
) -> None:
    key = f"t:{uuid.uuid4()}"
    name = f"pipe-{uuid.uuid4().hex[:8]}"
    await pipe.call("CLIENT", "SETNAME", name)
    own_id = await pipe.call("CLIENT", "ID")
    counts = await asyncio.gather(*(pipe.call("INCR", key) for _ in range(300)))
    assert sorted(counts) == list(range(1, 301))
    # Replies of every kind, interleaved, each to its own caller; bulk strings are binary-safe.
    payload = b"a\r\nb\x00c" * 1000
    replies = await asyncio.gather(
        pipe.call("SET", key + ":p", payload),
        pipe.call("GET", key + ":p"),
        pipe.call("MGET", key, key + ":missing"),
        pipe.call("GET", key + ":missing"),
        pipe.call("PING"),
    )
    assert replies == [b"OK", payload, [b"300", None], None, b"PONG"]
    clients = make_redis(redis_server.url())
    try:
        listing = (await clients.execute_command("CLIENT", "LIST")).decode()
    finally:
        await clients.aclose()
    assert listing.count(f"name={name} ") == 1  # one connection carried all 305 commands
    assert await pipe.call("CLIENT", "ID") == own_id


async def test_commands_asked_in_one_loop_turn_leave_in_one_write(pipe: RespPipe) -> None:
    key = f"t:{uuid.uuid4()}"
    await pipe.call("PING")  # connected
    proto = pipe._proto
    assert proto is not None
    transport = proto._transport
    writes: list[bytes] = []
    write = transport.write

    def counted(data: bytes) -> None:
        writes.append(data)
        write(data)

    transport.write = counted
    try:
        counts = await asyncio.gather(*(pipe.call("INCR", key) for _ in range(20)))
        assert sorted(counts) == list(range(1, 21))
        assert len(writes) == 1  # twenty requests' commands, one system call
        assert await pipe.call("GET", key) == b"20"
        assert len(writes) == 2
    finally:
        transport.write = write


async def test_an_error_reply_is_raised_to_its_caller_only(pipe: RespPipe) -> None:
    key = f"t:{uuid.uuid4()}"
    await pipe.call("SET", key, "not a number")
    bad, good = await asyncio.gather(
        pipe.call("INCR", key), pipe.call("ECHO", "still in step"), return_exceptions=True
    )
    assert isinstance(bad, ResponseError)
    assert "not an integer" in str(bad)
    assert good == b"still in step"


async def test_a_script_is_loaded_the_first_time_and_run_by_sha_after(pipe: RespPipe) -> None:
    await pipe.call("SCRIPT", "FLUSH")
    script = "return redis.call('INCRBY', KEYS[1], ARGV[1])"
    key = f"t:{uuid.uuid4()}"
    assert await pipe.eval_script(script, [key], [5]) == 5  # NOSCRIPT → EVAL
    assert await pipe.eval_script(script, [key], [2]) == 7  # EVALSHA
    assert await pipe.call("SCRIPT", "EXISTS", "0" * 40) == [0]


async def test_password_and_database_from_the_url(tmp_path: Path) -> None:
    server = EmbeddedRedis(tmp_path / "r", persistent=False).start()
    admin = make_redis(server.url())
    try:
        await admin.config_set("requirepass", "s3cret-word")  # pragma: allowlist secret
        url = f"redis://:s3cret-word@127.0.0.1:{server.port}/3"  # pragma: allowlist secret
        pipe = RespPipe(url)
        await pipe.call("SET", "where", "db3")
        await pipe.aclose()
        check = Redis.from_url(url)
        assert await check.get("where") == b"db3"
        await check.aclose()
        wrong = RespPipe(f"redis://:nope@127.0.0.1:{server.port}/0")
        with pytest.raises(ResponseError):
            await wrong.call("PING")
        await wrong.aclose()
    finally:
        await admin.aclose()
        server.stop()


async def test_a_dropped_connection_is_replaced(
    pipe: RespPipe, redis_server: EmbeddedRedis
) -> None:
    own_id = await pipe.call("CLIENT", "ID")
    admin = make_redis(redis_server.url())
    try:
        assert await admin.execute_command("CLIENT", "KILL", "ID", own_id) == 1
    finally:
        await admin.aclose()
    outcomes = []
    for _ in range(3):
        try:
            outcomes.append(await pipe.call("PING"))
        except RedisConnectionError as exc:
            outcomes.append(exc)
        if outcomes[-1] == b"PONG":
            break
    assert outcomes[-1] == b"PONG"  # at most the call that met the dead socket failed
    assert await pipe.call("CLIENT", "ID") != own_id


async def test_an_unreachable_server_fails_fast_and_is_retried_later() -> None:
    pipe = RespPipe("redis://127.0.0.1:1/0", retry_after_s=0.3)
    with pytest.raises(ConnectionRefusedError):
        await pipe.call("PING")
    with pytest.raises(RedisConnectionError, match="a moment ago"):
        await pipe.call("PING")  # no new connect attempt inside retry_after_s
    await asyncio.sleep(0.35)
    with pytest.raises(ConnectionRefusedError):
        await pipe.call("PING")  # tried again
    await pipe.aclose()


async def test_a_server_that_stops_answering_costs_a_timeout_and_a_new_connection() -> None:
    accepted: list[asyncio.StreamWriter] = []

    async def mute(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(writer)  # reads nothing, answers nothing

    server = await asyncio.start_server(mute, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    pipe = RespPipe(f"redis://127.0.0.1:{port}/0", timeout_s=0.2, retry_after_s=0.3)
    try:
        with pytest.raises(TimeoutError):
            await pipe.call("PING")
        started = asyncio.get_running_loop().time()
        with pytest.raises(RedisConnectionError, match="a moment ago"):
            await pipe.call("PING")  # the requests right after fail fast, not after 0.2 s each
        assert asyncio.get_running_loop().time() - started < 0.1
        await asyncio.sleep(0.35)
        with pytest.raises(TimeoutError):
            await pipe.call("PING")
        assert len(accepted) == 2  # the stuck connection was dropped, not queued behind
    finally:
        await pipe.aclose()
        server.close()
        for writer in accepted:
            writer.close()


async def test_commands_answered_in_time_never_trip_the_connections_timeout(
    redis_server: EmbeddedRedis,
) -> None:
    """One timer watches the oldest command in flight: a connection kept busy for several
    timeouts' length, every command answered, keeps its connection and loses nothing."""
    pipe = RespPipe(redis_server.url(), timeout_s=0.05)
    loop = asyncio.get_running_loop()
    try:
        await pipe.call("PING")
        first = pipe._proto
        until = loop.time() + 0.3
        answered = 0
        while loop.time() < until:
            replies = await asyncio.gather(*(pipe.call("PING") for _ in range(5)))
            assert replies == [b"PONG"] * 5
            answered += 5
            await asyncio.sleep(0.01)
        assert answered >= 15
        assert pipe._proto is first
        assert not first.lost
    finally:
        await pipe.aclose()


async def test_commands_behind_an_unanswered_one_fail_with_it() -> None:
    accepted: list[asyncio.StreamWriter] = []

    async def mute(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(writer)

    server = await asyncio.start_server(mute, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    pipe = RespPipe(f"redis://127.0.0.1:{port}/0", timeout_s=0.1, retry_after_s=0.3)
    try:
        first, second = await asyncio.gather(
            pipe.call("PING"), pipe.call("PING"), return_exceptions=True
        )
        assert isinstance(first, TimeoutError)
        assert isinstance(second, RedisConnectionError | TimeoutError)
    finally:
        await pipe.aclose()
        server.close()
        for writer in accepted:
            writer.close()
