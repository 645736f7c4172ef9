"""Signature checks against the spec's test vectors (integrations.md §8)."""

from __future__ import annotations

import pytest

from adapters.mercadopago import signature as mp
from adapters.whatsapp import signature as wa

MP_SECRET = "test_webhook_secret"  # pragma: allowlist secret
TS = "1742505638683"
NOW = int(TS) / 1000 + 5


def test_whatsapp_vector() -> None:
    body = b'{"object":"whatsapp_business_account","entry":[]}'
    expected = "sha256=dec6a680679a968e7e0319355b23599cbfc54502c0784668e9618baa0c633756"
    assert wa.sign("test_app_secret", body) == expected
    assert wa.verify("test_app_secret", expected, body) is None
    assert (
        wa.verify("test_app_secret", expected.upper().replace("SHA256=", "sha256="), body) is None
    )


@pytest.mark.parametrize(
    ("secret", "header", "body", "reason"),
    [
        (None, "sha256=00", b"{}", "not configured"),
        ("", "sha256=00", b"{}", "not configured"),
        ("s", None, b"{}", "missing"),
        ("s", "md5=00", b"{}", "must start with sha256="),
        ("s", wa.sign("s", b"{}"), b"{} ", "does not match"),
        ("s", wa.sign("t", b"{}"), b"{}", "does not match"),
    ],
)
def test_whatsapp_refusals(
    secret: str | None, header: str | None, body: bytes, reason: str
) -> None:
    assert reason in str(wa.verify(secret, header, body))


def test_whatsapp_signature_is_over_raw_bytes_with_multibyte_text() -> None:
    body = '{"text":"ñandú 🏡"}'.encode()
    header = wa.sign("s", body)
    assert wa.verify("s", header, body) is None
    assert wa.verify("s", header, b'{"text":"\\u00f1and\\u00fa \\ud83c\\udfe1"}') is not None


def test_mercadopago_manifest_and_vector() -> None:
    request_id = "bb56a2f1-6aae-46ac-982e-9dcd3581d08e"
    assert mp.manifest("123456", request_id, TS) == f"id:123456;request-id:{request_id};ts:{TS};"
    # pragma: allowlist nextline secret
    v1 = "04fac5d8ec6789e8f08acb417b24f2f8d272dc592d0ae82672c580bcc013c8a7"
    assert mp.sign(MP_SECRET, mp.manifest("123456", request_id, TS)) == v1
    check = mp.verify(MP_SECRET, f"ts={TS},v1={v1}", request_id, "123456", now=NOW, tolerance_s=600)
    assert check.ok, check.reason


def test_mercadopago_alphanumeric_ids_are_lowercased() -> None:
    request_id = "2066ca19-c6f1-498a-be75-1923005edd06"
    # pragma: allowlist nextline secret
    v1 = "368e1e4f9500987564499869cc3ecb33d8a30cc01146b7a0c52cdcd675549367"
    header = f"ts={TS},v1={v1}"
    check = mp.verify(
        MP_SECRET, header, request_id, "ORD01JQ4S4KY8HWQ6NA5PXB65B3D3", now=NOW, tolerance_s=600
    )
    assert check.ok, check.reason


def test_mercadopago_absent_parts_are_left_out_of_the_manifest() -> None:
    assert mp.manifest(None, "r", "1") == "request-id:r;ts:1;"
    assert mp.manifest("9", None, "1") == "id:9;ts:1;"


@pytest.mark.parametrize(
    ("header", "data_id", "now", "reason"),
    [
        (None, "123456", NOW, "missing"),
        ("v1=abc", "123456", NOW, "ts and v1"),
        ("ts=1742505638683", "123456", NOW, "ts and v1"),
        ("ts=1742505638683,v1=00", "123456", NOW, "does not match"),
        ("VALID", "123457", NOW, "does not match"),  # signature for another payment
        ("VALID", "123456", NOW + 3600, "too old"),
        ("VALID", "123456", NOW - 3600, "too old"),  # from the future
    ],
)
def test_mercadopago_refusals(header: str | None, data_id: str, now: float, reason: str) -> None:
    request_id = "bb56a2f1-6aae-46ac-982e-9dcd3581d08e"
    if header == "VALID":
        header = f"ts={TS},v1=04fac5d8ec6789e8f08acb417b24f2f8d272dc592d0ae82672c580bcc013c8a7"
    check = mp.verify(MP_SECRET, header, request_id, data_id, now=now, tolerance_s=600)
    assert not check.ok
    assert reason in check.reason


def test_mercadopago_without_a_secret_nothing_verifies() -> None:
    check = mp.verify(None, "ts=1,v1=2", "r", "1", now=1, tolerance_s=600)
    assert not check.ok
    assert "not configured" in check.reason


def test_mercadopago_timestamps_in_seconds_or_milliseconds() -> None:
    assert mp.timestamp_seconds("1742505638683") == pytest.approx(1742505638.683)
    assert mp.timestamp_seconds("1742505638") == 1742505638.0
    assert mp.timestamp_seconds("17425x") is None
