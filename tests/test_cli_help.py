"""`--version`, and `--help` for every command showing an example."""

from __future__ import annotations

import pytest

from site_builder import __version__
from site_builder.cli import COMMANDS, main


def _output(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    with pytest.raises(SystemExit) as exit_:
        main(list(args))
    assert exit_.value.code == 0
    return capsys.readouterr().out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert _output(capsys, "--version").strip() == f"site-builder {__version__}"


def test_every_command_has_help_with_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    assert {"build", "check", "serve", "new", "deploy"} <= set(COMMANDS)
    for command in COMMANDS:
        text = _output(capsys, command, "--help")
        assert f"example: site-builder {command}" in text, command
    top = _output(capsys, "--help")
    assert "site-builder new my-explainer" in top and "site-builder deploy" in top


def test_deploy_help_names_its_options(capsys: pytest.CaptureFixture[str]) -> None:
    text = _output(capsys, "deploy", "--help")
    for option in ("--remote", "--branch", "--message", "--dry-run"):
        assert option in text
    assert "--no-strict" not in text  # publishing is always strict
