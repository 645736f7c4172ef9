from entrypoints.http.masking import mask_email, mask_name, mask_phone


def test_phone_keeps_prefix_and_last_two_digits() -> None:
    masked = mask_phone("+5491155551234")
    assert masked.startswith("+549")
    assert masked.endswith("34")
    assert "5555" not in masked
    assert len(masked) == len("+5491155551234")


def test_email_and_name() -> None:
    assert mask_email("juana@example.com") == "j***@example.com"
    assert mask_email(None) is None
    assert mask_name("Juana María Pérez") == "Juana M. P."
    assert mask_name("Juana") == "Juana"
