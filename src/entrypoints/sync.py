"""``python -m entrypoints.sync [--once]``: the same as ``cabanas sync`` (``entrypoints.cli.sync``),
for images and schedulers that start modules rather than console scripts."""

from __future__ import annotations

import argparse

from entrypoints.cli import main as cli_main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m entrypoints.sync")
    parser.add_argument("--once", action="store_true", help="one pass, exit 1 if any duty failed")
    args = parser.parse_args(argv)
    return cli_main(["sync", *(["--once"] if args.once else [])])


if __name__ == "__main__":
    raise SystemExit(main())
