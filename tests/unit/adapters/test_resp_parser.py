"""The RESP reader of adapters.redis.resp, fed the way a socket feeds it: in arbitrary pieces."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from redis.exceptions import RedisError, ResponseError

from adapters.redis.resp import NoScript, _Protocol, encode, parse

STREAM = (
    b"+OK\r\n"
    b":42\r\n"
    b"$5\r\nhe\r\nl\r\n"
    b"$-1\r\n"
    b"*3\r\n:1\r\n$0\r\n\r\n*1\r\n+x\r\n"
    b"-ERR wrong type\r\n"
    b"-NOSCRIPT No matching script\r\n"
    b"*-1\r\n"
)
EXPECTED: list[Any] = [b"OK", 42, b"he\r\nl", None, [1, b"", [b"x"]], ResponseError, NoScript, None]


class _Transport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.written = b""
        self.closed = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.written += bytes(data)

    def close(self) -> None:
        self.closed = True


def test_commands_are_encoded_as_bulk_string_arrays() -> None:
    assert encode(("EVALSHA", "ab", 1, b"k\r\n", 7)) == (
        b"*5\r\n$7\r\nEVALSHA\r\n$2\r\nab\r\n$1\r\n1\r\n$3\r\nk\r\n\r\n$1\r\n7\r\n"
    )


def test_an_incomplete_reply_is_not_a_reply() -> None:
    for cut in range(len(b"*2\r\n$3\r\nabc\r\n:5\r\n")):
        assert parse(b"*2\r\n$3\r\nabc\r\n:5\r\n"[:cut]) is None
    assert parse(b"*2\r\n$3\r\nabc\r\n:5\r\n") == ([b"abc", 5], 17)
    with pytest.raises(RedisError):
        parse(b"?what\r\n")


@pytest.mark.parametrize("piece", [1, 2, 3, 7, len(STREAM)])
async def test_replies_in_any_pieces_reach_their_callers_in_order(piece: int) -> None:
    proto = _Protocol()
    proto.connection_made(_Transport())
    futures = [proto.send(b"cmd") for _ in EXPECTED]
    for start in range(0, len(STREAM), piece):
        proto.data_received(STREAM[start : start + piece])
    for future, expected in zip(futures, EXPECTED, strict=True):
        if isinstance(expected, type):
            assert isinstance(future.exception(), expected)
        else:
            assert future.result() == expected


async def test_a_caller_that_gave_up_does_not_shift_the_others() -> None:
    proto = _Protocol()
    proto.connection_made(_Transport())
    first, second = proto.send(b"a"), proto.send(b"b")
    first.cancel()  # its timeout fired; its reply still comes and is dropped
    proto.data_received(b":1\r\n:2\r\n")
    assert second.result() == 2


async def test_a_lost_connection_fails_everyone_waiting_and_refuses_new_commands() -> None:
    proto = _Protocol()
    proto.connection_made(_Transport())
    waiting = proto.send(b"a")
    proto.connection_lost(ConnectionResetError())
    with pytest.raises(RedisError, match="lost"):
        waiting.result()
    with pytest.raises(RedisError, match="closed"):
        proto.send(b"b")


async def test_a_garbled_stream_closes_the_connection() -> None:
    proto = _Protocol()
    transport = _Transport()
    proto.connection_made(transport)
    waiting = proto.send(b"a")
    proto.data_received(b"?garbage\r\n")
    assert transport.closed
    with pytest.raises(RedisError, match="unreadable"):
        waiting.result()


def test_tls_settings_follow_redis_py_url_options() -> None:
    import ssl

    from redis.asyncio.connection import parse_url

    from adapters.redis.resp import RespPipe, tls_context

    strict = tls_context(dict(parse_url("rediss://h.example:6380/0")))
    assert (strict.verify_mode, strict.check_hostname) == (ssl.CERT_REQUIRED, True)
    lax = tls_context(dict(parse_url("rediss://h.example/0?ssl_cert_reqs=none")))
    assert (lax.verify_mode, lax.check_hostname) == (ssl.CERT_NONE, False)
    no_name = tls_context(dict(parse_url("rediss://h/0?ssl_check_hostname=false")))
    assert (no_name.verify_mode, no_name.check_hostname) == (ssl.CERT_REQUIRED, False)
    pipe = RespPipe("rediss://default:p%40ss@h.example:6380?db=4")  # pragma: allowlist secret
    assert (pipe._host, pipe._port, pipe._db, pipe._username, pipe._password) == (
        "h.example",
        6380,
        4,
        "default",
        "p@ss",  # pragma: allowlist secret
    )
    assert pipe._ssl is not None
    assert RespPipe("redis://127.0.0.1/2")._ssl is None
    with pytest.raises(ValueError, match="TCP"):
        RespPipe("unix:///tmp/redis.sock")
