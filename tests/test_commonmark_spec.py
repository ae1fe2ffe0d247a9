"""Canary: the CommonMark 0.31.2 spec examples through our configured parser (`create_md()`).

Our plugins change some outputs on purpose; the comparison normalises what every page differs in
(heading ids and permalinks, curly quotes) and keeps an explicit allow-list for the rest, with the
reason per group. An allow-listed example that starts matching fails too, so the list stays true.
The spec (tests/commonmark/spec.json, CC-BY-SA 4.0, see LICENSE there) comes from the npm package
`commonmark-spec` 0.31.2, its `→` markers turned back into tabs.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from site_builder.markdown.engine import create_md

SPEC = json.loads((Path(__file__).parent / "commonmark" / "spec.json").read_text(encoding="utf-8"))
MD = create_md()

ALLOWED_DIFFERENCES = {
    # Typographer replacements: `--` and `---` become en and em dashes in text; CommonMark has none.
    **dict.fromkeys([46, 55, 87, 106], "typographer dashes"),
    # Figures: a titled image alone in its paragraph becomes <figure> with a <figcaption>.
    **dict.fromkeys([572, 573, 576, 577, 584, 585, 586, 588, 589, 591], "figure syntax"),
}

_PERMALINK = re.compile(r'<a class="headerlink" href="#[^"]*" title="Permanent link">¶</a>')
_HEADING_ID = re.compile(r'(<h[1-6]) id="[^"]*"')
_QUOTES = str.maketrans({"“": "&quot;", "”": "&quot;", "‘": "'", "’": "'"})


def normalise(html: str) -> str:
    """Undo what our plugins add to every page: heading ids, permalinks, curly quotes. markdown-it
    also prints an empty blockquote on one line (the same DOM as the spec's two lines)."""
    html = _HEADING_ID.sub(r"\1", _PERMALINK.sub("", html)).translate(_QUOTES)
    return html.replace("<blockquote></blockquote>", "<blockquote>\n</blockquote>")


@pytest.mark.timeout(5)
@pytest.mark.parametrize("example", SPEC, ids=lambda ex: f"{ex['example']}-{ex['section']}")
def test_spec_example(example: dict[str, object]) -> None:
    actual = normalise(MD.render(str(example["markdown"])))
    reason = ALLOWED_DIFFERENCES.get(int(str(example["example"])))
    if reason is None:
        assert actual == example["html"]
    else:
        assert actual != example["html"], f"example now matches the spec: remove it from the allow-list ({reason})"


def test_spec_is_complete() -> None:
    assert len(SPEC) == 652
