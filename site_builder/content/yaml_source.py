"""YAML with positions: parse a YAML text once, keep its node tree so any value can be located.

Front matter, timeline.yaml, sources.yaml and chart specs all report errors at the line and
column of the offending value, which plain `yaml.safe_load` forgets.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from site_builder.errors import SourcePosition, UserError, position_in_text
from site_builder.memory import forgettable
from site_builder.xmltext import SURROGATE_ESCAPE, encodable


@dataclass(frozen=True)
class YamlDocument:
    """A parsed YAML value with the node tree it came from; lines are offset into the host file."""

    value: Any
    node: yaml.Node | None
    path: str
    line_offset: int = 0

    def position(self, loc: Sequence[str | int] = ()) -> SourcePosition:
        """Where the value at `loc` (keys and indices, as pydantic reports them) starts."""
        node = self._node_at(loc)
        if node is None:
            return SourcePosition(self.path, self.line_offset + 1, 1)
        mark = node.start_mark
        return SourcePosition(self.path, self.line_offset + mark.line + 1, mark.column + 1)

    def key_positions(self, loc: Sequence[str | int] = ()) -> dict[str, SourcePosition]:
        """Where each key of the mapping at `loc` is written: a mistake in a key points at `key:`,
        not at its value (which may start on the next line)."""
        node = self._node_at(loc)
        pairs: list[tuple[yaml.Node, yaml.Node]] = node.value if isinstance(node, yaml.MappingNode) else []
        return {str(k.value): SourcePosition(self.path, self.line_offset + k.start_mark.line + 1, k.start_mark.column + 1)
                for k, _ in pairs}

    def _node_at(self, loc: Sequence[str | int]) -> yaml.Node | None:
        """The node at `loc`, or its deepest ancestor that exists."""
        node = self.node
        for key in loc:
            child = _child(node, key) if node is not None else None
            if child is None:
                break
            node = child
        return node

    def validate(self, model: type[BaseModel], loc: Sequence[str | int] = ()) -> Any:
        """Validate the value at `loc` against a model; type errors come back with positions."""
        value = self.value
        for key in loc:
            value = value[key]
        try:
            return model.model_validate(value)
        except ValidationError as exc:
            raise ValidationErrors(validation_errors(exc, self, loc)) from None


class ValidationErrors(Exception):
    """Several positioned errors from one validation."""

    def __init__(self, errors: list[UserError]) -> None:
        super().__init__("\n".join(map(str, errors)))
        self.errors = errors


def _child(node: yaml.Node, key: str | int) -> yaml.Node | None:
    children: list[tuple[yaml.Node, yaml.Node]] = node.value if isinstance(node, yaml.MappingNode) else []
    for k, v in children:
        if isinstance(k, yaml.ScalarNode) and k.value == str(key):
            return v
    items: list[yaml.Node] = node.value if isinstance(node, yaml.SequenceNode) else []
    if isinstance(key, int) and 0 <= key < len(items):
        return items[key]
    return None


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps an impossible date (2025-13-01) as text, for validation to report."""

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


def _compose(text: str) -> yaml.Node | None:
    """libyaml's parser where PyYAML has it: the same nodes and positions, many times faster on big
    files (a 10,000-event timeline). On an error the pure-Python parser reads the text again, for
    its fuller messages (`expected ',' or ']', but got '<stream end>'`)."""
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            return yaml.compose(text, Loader=fast)
        except yaml.YAMLError:
            pass
    return yaml.compose(text, Loader=_Loader)


def _construct(node: yaml.Node) -> Any:
    loader = _Loader("")
    try:
        return loader.construct_document(node)
    finally:
        loader.dispose()


# A "billion laughs" file nests aliases so that a few lines expand to billions of values; more than
# this many values (and more than twice the file's own nodes) after expansion is refused.
MAX_EXPANDED_VALUES = 1_000_000


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return node.value  # type: ignore[no-any-return]
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def _error_at(node: yaml.Node, message: str, path: str, line_offset: int, hint: str) -> UserError:
    mark = node.start_mark
    return UserError(message, SourcePosition(path, line_offset + mark.line + 1, mark.column + 1), hint)


