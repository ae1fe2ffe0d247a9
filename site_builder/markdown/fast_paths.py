"""Fast paths of the engine: the same output as markdown-it-py's rules, with less work.

Rule dispatch by character, for the inline and block parsers: markdown-it-py tries every inline
rule, in order, at every position where the `text` rule stops (each of `-:=+#$%@{}` and the markup
characters), every block rule at the first line of every block, and, at each further line of a
paragraph, list, blockquote or reference, every rule of the chain that may end it; nearly all of
those calls return False after looking at one character. Most rules can only match at one or a few
characters, so the subclasses here try, at a position, only the rules whose trigger characters
(declared in the two tables below) include the character there, plus every rule the tables do not
list, in the ruler's order. The rule set, its order and each rule's result
are unchanged; only calls that were bound to fail are skipped, so the output is byte-identical
(tests/test_engine_fast_paths.py compares with markdown-it-py's own parsers).

A table entry is keyed by the rule function's code (partials of a listed function included), so a
rule added or put in place with `ruler.at()` that is not listed is always tried. The overridden
`tokenize` and `skipToken` mirror markdown-it-py 4.3's loops and the tables name mdit-py-plugins
0.7's rule functions, so pyproject pins both minor versions: on an upgrade, re-read those loops and
rules.

Typographic replacements: markdown-it's `replacements` rule runs eight regex substitutions over each
text of a paragraph that has any of `+- .. ???? !!!! ,, --`, and the dash patterns, which start with
an alternation, are tried at every position; `typographic_replacements` runs each one only where the
text holds what it replaces, with markdown-it's own patterns, in its order.

Gains measured with callgrind (instructions per round, each path against the engine without it),
on 41 bench pages (bench/pages.py, one line per paragraph) and on the flagship's pages (content/*.md,
wrapped lines): inline dispatch 6.8% (bench), block dispatch 4.5% (bench), the alternative chains
0.5% (bench) and 14.8% (flagship: every wrapped line of a paragraph or list tries them), replacements
5.4% (bench). All together: 16.3% (bench) and 29.7% (flagship) fewer instructions.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Container
from dataclasses import dataclass
from types import CodeType
from typing import Any, TypeVar

from markdown_it import MarkdownIt, rules_block, rules_inline
from markdown_it.parser_block import ParserBlock, RuleFuncBlockType
from markdown_it.parser_inline import ParserInline
from markdown_it.ruler import Ruler
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore, replacements
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.admon.index import MARKER_CHARS as ADMONITION_MARKERS
from mdit_py_plugins.admon.index import admonition
from mdit_py_plugins.attrs.index import _attr_block_rule, _attr_inline_rule
from mdit_py_plugins.footnote.index import footnote_def, footnote_inline, footnote_ref

from site_builder.markdown.citations import cite_inline

Adopted = TypeVar("Adopted", ParserInline, ParserBlock, Ruler[RuleFuncBlockType])

# Each rule returns False at once unless the character at `state.pos` is one of these.
INLINE_TRIGGERS: dict[Callable[..., bool], str] = {
    rules_inline.newline: "\n",
    rules_inline.escape: "\\",
    rules_inline.backtick: "`",
    rules_inline.strikethrough.tokenize: "~",
    rules_inline.emphasis.tokenize: "_*",
    rules_inline.link: "[",
    rules_inline.image: "!",
    rules_inline.autolink: "<",
    rules_inline.html_inline: "<",
    rules_inline.entity: "&",
    footnote_inline: "^",
    footnote_ref: "[",
    _attr_inline_rule: "{",  # its attribute parser fails unless the text starts with `{`
    cite_inline: "[",
}
# Each rule returns False at once unless the first character of the line's text is one of these;
# the rest (table, code, lheading, deflist, paragraph) look at indentation or at later lines.
BLOCK_TRIGGERS: dict[Callable[..., bool], str] = {
    rules_block.fence: "`~",
    rules_block.blockquote: ">",
    rules_block.hr: "*-_",
    rules_block.list_block: "*-+0123456789",
    rules_block.reference: "[",
    rules_block.html_block: "<",
    rules_block.heading: "#",
    _attr_block_rule: "{",
    admonition: "".join(ADMONITION_MARKERS),
    footnote_def: "[",
}


def _code(fn: Callable[..., Any]) -> CodeType | None:
    """The code of a rule function, seen through `functools.partial` (plugins configure rules so)."""
    return getattr(getattr(fn, "func", fn), "__code__", None)


_INLINE_BY_CODE = {_code(fn): chars for fn, chars in INLINE_TRIGGERS.items()}
_BLOCK_BY_CODE = {_code(fn): chars for fn, chars in BLOCK_TRIGGERS.items()}
_TEXT = _code(rules_inline.text)


@dataclass(frozen=True)
class _NotTerminators:
    """The characters at which the `text` rule matches: all but the inline parser's terminators."""

    terminator: re.Pattern[str]

    def __contains__(self, char: object) -> bool:
        return isinstance(char, str) and self.terminator.match(char) is None


