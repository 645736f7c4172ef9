"""The dependency rule, checked on the source itself (import-linter checks it in CI too;
this also catches any third-party import that the linter's forbidden list does not name)."""

import ast
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"


def _imports(package: str) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for path in (SRC / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                found |= {(n.name.split(".")[0], str(path)) for n in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add((node.module.split(".")[0], str(path)))
    return found


@pytest.mark.parametrize(
    ("package", "allowed_local"),
    [("domain", {"domain"}), ("application", {"application", "domain"})],
)
def test_inner_layers_import_only_the_standard_library_and_inner_layers(
    package: str, allowed_local: set[str]
) -> None:
    offenders = {
        (module, path)
        for module, path in _imports(package)
        if module not in sys.stdlib_module_names
        and module not in allowed_local
        and module != "__future__"
    }
    assert not offenders, f"{package} reaches outward: {sorted(offenders)}"


def test_nothing_imports_entrypoints() -> None:
    for package in ("domain", "application", "adapters"):
        assert not {m for m, _ in _imports(package) if m == "entrypoints"}
