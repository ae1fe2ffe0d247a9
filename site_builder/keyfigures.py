"""Key figures: front matter `key_figures:` → escaped cards at the top of an article or home page.

Each figure has a `value` (text, a number, or a Jinja expression over `data` such as
`"{{ data.shares[0].share | percent }}"`, evaluated in the same sandbox as pages), a `label`
(which may use `{{ }}` too) and a `source` key, cited like `[@key]` so it gets its number in the page's reference list.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jinja2
from markupsafe import Markup, escape
from pydantic import BaseModel, ConfigDict, field_validator

from site_builder.content.frontmatter import PageSource
from site_builder.content.yaml_source import BOOLEAN_HINT, BOOLEAN_NOT_TEXT, ValidationErrors, YamlDocument
from site_builder.errors import SourcePosition, UserError
from site_builder.markdown.citations import PageCitations
from site_builder.sandbox import PageEnvironment

FIELD = "key_figures"


class KeyFigure(BaseModel):
    model_config = ConfigDict(extra="forbid")

    value: str | int | float
    label: str
    source: str

    @field_validator("value", mode="before")
    @classmethod
    def _not_a_boolean(cls, value: Any) -> Any:
        # pydantic would show YAML's true/false (a bare yes/no/on/off) as 1/0.
        if isinstance(value, bool):
            raise ValueError(f"{BOOLEAN_NOT_TEXT}; {BOOLEAN_HINT}")  # noqa: TRY004
        return value


@dataclass(frozen=True)
class KeyFigureCard:
    """A figure ready for a template: every field is escaped HTML."""

    value: Markup
    label: Markup
    cite: Markup


def key_figures(source: PageSource, context: Mapping[str, Any], env: PageEnvironment,
                citations: PageCitations) -> list[KeyFigureCard]:
    """The page's cards; problems go to `citations.errors`, so one build reports all of them."""
    doc = source.meta_doc
    if doc is None or not isinstance(doc.value, dict) or FIELD not in doc.value:
        return []
    if not isinstance(doc.value[FIELD], list):
        citations.errors.append(UserError("`key_figures` must be a list", doc.position([FIELD]),
                                          "write `- value: …` items with `label:` and `source:`"))
        return []
    text_env = env.overlay(autoescape=False, finalize=None)
    cards = []
    for index in range(len(doc.value[FIELD])):
        card = _card(doc, index, context, text_env, citations)
        if card is not None:
            cards.append(card)
    return cards


def _card(doc: YamlDocument, index: int, context: Mapping[str, Any], env: PageEnvironment,
          citations: PageCitations) -> KeyFigureCard | None:
    loc: list[str | int] = [FIELD, index]
    try:
        figure: KeyFigure = doc.validate(KeyFigure, loc)
    except ValidationErrors as exc:
        citations.errors.extend(exc.errors)
        return None
    number = citations.cite(figure.source, doc.position([*loc, "source"]))
    try:
        value = evaluate(figure.value, context, env, doc.position([*loc, "value"]))
        label = evaluate(figure.label, context, env, doc.position([*loc, "label"]))
    except UserError as exc:
        citations.errors.append(exc)
        return None
    cite = citations.link(figure.source, number) if number is not None else Markup("")
    return KeyFigureCard(escape(value), escape(label), cite)


def evaluate(value: str | float, context: Mapping[str, Any], env: PageEnvironment,
             position: SourcePosition) -> str:
    """The value as plain text: a number as written, text through the sandboxed Jinja step."""
    if not isinstance(value, str):
        return str(value)
    try:
        return env.render(value, context)
    except jinja2.UndefinedError as exc:
        raise UserError(f"undefined name in key figure: {exc.message}", position,
                        "check the spelling; data files are under `data.<file name>`") from None
    except (jinja2.TemplateError, TypeError, ValueError, ArithmeticError, LookupError, AttributeError,
            RecursionError) as exc:
        raise UserError(f"key figure value: {exc}", position, "fix the `{{ }}` expression") from None


def key_figures_html(cards: list[KeyFigureCard]) -> Markup:
    """The cards as a `<dl class="sb-key-figures">`; empty when the page has none."""
    if not cards:
        return Markup("")
    items = Markup("").join(
        Markup('<div class="sb-key-figure"><dt class="sb-key-figure__value">{}</dt>'
               '<dd class="sb-key-figure__label">{} {}</dd></div>\n').format(c.value, c.label, c.cite)
        for c in cards)
    return Markup('<dl class="sb-key-figures">\n{}</dl>\n').format(items)