class _RulesByChar(dict[str, list[Any]]):
    """The rules of `chain` to try where the text starts with a character, computed on first use."""

    def __init__(self, chain: list[Any], triggers: Callable[[Any], Container[str] | None], key: object) -> None:
        super().__init__()
        self.chain, self.key = chain, key
        self.triggers = [(rule, triggers(rule)) for rule in chain]

    def __missing__(self, char: str) -> list[Any]:
        rules = [rule for rule, chars in self.triggers if chars is None or char in chars]
        self[char] = rules if char else self.chain  # no character (end of text): every rule
        return self[char]


class DispatchingInline(ParserInline):
    """markdown-it's inline parser, trying at each position only the rules that can match there."""

    _by_char: _RulesByChar | None = None

    def _rules_by_char(self) -> _RulesByChar:
        chain = self.ruler.getRules("")  # a new list whenever the rules change
        if self._by_char is None or self._by_char.chain is not chain or self._by_char.key is not self.terminator_re:
            text = _NotTerminators(self.terminator_re)
            self._by_char = _RulesByChar(
                chain, lambda rule: text if _code(rule) is _TEXT else _INLINE_BY_CODE.get(_code(rule)),
                self.terminator_re)
        return self._by_char

    def skipToken(self, state: StateInline) -> None:
        pos = state.pos
        cache = state.cache
        if pos in cache:
            state.pos = cache[pos]
            return
        ok = False
        if state.level < state.md.options["maxNesting"]:
            for rule in self._rules_by_char()[state.src[pos:pos + 1]]:
                state.level += 1  # as markdown-it does: bounds the recursion of rules in silent mode
                ok = rule(state, True)
                state.level -= 1
                if ok:
                    if state.pos <= pos:
                        raise RuntimeError("inline rule didn't increment state.pos")
                    break
        else:
            state.pos = state.posMax  # too deeply nested: markdown-it skips to the end
        if not ok:
            state.pos += 1
        cache[pos] = state.pos

    def tokenize(self, state: StateInline) -> None:
        by_char = self._rules_by_char()
        end = state.posMax
        max_nesting = state.md.options["maxNesting"]
        src = state.src
        while state.pos < end:
            pos = state.pos
            ok = False
            if state.level < max_nesting:
                for rule in by_char[src[pos]]:
                    ok = rule(state, False)
                    if ok:
                        if state.pos <= pos:
                            raise RuntimeError("inline rule didn't increment state.pos")
                        break
            if ok:
                if state.pos >= end:
                    break
                continue
            state.append_pending(src[pos])
            state.pos += 1
        if state.pending:
            state.pushPending()


NESTING_CUT = "nesting_cut"
"""Key in a render's env: the 0-based lines where blocks nested deeper than `maxNesting` were cut."""


class DispatchingBlock(ParserBlock):
    """markdown-it's block parser, trying at each block only the rules that can start there."""

    _by_char: _RulesByChar | None = None

    def _rules_by_char(self) -> _RulesByChar:
        chain = self.ruler.getRules("")
        if self._by_char is None or self._by_char.chain is not chain:
            self._by_char = _RulesByChar(chain, _block_triggers, None)
        return self._by_char

    def tokenize(self, state: StateBlock, startLine: int, endLine: int) -> None:
        by_char = self._rules_by_char()
        line = startLine
        has_empty_lines = False
        while line < endLine:
            state.line = line = state.skipEmptyLines(line)
            if line >= endLine or state.sCount[line] < state.blkIndent:  # the end of a nested block
                break
            if state.level >= state.md.options.maxNesting:
                # markdown-it drops the rest of the block here; the engine reports the line (engine.py).
                state.env.setdefault(NESTING_CUT, []).append(line)
                state.line = endLine
                break
            start = state.bMarks[line] + state.tShift[line]
            ok = False
            for rule in by_char[state.src[start:start + 1]]:
                ok = rule(state, line, endLine, False)
                if ok:
                    if state.line <= line:
                        raise RuntimeError("block rule didn't increment state.line")
                    break
            if not ok:
                raise RuntimeError("none of the block rules matched")
            # A blank line before this block makes the enclosing list loose (as markdown-it does).
            state.tight = not has_empty_lines
            line = state.line
            if (line - 1) < endLine and state.isEmpty(line - 1):
                has_empty_lines = True
            if line < endLine and state.isEmpty(line):
                has_empty_lines = True
                line += 1
                state.line = line


