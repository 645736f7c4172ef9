"""The conversation store against the real redis-server: TTL, one session per phone across
processes, fencing of a session that outlived its lock."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from redis.asyncio import Redis

from adapters.redis.client import make_redis
from adapters.redis.conversations import RedisConversationStore, decode, encode
from application.errors import StorageUnavailable
from domain.conversation.state import ConversationState, Offer, Step
from entrypoints.embedded import EmbeddedRedis, free_port

OFFER = Offer(3, "Cabaña Familiar Los Alerces", date(2026, 12, 4), date(2026, 12, 7), 4)
STATE = ConversationState(
    step=Step.NAME,
    check_in=date(2026, 12, 4),
    nights=3,
    guests=4,
    options=(Offer(1, "Cabaña del Lago", date(2026, 12, 4), date(2026, 12, 7), 4), OFFER),
    chosen=OFFER,
    name="María José Ñúñez",
    misunderstood=1,
    media_noted_at=datetime(2026, 12, 1, 15, 0, 20, tzinfo=UTC),
)
HANDED = ConversationState(
    step=Step.HANDED_OVER,
    name="Juana Pérez",
    handed_over_until=datetime(2026, 12, 1, 17, 0, tzinfo=UTC),
    handover_noted=True,
)


@pytest.fixture
async def redis(redis_server: EmbeddedRedis) -> AsyncIterator[Redis]:
    client = make_redis(redis_server.url())
    yield client
    await client.aclose()


def phone() -> str:
    return f"549{uuid.uuid4().int % 10**10:010d}"


async def test_a_state_round_trips_and_lives_for_its_ttl(redis: Redis) -> None:
    store, who = RedisConversationStore(redis), phone()
    async with store.session(who) as session:
        assert await session.load() is None
        assert await session.save(STATE, timedelta(minutes=30))
    async with store.session(who) as session:
        assert await session.load() == STATE
    ttl_ms = await redis.pttl(f"conv:{{{who}}}")
    assert 29 * 60_000 < ttl_ms <= 30 * 60_000
    async with store.session(who) as session:
        assert await session.save(STATE, timedelta(milliseconds=150))
    await asyncio.sleep(0.3)
    async with store.session(who) as session:
        assert await session.load() is None  # expired: the conversation starts over


async def test_concurrent_updates_of_one_phone_never_clobber_each_other(redis: Redis) -> None:
    """Forty messages of one phone, handled by two "processes" at once: each load → change →
    save sees the previous one's result."""
    processes = [RedisConversationStore(redis), RedisConversationStore(redis)]
    who = phone()

    async def handle(store: RedisConversationStore) -> None:
        async with store.session(who) as session:
            state = await session.load() or ConversationState()
            await asyncio.sleep(0.001)  # the decision takes a moment: let the others try
            assert await session.save(
                replace(state, misunderstood=state.misunderstood + 1), timedelta(minutes=1)
            )

    await asyncio.gather(*(handle(processes[i % 2]) for i in range(40)))
    async with processes[0].session(who) as session:
        final = await session.load()
    assert final is not None
    assert final.misunderstood == 40


async def test_phones_do_not_wait_for_each_other(redis: Redis) -> None:
    store = RedisConversationStore(redis, wait_s=0.2)
    async with store.session(phone()), store.session(phone()):
        pass


async def test_a_session_that_outlived_its_lock_cannot_save(redis: Redis) -> None:
    store, who = RedisConversationStore(redis, lock_s=0.2), phone()
    async with store.session(who) as slow:
        await asyncio.sleep(0.3)  # stuck past the lock's expiry; another message goes ahead
        async with store.session(who) as fast:
            assert await fast.save(replace(STATE, name="Rápido"), timedelta(minutes=1))
        assert not await slow.save(replace(STATE, name="Lento"), timedelta(minutes=1))
    async with store.session(who) as session:
        saved = await session.load()
    assert saved is not None
    assert saved.name == "Rápido"


