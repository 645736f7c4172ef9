from __future__ import annotations

import logging


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    # SQLAlchemy's engine logger would print statements; keep it quiet whatever the level.
    logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
