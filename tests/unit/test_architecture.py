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


def test_the_environment_is_read_by_settings_only() -> None:
    """Every variable goes through entrypoints/settings.py, typed and named in one place: a
    stray os.environ.get elsewhere escapes the one place that reports a bad value clearly."""
    offenders = []
    for path in SRC.rglob("*.py"):
        if path == SRC / "entrypoints" / "settings.py":
            continue
        if path == SRC / "adapters" / "postgres" / "migrations" / "env.py":
            # Run by the bare `alembic upgrade head` (the cutover checklist's), which starts
            # none of our entrypoints: it reads DATABASE_URL, the one variable it needs.
            continue
        tree = ast.parse(path.read_text(), str(path))
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Attribute | ast.Name):
                continue
            name = node.attr if isinstance(node, ast.Attribute) else node.id
            if name in {"getenv", "getenvb"}:
                offenders.append(f"{path.relative_to(SRC)}:{node.lineno}")
            elif name in {"environ", "environb"}:
                parent = parents.get(node)
                writes = isinstance(parent, ast.Attribute) and parent.attr == "setdefault"
                if not writes:  # setting a default for child processes reads nothing
                    offenders.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert not offenders, offenders