def _scalars(root: yaml.Node | None) -> Iterator[yaml.ScalarNode]:
    """Each distinct scalar once (aliases share nodes), in document order; no recursion, as the
    document may nest thousands of levels deep."""
    stack, seen = ([root] if root is not None else []), set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            yield node
        stack.extend(reversed(_children(node)))


def _unbuildable_scalar(root: yaml.Node | None) -> yaml.Node | None:
    """The first scalar whose value cannot be built, to point at it."""
    loader = _Loader("")
    try:
        for node in _scalars(root):
            try:
                loader.construct_object(node)
            except (ValueError, TypeError, OverflowError):
                return node
        return None
    finally:
        loader.dispose()


def check_nodes(root: yaml.Node | None, path: str, line_offset: int) -> None:
    """Each distinct node once (aliases share nodes): duplicate keys, self-referring aliases and
    aliases that expand to too many values, before anything walks the expanded value."""
    size: dict[int, int] = {}  # values under a node once aliases are expanded (cheap: memoised)
    open_nodes: set[int] = set()
    first_big: yaml.Node | None = None
    stack = [(root, False)] if root is not None else []
    while stack:
        node, children_done = stack.pop()
        if id(node) in size:
            continue
        kids = _children(node)
        if children_done:
            open_nodes.discard(id(node))
            size[id(node)] = 1 + sum(size[id(k)] for k in kids)
            if first_big is None and size[id(node)] > MAX_EXPANDED_VALUES:
                first_big = node
            continue
        if id(node) in open_nodes:
            raise _error_at(node, "this YAML anchor contains an alias to itself", path, line_offset,
                            "remove the `*alias` inside its own `&anchor` value")
        open_nodes.add(id(node))
        _check_unique_keys(node, path, line_offset)
        stack.append((node, True))
        stack.extend((kid, False) for kid in kids if id(kid) not in size)
    limit = max(MAX_EXPANDED_VALUES, 2 * len(size))
    if root is not None and first_big is not None and size[id(root)] > limit:
        raise _error_at(first_big, f"YAML aliases here expand to over {MAX_EXPANDED_VALUES:,} values", path,
                        line_offset, "write the values out, or nest fewer `*alias` references")


def _check_unique_keys(node: yaml.Node, path: str, line_offset: int) -> None:
    """PyYAML keeps the last of two equal keys silently; the author meant one of them."""
    if not isinstance(node, yaml.MappingNode):
        return
    seen: dict[str, int] = {}
    for key, _ in node.value:
        if not isinstance(key, yaml.ScalarNode) or key.tag == "tag:yaml.org,2002:merge":
            continue
        if key.value in seen:
            raise _error_at(key, f"duplicate key `{key.value}`; line {seen[key.value]} has it too", path,
                            line_offset, "keep one of the two (YAML would silently use the last)")
        seen[key.value] = line_offset + key.start_mark.line + 1


_BOOL = "tag:yaml.org,2002:bool"
_YAML_1_1_WORDS = {"yes", "no", "on", "off"}
"""Plain words that YAML 1.1 (PyYAML) reads as booleans and YAML 1.2 and JSON read as text."""


def _words_as_text(root: yaml.Node | None) -> None:
    """Retag every `yes`/`no`/`on`/`off` as text, as YAML 1.2's core schema reads them."""
    for node in _scalars(root):
        if node.tag == _BOOL and node.value.lower() in _YAML_1_1_WORDS:
            node.tag = "tag:yaml.org,2002:str"


