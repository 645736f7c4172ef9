"""WhatsApp conversation state in Redis: one JSON value per phone with a TTL, and a per-phone
lock so that one load → decide → save runs at a time across every process.

The lock is ``SET NX PX`` with a random token (a crashed holder frees it by expiry); a save
is written only while that token still holds the lock (compare-and-set in one script), and
the lock is released only by its holder (compare-and-delete). Both keys share a hash tag, so
they live on one slot in a Redis Cluster too.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

from redis.asyncio import Redis
from redis.commands.core import AsyncScript
from redis.exceptions import RedisError

from adapters.redis.lock import RELEASE_IF_OWNER
from application.errors import StorageUnavailable
from application.ports.conversations import Handover
from domain.conversation.state import ConversationState, Offer, Step
from domain.errors import InvalidValue

log = logging.getLogger("cabanas.conversations")

FORMAT_VERSION = 1
LOCK_SECONDS = 30.0  # far above one message's work (a few queries); bounds a crashed holder
WAIT_SECONDS = 10.0  # then the delivery is left for the worker to retry
_POLL_SECONDS = 0.02

_SAVE = """
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
"""


class RedisConversationStore:
    def __init__(
        self,
        client: Redis,
        *,
        prefix: str = "conv",
        lock_s: float = LOCK_SECONDS,
        wait_s: float = WAIT_SECONDS,
    ) -> None:
        self._client = client
        self._prefix = prefix
        self._lock_ms = int(lock_s * 1000)
        self._wait_s = wait_s
        self._save = client.register_script(_SAVE)
        self._release = client.register_script(RELEASE_IF_OWNER)

    @property
    def _handovers_key(self) -> str:
        return f"{self._prefix}:handovers"

    async def handovers(self) -> list[Handover]:
        now = time.time()
        try:
            rows = await self._client.zrangebyscore(
                self._handovers_key, now, "+inf", withscores=True
            )
        except (RedisError, OSError) as exc:
            raise StorageUnavailable("the conversation store is unavailable") from exc
        handovers = []
        for row in rows:
            phone, score = row[0], float(row[1])
            name = phone.decode() if isinstance(phone, bytes) else str(phone)
            handovers.append(Handover(name, datetime.fromtimestamp(score, UTC)))
        return handovers

    async def resume(self, phone: str) -> bool:
        try:
            removed = await self._client.zrem(self._handovers_key, phone)
            await self._client.delete(f"{self._prefix}:{{{phone}}}")
        except (RedisError, OSError) as exc:
            raise StorageUnavailable("the conversation store is unavailable") from exc
        return bool(removed)

    @asynccontextmanager
    async def session(self, phone: str) -> AsyncIterator[RedisConversationSession]:
        state_key = f"{self._prefix}:{{{phone}}}"
        lock_key = f"{state_key}:lock"
        token = secrets.token_hex(16)
        try:
            await self._acquire(lock_key, token)
        except (RedisError, OSError) as exc:
            raise StorageUnavailable("the conversation store is unavailable") from exc
        try:
            yield RedisConversationSession(
                self._client,
                self._save,
                state_key,
                lock_key,
                token,
                handovers_key=self._handovers_key,
                phone=phone,
            )
        finally:
            try:
                await self._release(keys=[lock_key], args=[token])
            except (RedisError, OSError):
                log.warning("conversation_lock_not_released")  # it expires by itself

    async def _acquire(self, lock_key: str, token: str) -> None:
        deadline = time.monotonic() + self._wait_s
        while not await self._client.set(lock_key, token, nx=True, px=self._lock_ms):
            if time.monotonic() >= deadline:
                raise StorageUnavailable("another message of this conversation is still running")
            await asyncio.sleep(_POLL_SECONDS)


class RedisConversationSession:
    def __init__(
        self,
        client: Redis,
        save: AsyncScript,
        state_key: str,
        lock_key: str,
        token: str,
        *,
        handovers_key: str,
        phone: str,
    ) -> None:
        self._handovers_key = handovers_key
        self._phone = phone
        self._client = client
        self._save = save
        self._state_key = state_key
        self._lock_key = lock_key
        self._token = token

    async def load(self) -> ConversationState | None:
        try:
            raw = await self._client.get(self._state_key)
        except (RedisError, OSError) as exc:
            raise StorageUnavailable("the conversation store is unavailable") from exc
        return None if raw is None else decode(raw)

    async def save(self, state: ConversationState, ttl: timedelta) -> bool:
        ttl_ms = max(1, int(ttl.total_seconds() * 1000))
        try:
            written = await self._save(
                keys=[self._state_key, self._lock_key], args=[self._token, encode(state), ttl_ms]
            )
            if written:
                # The owner's list of handed-over conversations (scored by when the pause
                # ends); advisory, so written after the state rather than in its script.
                if state.step is Step.HANDED_OVER:
                    now = time.time()
                    # Ended pauses are dropped here, where the list grows, not on every read.
                    await self._client.zremrangebyscore(self._handovers_key, "-inf", now)
                    until = now + ttl.total_seconds()
                    await self._client.zadd(self._handovers_key, {self._phone: until})
                else:
                    await self._client.zrem(self._handovers_key, self._phone)
        except (RedisError, OSError) as exc:
            raise StorageUnavailable("the conversation store is unavailable") from exc
        return bool(written)


def encode(state: ConversationState) -> str:
    return json.dumps(
        {
            "v": FORMAT_VERSION,
            "step": state.step.value,
            "check_in": _day(state.check_in),
            "nights": state.nights,
            "guests": state.guests,
            "options": [_offer(o) for o in state.options],
            "chosen": _offer(state.chosen) if state.chosen else None,
            "name": state.name,
            "code": state.code,
            "choices": list(state.choices),
            "name_for_choice": state.name_for_choice,
            "last_message_at": _instant(state.last_message_at),
            "misunderstood": state.misunderstood,
            "media_noted_at": _instant(state.media_noted_at),
            "handed_over_until": _instant(state.handed_over_until),
            "handover_noted": state.handover_noted,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def decode(raw: bytes | str) -> ConversationState | None:
    """None for anything this version cannot read: the conversation then starts over."""
    try:
        data = json.loads(raw)
        if data.get("v") != FORMAT_VERSION:
            return None
        return ConversationState(
            step=Step(data["step"]),
            check_in=date.fromisoformat(data["check_in"]) if data["check_in"] else None,
            nights=_int(data["nights"]),
            guests=_int(data["guests"]),
            options=tuple(_offer_from(o) for o in data["options"]),
            chosen=_offer_from(data["chosen"]) if data["chosen"] else None,
            name=str(data["name"]) if data["name"] else None,
            code=str(data["code"]) if data["code"] else None,
            misunderstood=int(data["misunderstood"]),
            # Added since FORMAT_VERSION 1 was written: optional.
            media_noted_at=_instant_from(data.get("media_noted_at")),
            handed_over_until=_instant_from(data.get("handed_over_until")),
            handover_noted=bool(data.get("handover_noted", False)),
            choices=tuple(str(code) for code in data.get("choices") or ()),
            name_for_choice=bool(data.get("name_for_choice", False)),
            last_message_at=_instant_from(data.get("last_message_at")),
        )
    except (ValueError, KeyError, TypeError, AttributeError, InvalidValue):
        log.warning("conversation_state_unreadable")
        return None


def _day(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _instant(at: datetime | None) -> str | None:
    return at.isoformat() if at else None


def _instant_from(value: Any) -> datetime | None:
    if value is None:
        return None
    at = datetime.fromisoformat(str(value))
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _offer(offer: Offer) -> dict[str, Any]:
    return {
        "accommodation_id": offer.accommodation_id,
        "name": offer.name,
        "check_in": offer.check_in.isoformat(),
        "check_out": offer.check_out.isoformat(),
        "guests": offer.guests,
    }


def _offer_from(data: dict[str, Any]) -> Offer:
    return Offer(
        accommodation_id=int(data["accommodation_id"]),
        name=str(data["name"]),
        check_in=date.fromisoformat(data["check_in"]),
        check_out=date.fromisoformat(data["check_out"]),
        guests=int(data["guests"]),
    )
