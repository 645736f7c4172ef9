"""The operator's command line: a bad environment never hides the help, and the command that
needs the settings says which variable is wrong and what it holds."""

from __future__ import annotations

import subprocess
import sys

import pytest

from entrypoints.cli import main

SUBCOMMANDS = [
    ["run"],
    ["migrate"],
    ["seed"],
    ["sync"],
    ["config", "check"],
    ["admin", "token"],
    ["backup"],
    ["restore"],
    ["preflight"],
]


@pytest.mark.parametrize("words", [[], *SUBCOMMANDS], ids=lambda w: " ".join(w) or "cabanas")
def test_help_works_whatever_the_environment_holds(
    words: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BACKUP_KEEP", "seven")
    with pytest.raises(SystemExit) as exited:
        main([*words, "--help"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.startswith(f"usage: cabanas {' '.join(words)}".rstrip())


def test_the_command_names_the_bad_variable_and_its_value(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BACKUP_KEEP", "seven")
    assert main(["config", "check"]) == 2
    assert capsys.readouterr().err == (
        "cabanas: invalid setting BACKUP_KEEP='seven': Expected `int`, got `str`\n"
    )


def test_the_installed_command_shows_its_help_with_a_bad_environment() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "entrypoints.cli", "backup", "--help"],
        env={"BACKUP_KEEP": "seven", "PATH": ""},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "--keep KEEP" in result.stdout


def test_preflight_takes_its_token_from_admin_token(monkeypatch: pytest.MonkeyPatch) -> None:
    from entrypoints.cli import preflight

    seen: list[str | None] = []

    def run(url: str, *, token: str | None, **_: object) -> list[object]:
        seen.append(token)
        return []

    monkeypatch.setattr(preflight, "run", run)
    monkeypatch.setattr(preflight, "render", lambda items, as_json: "")
    monkeypatch.setenv("ADMIN_TOKEN", "from-the-environment")
    monkeypatch.setenv("BACKUP_KEEP", "seven")  # not preflight's concern
    main(["preflight", "http://127.0.0.1:9"])
    main(["preflight", "http://127.0.0.1:9", "--token", "given"])
    assert seen == ["from-the-environment", "given"]
