"""How a keyed request's answer is spelled at the HTTP edge, for every POST that takes one."""

from __future__ import annotations

import msgspec

from entrypoints.http.idempotency import answer, fingerprint, remembered


class Body(msgspec.Struct):
    code: str
    amount: int = 0


def test_a_first_answer_has_its_status_and_headers_and_no_replay_mark() -> None:
    r = answer(Body("A"), replayed=False, status=201, headers={"Location": "/x"})
    assert r.status_code == 201
    assert dict(r.headers) == {"Location": "/x"}


def test_a_replayed_answer_says_so_beside_its_other_headers() -> None:
    r = answer(Body("A"), replayed=True, status=201, headers={"Location": "/x"})
    assert r.status_code == 201
    assert dict(r.headers) == {"Location": "/x", "Idempotent-Replayed": "true"}


def test_a_remembered_answer_is_decoded_from_what_the_key_kept() -> None:
    r = remembered('{"code":"B","amount":3}', Body)
    assert (r.content, r.status_code) == (Body("B", 3), 200)
    assert r.headers["Idempotent-Replayed"] == "true"


def test_the_fingerprint_is_the_bodys_and_only_the_bodys() -> None:
    assert fingerprint(Body("A", 1)) == fingerprint(Body("A", 1))
    assert fingerprint(Body("A", 1)) != fingerprint(Body("A", 2))
    assert len(fingerprint(Body("A"))) == 64
