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
    assert mask_name("Juana") == "Juana"


def test_a_name_is_masked_to_the_first_name_and_the_surnames_initial() -> None:
    assert mask_name("Juana Pérez") == "Juana P."
    assert mask_name("Juana María Pérez") == "Juana P."
    assert mask_name("María José O'Neill-Núñez") == "María O."
    # Emoji, digits and symbols are no words of a name (no "😀." for a surname).
    assert mask_name("Juana Pérez 😀") == "Juana P."
    assert mask_name("😀 Juana Pérez!") == "Juana P."
    assert mask_name("Juan 123") == "Juan"
