"""README's "A signed WhatsApp message" (Quick start), as a developer pastes it: the API started
with the WHATSAPP_APP_SECRET the README gives takes the example — bash, openssl and curl, exactly
as printed — with 202; the same example signed with another secret gets 401."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from entrypoints.embedded import EmbeddedRedis
from tests.e2e.conftest import seed
from tests.e2e.servers import uvicorn_server

pytestmark = [
    pytest.mark.db,
    pytest.mark.skipif(
        not (shutil.which("openssl") and shutil.which("curl")),
        reason="the README's example runs openssl and curl",
    ),
]

README = Path(__file__).parents[2] / "README.md"
SECTION = "**A signed WhatsApp message.**"


def example() -> tuple[str, str]:
    """The secret `make run` is started with, and the script that signs and posts."""
    text = README.read_text()
    assert SECTION in text, "README lost its signed WhatsApp example"
    start, script = re.findall(r"```bash\n(.*?)```", text.split(SECTION, 1)[1], re.S)[:2]
    found = re.fullmatch(r"WHATSAPP_APP_SECRET=(\S+) make run\n", start)
    assert found, start
    assert f"secret={found.group(1)} " in script
    return found.group(1), script


@pytest.fixture(scope="module")
def server(pg_server: object, template_db: str, redis_server: EmbeddedRedis) -> Iterator[str]:
    from tests.conftest import fresh_database

    url = pg_server.url(fresh_database(pg_server, template_db))  # type: ignore[attr-defined]
    seed(url)
    secret, _ = example()
    env = {"DATABASE_URL": url, "REDIS_URL": redis_server.url(), "WHATSAPP_APP_SECRET": secret}
    with uvicorn_server(env) as base:
        yield base


def run(script: str, base: str) -> bytes:
    here = script.replace("localhost:8000", base.removeprefix("http://"))
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", here], capture_output=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout


def test_the_readme_example_is_accepted_as_printed(server: str) -> None:
    _, script = example()
    answer = run(script, server)
    assert answer.startswith(b"HTTP/1.1 202"), answer.decode()
    assert answer.endswith(b'{"status":"accepted","items":1}'), answer.decode()


def test_the_same_example_signed_with_another_secret_is_refused(server: str) -> None:
    secret, script = example()
    answer = run(script.replace(f"secret={secret} ", "secret=otro-secreto-cualquiera "), server)
    assert answer.startswith(b"HTTP/1.1 401"), answer.decode()
