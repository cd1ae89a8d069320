"""The README tells the truth about what exists: its threshold table and commands."""

import re
from pathlib import Path

from formcheck.cli import build_parser
from formcheck.core.settings import Settings

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def test_threshold_table_matches_the_settings():
    rows = dict(re.findall(r"^\| `(\w+)` \| ([\d.]+) \|", README, flags=re.M))
    expected = {name: default for name, default, _, _ in Settings.field_docs()}
    assert set(rows) == set(expected)
    for name, default in expected.items():
        assert float(rows[name]) == default, name


def test_every_command_named_in_the_readme_exists():
    blocks = "\n".join(re.findall(r"```bash\n(.*?)```", README, flags=re.S))
    commands = set(re.findall(r"formcheck (\w+)", blocks))
    assert {"analyze", "batch", "app", "synth", "eval", "log"} <= commands
    sub = build_parser()._subparsers._group_actions[0].choices
    assert commands <= set(sub), commands - set(sub)


def test_the_two_commands_are_there():
    assert ".venv/bin/pip install -e . && .venv/bin/formcheck analyze" in README
    assert "bash .ci/run" in README
    assert "pytest" in (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text()
