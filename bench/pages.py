"""Deterministic, realistic explainer pages for the benchmarks (the same pages for every engine).

Each page has what an explainer has: headings, paragraphs with emphasis and links to other pages
and their sections, lists, a data table, admonitions (one collapsible), footnotes, a definition
list and a code block, and what explainers also use that Material's recommended extensions leave as
text: "smart quotes" -- dashes, ~~strikethrough~~ and a task list now and then (bench/markdown_engine.py
also compares against Python-Markdown with the extensions that render those). ASCII headings, so
both engines make the same anchors.
"""

from __future__ import annotations

import random
import re

WORDS = ["model", "downloads", "open", "weights", "China", "United", "States", "release", "developers", "share", "market", "month", "parameters", "licence", "benchmark", "adoption", "Hugging", "Face", "Qwen", "DeepSeek", "Llama", "Mistral", "researchers", "companies", "inference", "training", "data", "compute", "growth", "rank", "family", "fine-tune", "community"]
COUNTRIES = ["China", "United States", "France", "United Kingdom", "Canada", "Germany", "Japan", "Korea"]
KINDS = ["note", "info", "tip", "warning", "example", "quote"]


def _sentence(rng: random.Random, links: list[str]) -> str:
    words = rng.choices(WORDS, k=rng.randint(8, 18))
    i = rng.randrange(len(words))
    words[i] = rng.choice([f"**{words[i]}**", f"*{words[i]}*", f"`{words[i]}`", f"[{words[i]}]({rng.choice(links)})"])
    if rng.random() < 0.05:
        words[-1] = f"~~{words[-1]}~~ {rng.choice(WORDS)}"
    if rng.random() < 0.15:
        words[0] = f'"{words[0]}'
        words[-1] = f'{words[-1]}" -- {rng.choice(WORDS)}'
    return " ".join(words).capitalize() + "."


def _paragraph(rng: random.Random, links: list[str], footnotes: list[str]) -> str:
    text = " ".join(_sentence(rng, links) for _ in range(rng.randint(2, 5)))
    if rng.random() < 0.3:
        footnotes.append(f"fn{len(footnotes) + 1}")
        text += f"[^{footnotes[-1]}]"
    return text


def _table(rng: random.Random) -> str:
    rows = ["| Country | Downloads | Share | Models |", "|:--|--:|--:|--:|"]
    for country in rng.sample(COUNTRIES, 6):
        rows.append(f"| {country} | {rng.randint(1000, 9_000_000):,} | {rng.uniform(0, 50):.1f}% | {rng.randint(1, 400)} |")
    return "\n".join(rows)


def section_title(page: int, number: int) -> str:
    return f"Section {number}: {' '.join(random.Random(f'{page}-{number}').sample(WORDS, 3)).title()}"


def slug(title: str) -> str:
    """The anchor both engines give an ASCII heading."""
    return re.sub(r"[-\s]+", "-", re.sub(r"[^\w\s-]", "", title).strip().lower())


def _section(rng: random.Random, page: int, number: int, links: list[str], footnotes: list[str]) -> list[str]:
    blocks = [f"## {section_title(page, number)}",
              _paragraph(rng, links, footnotes), _paragraph(rng, links, footnotes)]
    extra = rng.choice(["list", "tasks", "table", "admonition", "details", "code", "deflist", "h3"])
    if extra == "list":
        blocks.append("\n".join(f"- {_sentence(rng, links)}" for _ in range(rng.randint(3, 6))))
    elif extra == "tasks":
        blocks.append("\n".join(f"- [{rng.choice('x ')}] {_sentence(rng, links)}" for _ in range(rng.randint(3, 5))))
    elif extra == "table":
        blocks.append(_table(rng))
    elif extra in {"admonition", "details"}:
        marker = "!!!" if extra == "admonition" else "???"
        body = _paragraph(rng, links, footnotes)
        blocks.append(f'{marker} {rng.choice(KINDS)} "{" ".join(rng.sample(WORDS, 3)).title()}"\n    {body}')
    elif extra == "code":
        blocks.append("```python\nimport pandas as pd\n\nrows = pd.read_csv('downloads.csv')\n"
                      "print(rows.groupby('country').sum())\n```")
    elif extra == "deflist":
        blocks.append("\n\n".join(f"{w.title()}\n:   {_sentence(rng, links)}" for w in rng.sample(WORDS, 3)))
    else:
        blocks += [f"### Detail {number}", _paragraph(rng, links, footnotes)]
    return blocks


def page_name(index: int) -> str:
    return f"page-{index:03d}.md"


def make_page(index: int, count: int) -> str:
    """The markdown of page `index` of `count`; links go to other pages and their first section."""
    rng = random.Random(index)
    links = [page_name(rng.randrange(count)) for _ in range(4)]
    links += [f"{page_name(target)}#{slug(section_title(target, 1))}" for target in rng.sample(range(count), 2)]
    footnotes: list[str] = []
    blocks = [f"# Explainer {index}: {' '.join(rng.sample(WORDS, 4)).title()}", _paragraph(rng, links, footnotes)]
    for number in range(1, rng.randint(5, 9)):
        blocks += _section(rng, index, number, links, footnotes)
    blocks += [f"[^{name}]: {_sentence(rng, links)}" for name in footnotes]
    return "\n\n".join(blocks) + "\n"


def make_pages(count: int = 240) -> dict[str, str]:
    """`count` pages by file name (the index page first)."""
    pages = {page_name(i): make_page(i, count) for i in range(count)}
    return {"index.md": "# Benchmark site\n\n" + "\n".join(f"- [{n}]({n})" for n in pages) + "\n", **pages}
