"""The Alembic migrations (this directory is Alembic's script location: env.py, versions/) and
where the schema stands compared with them.

They live inside the package so that an installed wheel carries them: the image installs the
project as a wheel, and nothing outside site-packages is there to be found.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.ext.asyncio import AsyncEngine

SCRIPT_LOCATION = Path(__file__).resolve().parent


async def current_revisions(engine: AsyncEngine) -> set[str]:
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(text("SELECT version_num FROM alembic_version"))
            return {r[0] for r in rows}
    except ProgrammingError:  # no alembic_version table: never migrated
        return set()