@functools.lru_cache(maxsize=256)
def parse_yaml(text: str, path: str, line_offset: int = 0, words_as_text: bool = False) -> YamlDocument:
    """Parse YAML text; a syntax error becomes a `UserError` at its line and column. With
    `words_as_text`, `yes`/`no`/`on`/`off` are text, not booleans (YAML 1.2, for JSON-like specs).

    Remembered by its arguments: the live preview parses the same front matter, data files and
    fence bodies in every build. The document is shared, so no caller changes its value."""
    node: yaml.Node | None = None
    try:
        node = _compose(text)
        check_nodes(node, path, line_offset)
        if words_as_text:
            _words_as_text(node)
        value = _construct(node) if node is not None else None
        value = encodable(value) if SURROGATE_ESCAPE.search(text) else value  # "\ud800" cannot be written out
    except yaml.MarkedYAMLError as exc:
        problem = exc.problem or exc.context or "invalid YAML"
        # "end of stream" is where the parser gave up; the quote or bracket left open is the context.
        at_end = ("end of stream" in problem or "<stream end>" in problem) and exc.context_mark is not None
        mark = exc.context_mark if at_end else exc.problem_mark or exc.context_mark
        if at_end and exc.context:
            problem = f"{exc.context}: {problem}"
        elif "flow" in (exc.context or "") and exc.context_mark and mark and exc.context_mark.line != mark.line:
            # An unclosed `[` or `{` on an earlier line is what the author has to fix.
            problem = f"{problem} ({exc.context} that starts at line {line_offset + exc.context_mark.line + 1})"
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise UserError(
            f"YAML syntax error: {problem}",
            SourcePosition(path, line_offset + line, column),
            "check indentation, colons and quotes on this line and the one before",
        ) from None
    except yaml.reader.ReaderError as exc:
        at = position_in_text(path, text, exc.position)
        raise UserError(f"YAML cannot hold the control character U+{exc.character:04X}",
                        SourcePosition(path, line_offset + at.line, at.column),
                        "delete it (inside double quotes, write it as an escape such as \\t)") from None
    except yaml.YAMLError as exc:
        raise UserError(f"YAML error: {exc}", SourcePosition(path, line_offset + 1, 1),
                        "check the file is valid YAML") from None
    except (ValueError, TypeError, OverflowError) as exc:  # a tagged value that cannot be built: `!!int 0x`
        bad = _unbuildable_scalar(node)
        raise (_error_at(bad, f"YAML value cannot be read: {exc}", path, line_offset,
                         "check the value's `!!tag`, or remove the tag") if bad is not None
               else UserError(f"YAML value cannot be read: {exc}", SourcePosition(path, line_offset + 1, 1),
                              "check values with an explicit `!!tag`, or remove the tag")) from None
    except RecursionError:
        raise UserError("YAML nested too deeply (thousands of levels of `[`, `{` or indentation)",
                        SourcePosition(path, line_offset + 1, 1), "flatten the structure") from None
    return YamlDocument(value, node, path, line_offset)


forgettable(parse_yaml.cache_clear)


BOOLEAN_NOT_TEXT = "true/false where text is expected (YAML reads a bare yes, no, on or off as true/false)"
BOOLEAN_HINT = 'write the text in quotes, e.g. "no"'


def validation_errors(exc: ValidationError, doc: YamlDocument, base: Sequence[str | int] = ()) -> list[UserError]:
    """One positioned `UserError` per pydantic error, naming the field the author wrote."""
    errors = []
    for err in exc.errors():
        loc = [*base, *(part for part in err["loc"] if isinstance(part, (str, int)))]
        field = ".".join(str(p) for p in err["loc"]) or "value"
        message = err["msg"]
        if err["type"] == "missing":
            errors.append(UserError(f"`{field}` is required", doc.position(loc[:-1]),
                                    f"add a `{field}:` entry"))
            continue
        if err["type"] == "extra_forbidden":
            errors.append(UserError(f"unknown field `{field}`", doc.position(loc),
                                    "remove it or check its spelling"))
            continue
        hint = "fix the value's type or format"
        if err["type"] == "string_type" and isinstance(err.get("input"), bool):
            # YAML 1.1 reads a bare yes/no/on/off as true/false: a title "No" or a tag "on" is lost.
            errors.append(UserError(f"`{field}`: {BOOLEAN_NOT_TEXT}", doc.position(loc), BOOLEAN_HINT))
            continue
        if err["type"] == "model_type":  # pydantic would name our model class ("instance of KeyFigure")
            what = f"`{field}` must be" if err["loc"] else "this must be"
            errors.append(UserError(f"{what} a mapping of `key: value` lines", doc.position(loc),
                                    "write one `key: value` per line"))
            continue
        if err["type"] == "value_error":
            # Our validators say `what; how to fix it` (the value itself may hold a `; `).
            text = str(err.get("ctx", {}).get("error", message))
            what, found, how = text.rpartition("; ")
            message, hint = (what, how) if found else (text, hint)
        errors.append(UserError(f"`{field}`: {message}", doc.position(loc), hint))
    return errors