async def test_waiting_too_long_for_a_phone_is_reported_for_a_retry(redis: Redis) -> None:
    store, who = RedisConversationStore(redis, wait_s=0.1), phone()
    async with store.session(who):
        with pytest.raises(StorageUnavailable, match="still running"):
            async with store.session(who):
                pass
    async with store.session(who):  # released: the next one goes in at once
        pass


async def test_the_lock_is_released_when_the_work_fails(redis: Redis) -> None:
    store, who = RedisConversationStore(redis, wait_s=0.1), phone()
    with pytest.raises(RuntimeError):
        async with store.session(who):
            raise RuntimeError("boom")
    async with store.session(who):
        pass


async def test_an_unreadable_or_older_state_starts_over(redis: Redis) -> None:
    store, who = RedisConversationStore(redis), phone()
    await redis.set(f"conv:{{{who}}}", b'{"v": 0, "step": "idle"}')
    async with store.session(who) as session:
        assert await session.load() is None
    assert decode(b"not json") is None
    assert decode(encode(STATE).replace('"step":"name"', '"step":"dancing"')) is None
    assert decode(encode(STATE)) == STATE
    # A state saved before media_noted_at existed still reads (the field is optional).
    older = encode(replace(STATE, media_noted_at=None)).replace(',"media_noted_at":null', "")
    assert decode(older) == replace(STATE, media_noted_at=None)
    assert decode(encode(HANDED)) == HANDED
    before = '{"v":1,"step":"handed_over","check_in":null,"nights":null,"guests":null,'
    before += '"options":[],"chosen":null,"name":"Juana Pérez","code":null,"misunderstood":0}'
    assert decode(before) == replace(HANDED, handed_over_until=None, handover_noted=False)


async def test_the_bookings_listed_to_cancel_are_remembered(redis: Redis) -> None:
    """The numbers of "¿Cuál querés cancelar?" stand for these codes in the next message."""
    which = ConversationState(step=Step.CANCEL_WHICH, choices=("7K3M9QXD2F10", "ABCDEFGHJKMN"))
    store, who = RedisConversationStore(redis), phone()
    async with store.session(who) as session:
        assert await session.save(which, timedelta(minutes=30))
    async with store.session(who) as session:
        assert await session.load() == which
    assert decode(encode(STATE).replace(',"choices":[]', "")) == STATE  # saved before it existed


def test_when_the_last_message_was_sent_and_a_name_for_the_list_are_kept() -> None:
    """Out-of-order deliveries are judged against the time of the last message handled."""
    dated = replace(
        STATE,
        step=Step.CHOICE,
        name_for_choice=True,
        last_message_at=datetime(2026, 12, 1, 14, 59, 30, tzinfo=UTC),
    )
    assert decode(encode(dated)) == dated
    before = encode(STATE).replace(',"name_for_choice":false,"last_message_at":null', "")
    assert '"last_message_at"' not in before
    assert decode(before) == STATE  # a state saved before this release still reads


async def test_redis_down_is_storage_unavailable() -> None:
    client = make_redis(f"redis://127.0.0.1:{free_port()}/0")
    try:
        with pytest.raises(StorageUnavailable):
            async with RedisConversationStore(client).session(phone()):
                pass
    finally:
        await client.aclose()


async def test_ended_handovers_are_not_listed_and_are_dropped_when_one_is_added(
    redis: Redis,
) -> None:
    prefix = f"conv-{uuid.uuid4().hex[:8]}"
    store, ended, paused = RedisConversationStore(redis, prefix=prefix), phone(), phone()
    await redis.zadd(f"{prefix}:handovers", {ended: time.time() - 1})  # its pause is over
    assert await store.handovers() == []
    assert await redis.zscore(f"{prefix}:handovers", ended) is not None  # reading keeps it
    async with store.session(paused) as session:
        assert await session.save(replace(STATE, step=Step.HANDED_OVER), timedelta(minutes=30))
    assert [h.phone for h in await store.handovers()] == [paused]
    assert await redis.zscore(f"{prefix}:handovers", ended) is None
