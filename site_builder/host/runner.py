"""Drive one MkDocs build and turn everything it reports into positioned errors and warnings.

MkDocs reports config problems and its own warnings as log lines without positions; these are
located in mkdocs.yml where the line names a key or a quoted value found there.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, ConfigurationError

from site_builder.content.data import read_text
from site_builder.content.yaml_source import check_nodes
from site_builder.errors import SourcePosition, UserError, WarningCode, in_report_order, make_warning
from site_builder.host.config_checks import locate_in_config
from site_builder.host.plugin import ExplainerPlugin


@dataclass
class BuildResult:
    errors: list[UserError] = field(default_factory=list)
    warnings: list[UserError] = field(default_factory=list)
    log: list[str] = field(default_factory=list)
    stats: dict[str, int] = field(default_factory=dict)
    site_dir: Path | None = None
    site_url: str | None = None
    strict: bool = True

    @property
    def ok(self) -> bool:
        return not self.errors and not (self.strict and self.warnings)


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _config_problem(config_file: Path, text: str) -> UserError:
    return UserError(text.strip(), locate_in_config(config_file, text), "fix this setting in mkdocs.yml")


def _check_yaml_syntax(config_file: Path) -> None:
    """MkDocs reports YAML syntax errors as a multi-line blob; ours carry the position."""
    try:
        text = read_text(config_file, config_file.name)
    except UserError as exc:
        raise _ConfigErrors([exc]) from None
    except OSError:
        return  # MkDocs says what is wrong with the file
    try:
        # The same checks as every other YAML the author writes: duplicate keys, alias bombs.
        check_nodes(yaml.compose(text, Loader=yaml.SafeLoader), config_file.name, 0)
    except UserError as exc:
        raise _ConfigErrors([exc]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        position = SourcePosition(config_file.name, mark.line + 1, mark.column + 1) if mark else SourcePosition(
            config_file.name)
        raise _ConfigErrors([UserError(f"YAML syntax error: {exc.problem}", position,
                                       "check indentation, colons and brackets")]) from None


def _load(config_file: Path, site_dir: Path | None, strict: bool, capture: _Capture) -> MkDocsConfig:
    # The capture must see MkDocs' warnings even when the root logger is quieter (the CLI sets ERROR):
    # a warning it misses would let a strict build pass.
    mkdocs_log = logging.getLogger("mkdocs")
    if mkdocs_log.getEffectiveLevel() > logging.INFO:
        mkdocs_log.setLevel(logging.INFO)
    _check_yaml_syntax(config_file)
    try:
        return load_config(str(config_file), site_dir=str(site_dir) if site_dir else None, strict=strict)
    except RecursionError:
        raise _ConfigErrors([UserError("INHERIT leads back to a file it came from", locate_in_config(
            config_file, "'INHERIT'"), "make the chain of INHERIT files end")]) from None
    except (ConfigurationError, Abort) as exc:
        level = logging.WARNING if strict else logging.ERROR
        problems = [r.getMessage() for r in capture.records if r.levelno >= level]
        raise _ConfigErrors([_config_problem(config_file, p) for p in problems or [str(exc)]]) from None


class _ConfigErrors(Exception):
    def __init__(self, errors: list[UserError]) -> None:
        self.errors = errors


def _explainer(config: MkDocsConfig, config_file: Path) -> ExplainerPlugin:
    plugin = next((p for p in config.plugins.values() if isinstance(p, ExplainerPlugin)), None)
    if plugin is None:
        raise _ConfigErrors([UserError("the explainer plugin is not enabled", locate_in_config(config_file, "'plugins'"),
                                       "add `- explainer` under `plugins:` in mkdocs.yml")])
    return plugin


def build_site(config_file: Path, site_dir: Path | None = None, strict: bool = True,
               verbose: bool = False, check_sources: bool = False, strict_sources: bool = False) -> BuildResult:
    """Build the site of `config_file`; every problem comes back in the result, none is raised.
    With `check_sources`, a chart or timeline event without a source is a warning (`strict_sources`: an error)."""

    def run(capture: _Capture) -> tuple[MkDocsConfig, ExplainerPlugin]:
        config = _load(config_file, site_dir, strict, capture)
        plugin = _explainer(config, config_file)
        plugin.check_sources, plugin.strict_sources = check_sources or strict_sources, strict_sources
        config.plugins.on_startup(command="build", dirty=False)
        try:
            build(config)
        except Abort:
            pass  # the plugin's collector and the captured log hold what went wrong
        finally:
            config.plugins.on_shutdown()
        return config, plugin

    return run_captured(config_file, strict, verbose, run)


def run_captured(config_file: Path, strict: bool, verbose: bool,
                 run: Callable[[_Capture], tuple[MkDocsConfig, ExplainerPlugin]]) -> BuildResult:
    """Run one build (`run` loads or reuses the config and builds) and collect what it reported."""
    capture = _Capture()
    mkdocs_log = logging.getLogger("mkdocs")
    mkdocs_log.addHandler(capture)
    level = mkdocs_log.level
    mkdocs_log.setLevel(logging.DEBUG if verbose else logging.INFO)
    result = BuildResult(strict=strict)
    try:
        config, plugin = run(capture)
        result.errors = list(plugin.collector.errors)
        result.warnings = list(plugin.collector.warnings)
        result.stats = plugin.stats()
        result.site_dir = Path(config.site_dir)
        result.site_url = config.site_url
    except _ConfigErrors as exc:
        result.errors = exc.errors
    finally:
        mkdocs_log.removeHandler(capture)
        mkdocs_log.setLevel(level)
    _add_log(result, capture.records, config_file)
    result.errors, result.warnings = in_report_order(result.errors), in_report_order(result.warnings)
    return result


def _add_log(result: BuildResult, records: list[logging.LogRecord], config_file: Path) -> None:
    """MkDocs' own warnings and errors (not ours, which the plugin collected with positions)."""
    ours = {str(e) for e in result.errors} | {e.message for e in result.errors} | {"Aborted with a BuildError!"}
    for record in records:
        text = record.getMessage()
        result.log.append(f"{record.levelname}: {text}")
        if record.name.startswith("mkdocs.plugins.explainer") or record.levelno < logging.WARNING or text in ours:
            continue
        if record.levelno >= logging.ERROR:
            # Strict mode's refusal is our own summary of the warnings already listed, not a new error.
            ours_or_strict = any(line in ours for line in text.splitlines()) or "in strict mode" in text
            if not ours_or_strict and not text.startswith("Config value"):
                result.errors.append(_config_problem(config_file, text))
        elif "in strict mode" not in text:
            result.warnings.append(make_warning(WarningCode.MKDOCS, text, locate_in_config(config_file, text)))
