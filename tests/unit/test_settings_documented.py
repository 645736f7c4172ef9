"""Every environment variable the code reads through its settings is in the README's
Configuration section: an operator finds each one there, with its default."""

from __future__ import annotations

from pathlib import Path

import pytest

from entrypoints.settings import OperatorSettings, Settings


@pytest.mark.parametrize(
    "name",
    sorted(
        {f.upper() for f in Settings.__struct_fields__}
        | {f.upper() for f in OperatorSettings.__struct_fields__}
        | {"PROMETHEUS_MULTIPROC_DIR"}  # read by prometheus_client itself
    ),
)
def test_the_variable_is_in_the_readme_configuration(project_root: Path, name: str) -> None:
    readme = (project_root / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Configuration") : readme.index("## Operations")]
    assert f"`{name}`" in section
