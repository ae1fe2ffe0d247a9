"""MkDocs glue for the timeline: the generated `timeline/` page, its assets, its nav entry and its fence.

`add_page` runs before the site's page map is made (so the page has a URL); `attach` runs once the
`Site` exists: it loads timeline.yaml against the site, writes the page's markdown and registers the
`timeline` fence. A site without `content/data/timeline.yaml` gets no page and no assets.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

from site_builder.content.data import read_text
from site_builder.dependencies import declares_inputs, with_text
from site_builder.errors import ErrorCollector, UserError, display_path
from site_builder.markdown.engine import MarkdownOptions, shared_md
from site_builder.markdown.links import AnchorLink
from site_builder.pages import Site
from site_builder.timeline.fence import timeline_fence
from site_builder.timeline.load import TIMELINE_DATA, load_timeline
from site_builder.timeline.model import Timeline
from site_builder.timeline.page import PAGE, page_markdown
from site_builder.timeline.render import EFFECT, EventRenderer

_ASSETS = Path(__file__).resolve().parent.parent / "timeline" / "assets"
_ASSET_DIR = "assets/site-builder"


@dataclass
class TimelineSetup:
    """What `add_page` found, for `attach` to complete."""

    data_file: Path | None
    page: File | None = None
    intro: str | None = None
    timeline: Timeline | None = None
    errors: list[UserError] = field(default_factory=list)

    @property
    def anchor_links(self) -> list[AnchorLink]:
        return self.timeline.anchor_links if self.timeline else []

    def stats(self) -> dict[str, int]:
        return {"timeline events": len(self.timeline.events)} if self.timeline else {}


def add_page(files: Files, config: MkDocsConfig, data_dir: str, root: Path) -> TimelineSetup:
    """Add the generated page (content filled in by `attach`) and the timeline's CSS and JS."""
    data_file = Path(config.docs_dir) / data_dir / TIMELINE_DATA
    if not data_file.is_file():
        return TimelineSetup(None)
    setup = TimelineSetup(data_file)
    existing = files.get_file_from_path(PAGE)
    if existing is not None:
        try:
            setup.intro = read_text(Path(existing.abs_src_path or ""), display_path(Path(existing.abs_src_path or ""), root))
        except UserError as exc:
            setup.errors.append(exc)
            setup.intro = ""
        files.remove(existing)
    setup.page = File.generated(config, PAGE, content="")
    files.append(setup.page)
    for name, add_to in (("timeline.css", config.extra_css), ("timeline.js", config.extra_javascript)):
        uri = f"{_ASSET_DIR}/{name}"
        files.append(File.generated(config, uri, abs_src_path=str(_ASSETS / name)))
        if uri not in [str(x) for x in add_to]:
            add_to.append(uri)
    _add_to_nav(config)
    return setup


def _add_to_nav(config: MkDocsConfig) -> None:
    """With an explicit `nav:` that does not list the timeline, it is added at the end."""
    if config.nav is not None and PAGE not in _nav_targets(config.nav):
        config.nav.append({"Timeline": PAGE})


def _nav_targets(items: Any) -> set[str]:
    if isinstance(items, str):
        return {items}
    if isinstance(items, dict):
        return set().union(*(_nav_targets(v) for v in items.values())) if items else set()
    if isinstance(items, list):
        return set().union(*(_nav_targets(v) for v in items)) if items else set()
    return set()


def attach(setup: TimelineSetup, site: Site, collector: ErrorCollector, config: MkDocsConfig, root: Path) -> None:
    """Load and validate the timeline, write the page's markdown, register the `timeline` fence."""
    report: Callable[[UserError], None] = collector.add
    renderer = None
    text = ""
    if setup.data_file is not None and setup.page is not None:
        rel = display_path(setup.data_file, root)
        try:
            text = read_text(setup.data_file, rel)
        except UserError:
            text = ""  # the data loader has reported it
        timeline, errors = load_timeline(text, rel, site.links, PAGE, site.sources) if text else (None, [])
        # A YAML syntax error is reported by the data loader too: report it once.
        already = {str(e) for e in collector.errors}
        collector.extend([e for e in [*setup.errors, *errors] if str(e) not in already])
        # Valid events are still shown when others have errors, so links to them are not reported too.
        setup.timeline = timeline
        if setup.timeline is not None:
            renderer = EventRenderer(setup.timeline, shared_md(MarkdownOptions(raw_html=False)), site.links,
                                     PAGE, text.splitlines(), report)
            site.effects[EFFECT] = renderer.note
        templates = Path(config.theme.custom_dir) if config.theme.custom_dir else None
        try:
            setup.page.content_string = page_markdown(setup.timeline or Timeline(rel, {}), setup.intro,
                                                      templates, root)
        except UserError as exc:
            collector.add(exc)
    fence = timeline_fence(renderer, setup.data_file is not None)
    # What the fence shows is a function of timeline.yaml's text (and of the site's links and
    # sources, which every page's render depends on); without the file it is an error.
    site.fences["timeline"] = with_text(fence, setup.data_file, text) if setup.data_file else declares_inputs(fence)