class DispatchingBlockRuler(Ruler[RuleFuncBlockType]):
    """The block ruler, handing out each alternative chain (the rules that may end a paragraph, list,
    blockquote or reference without a blank line, which those rules try at each of their lines) as
    one rule that tries only the chain's rules that can start at the line's first character."""

    _alternatives: dict[str, tuple[list[RuleFuncBlockType], list[RuleFuncBlockType]]] | None = None

    def getRules(self, chainName: str = "") -> list[RuleFuncBlockType]:
        chain = super().getRules(chainName)
        if not chainName or not chain:
            return chain
        if self._alternatives is None:
            self._alternatives = {}
        built = self._alternatives.get(chainName)
        if built is None or built[0] is not chain:  # the rules changed
            dispatch = functools.partial(_any_rule_at, _RulesByChar(chain, _block_triggers, None))
            built = self._alternatives[chainName] = (chain, [dispatch])
        return built[1]


def _any_rule_at(by_char: _RulesByChar, state: StateBlock, line: int, end: int, silent: bool) -> bool:
    start = state.bMarks[line] + state.tShift[line]
    for rule in by_char[state.src[start:start + 1]]:  # in order, up to the first that matches, as markdown-it
        if rule(state, line, end, silent):
            return True
    return False


def _block_triggers(rule: RuleFuncBlockType) -> str | None:
    return _BLOCK_BY_CODE.get(_code(rule))


# markdown-it's rare replacements in its order, each with the texts (one or two) one of which it needs to match.
_RARE_STEPS = (
    (("+-",), replacements.PLUS_MINUS_RE, "±"),
    (("..",), replacements.ELLIPSIS_RE, "…"),
    (("…",), replacements.ELLIPSIS_QUESTION_EXCLAMATION_RE, "\\1.."),
    (("?", "!"), replacements.QUESTION_EXCLAMATION_RE, "\\1\\1\\1"),
    ((",,",), replacements.COMMA_RE, ","),
    (("---",), replacements.EM_DASH_RE, "\\1\u2014"),
    (("--",), replacements.EN_DASH_RE, "\\1\u2013"),
    (("--",), replacements.EN_DASH_INDENT_RE, "\\1\u2013"),
)


def typographic_replacements(state: StateCore) -> None:
    """markdown-it's `replacements` core rule (`(c)` → ©, `--` → –, …), skipping needless scans."""
    if not state.md.options.typographer:
        return
    for token in state.tokens:
        if token.type != "inline" or token.children is None:
            continue
        if "(" in token.content and replacements.SCOPED_ABBR_RE.search(token.content):
            replacements.replace_scoped(token.children)
        if replacements.RARE_RE.search(token.content):
            _replace_rare(token.children)


def _replace_rare(tokens: list[Token]) -> None:
    inside_autolink = 0  # as in markdown-it: -1 inside an autolink, whose text keeps its characters
    for token in tokens:
        if token.type == "text" and not inside_autolink and replacements.RARE_RE.search(token.content):
            for needles, pattern, replacement in _RARE_STEPS:
                if needles[0] in token.content or needles[-1] in token.content:  # no generator: a hot loop
                    token.content = pattern.sub(replacement, token.content)
        if token.type == "link_open" and token.info == "auto":
            inside_autolink -= 1
        if token.type == "link_close" and token.info == "auto":
            inside_autolink += 1


def use_fast_paths(md: MarkdownIt) -> None:
    """Give `md` the dispatching parsers, keeping its rulers and settings, and the fast typographic
    replacements. Plugins may be used before or after: the parsers read their rulers at each parse."""
    md.inline = _adopt(DispatchingInline, md.inline)
    md.block = _adopt(DispatchingBlock, md.block)
    md.block.ruler = _adopt(DispatchingBlockRuler, md.block.ruler)
    md.core.ruler.at("replacements", typographic_replacements)


def _adopt(cls: type[Adopted], original: object) -> Adopted:
    """An instance of `cls` with the state of `original` (a parser or ruler markdown-it made)."""
    adopted = cls.__new__(cls)
    vars(adopted).update(vars(original))
    return adopted
