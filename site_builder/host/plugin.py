"""The MkDocs plugin `explainer`: the seam where our engine takes over page rendering.

MkDocs supplies config, navigation, the Material theme, search and the build loop; this adapter
swaps in `ExplainerPage` (our engine renders every page), loads the site's data, collects every
user error of the build and raises them together, and writes the output atomically.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape
from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from site_builder.charts.build import EFFECT as CHART_EFFECT
from site_builder.charts.build import new_chart_build
from site_builder.content.data import DEFAULT_MAX_MB, load_data_files, nest_data
from site_builder.content.frontmatter import PageSource, parse_page
from site_builder.content.sources import SOURCES_FILE, load_sources
from site_builder.content.symlinks import bad_symlinks, is_under
from site_builder.errors import BuildErrors, ErrorCollector, UserError, display_path
from site_builder.host import timeline
from site_builder.host.config_checks import config_errors, data_folder, site_dir_errors, url_clashes
from site_builder.host.nav import apply_nav_titles, check_theme_meta, escape_nav
from site_builder.layouts import LAYOUTS, STYLESHEET, add_theme_layer, article_cards, layout_context, layout_template
from site_builder.markdown.citations import GENERATED_SOURCES_PAGE, sources_fence
from site_builder.markdown.engine import MarkdownOptions, shared_md
from site_builder.markdown.headings import toc_tree
from site_builder.markdown.links import SiteLinks, anchor_ids, check_anchors
from site_builder.output import AtomicOutput
from site_builder.page_cache import PageCache
from site_builder.pages import RenderedPage, Site, render_page
from site_builder.publish import PageInfo, Publisher, SiteInfo, user_cache_dir
from site_builder.render_pool import PageTask, Prerenders, prerender, worker_count
from site_builder.sourcecheck import missing_sources

log = logging.getLogger("mkdocs.plugins.explainer")


class ExplainerConfig(Config):
    raw_html = c.Type(bool, default=True)
    """Allow raw HTML in pages (never in data files)."""
    data_dir = c.Type(str, default="data")
    """Folder of CSV/JSON/YAML data files, relative to docs_dir."""
    max_data_file_mb = c.Type((int, float), default=DEFAULT_MAX_MB)
    """Largest data file read, in MB: a bigger one is an error instead of running out of memory."""


class ExplainerBuildError(PluginError):
    """All user errors of a build; MkDocs prints the message, our CLI formats each error."""

    def __init__(self, errors: BuildErrors) -> None:
        super().__init__(str(errors))
        self.errors = errors


class ExplainerPage(Page):
    """A page rendered by site-builder's engine instead of Python-Markdown."""

    def __init__(self, file: File, config: MkDocsConfig, plugin: ExplainerPlugin) -> None:
        self.plugin = plugin
        self.unreadable = False
        super().__init__(None, file, config)

    def task(self, config: MkDocsConfig) -> PageTask:
        """Where the page's text comes from: its file, or a feature that made the page (the timeline)."""
        src = self.file.abs_src_path
        source_path = self.plugin.source_path(src or str(Path(config.docs_dir, self.file.src_uri)))
        return PageTask(self.file.src_uri, source_path, Path(src) if src else None, "" if src else self.file.content_string)

    def read_source(self, config: MkDocsConfig) -> None:
        task = self.task(config)
        try:
            text = task.read()
        except UserError as exc:
            text, self.unreadable = "", True
            self.plugin.collector.add(exc)
        self.source, errors = parse_page(text, task.source_path)
        self.plugin.collector.extend(errors)
        self.markdown = self.source.markdown
        self.plugin.collector.extend(check_theme_meta(self.source, config.theme.dirs))
        self.meta = {k: _escaped(v) for k, v in self.source.raw_meta.items()}
        if self.source.meta.title is not None:
            self.meta["title"] = _escaped(self.source.meta.title)
        try:
            if "template" not in self.meta and (template := layout_template(self.source)):
                self.meta["template"] = template  # MkDocs renders a page with `meta.template`
        except UserError as exc:
            self.plugin.collector.add(exc)

    def render(self, config: MkDocsConfig, files: Files) -> None:
        if self.unreadable:  # not rendered, so links to its anchors are not reported as missing too
            self.content, self.present_anchor_ids = "", set()
            return
        try:
            rendered = self.plugin.render_page(self.source, self.file.src_uri, self.markdown)
        except UserError as exc:
            self.plugin.collector.add(exc)
            self.content, self.present_anchor_ids = "", set()
            return
        self.plugin.rendered[self.file.src_uri] = rendered
        self.plugin.collector.extend(rendered.markdown.errors)
        self.content = rendered.markdown.html
        self.toc = get_toc(toc_tree_escaped(rendered))
        self._title_from_render = _escaped(rendered.markdown.title) if rendered.markdown.title else None
        self.present_anchor_ids = anchor_ids(self.content)
        self.links_to_anchors = None


def _progress(message: str) -> None:
    print(f"  {message} …", file=sys.stderr, flush=True)


def _escaped(value: Any) -> Any:
    """Front matter strings as escaped markup: Material's templates print them without escaping."""
    return escape(value) if isinstance(value, str) else value


def toc_tree_escaped(rendered: RenderedPage) -> list[Any]:
    tree = toc_tree(rendered.markdown.headings)

    def walk(nodes: list[Any]) -> None:
        for node in nodes:
            node["name"] = escape(node["name"])
            walk(node["children"])

    walk(tree)
    return tree


def safe_striptags(value: Any) -> Markup:
    """Material prints `x | striptags` unescaped; stripping tags must not unescape text."""
    return escape(Markup(str(value.__html__() if hasattr(value, "__html__") else value)).striptags())


class ExplainerPlugin(BasePlugin[ExplainerConfig]):
    """`plugins: [search, explainer]` in mkdocs.yml."""

    def __init__(self) -> None:
        self.command = "build"
        self.output: AtomicOutput | None = None
        # Set by the preview builder for its builds only: it reuses renders whose inputs are unchanged.
        self.page_cache: PageCache | None = None
        self.previous_output: Path | None = None
        """Set by the preview builder: its last complete output, to link unchanged chart files from."""
        self.check_sources = False
        """Set by `site-builder check`: charts and timeline events without a source are reported."""
        self.strict_sources = False
        """Set by `site-builder check --strict-sources`: unsourced charts/events are errors."""

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.command = command

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.root = Path(config.config_file_path or ".").resolve().parent
        self.collector = ErrorCollector()
        self.rendered: dict[str, RenderedPage] = {}
        self.prerendered = Prerenders({})
        self.timeline = timeline.TimelineSetup(None)
        self.warnings = WarningCounter.attach()
        site = SiteInfo(config.site_name, config.site_url, config.site_description, config.site_author)
        self.publisher = Publisher(site, config.extra.get("cname"), self.source_path(config.config_file_path),
                                   user_cache_dir())
        self.collector.extend(self.publisher.errors)
        self.collector.extend(config_errors(config.site_url, Path(config.docs_dir), dict(self.config),
                                            Path(config.config_file_path or "mkdocs.yml")))
        # Material prints these unescaped; a site title like `Q&A <draft>` must stay text.
        for key in ("site_name", "site_description", "site_author", "repo_name"):
            config[key] = _escaped(config[key])
        if self.command in {"build", "gh-deploy"}:
            self.collector.extend(site_dir_errors(Path(config.site_dir), self.root, config.theme.custom_dir,
                                                  Path(config.config_file_path or "mkdocs.yml")))
            self.output = AtomicOutput(Path(config.site_dir))
            config.site_dir = str(self.output.staging)
        add_theme_layer(config.theme.dirs, config.theme.custom_dir)
        if STYLESHEET not in config.extra_css:
            config.extra_css.append(STYLESHEET)
        return config

    def source_path(self, abs_path: str | None) -> str:
        return display_path(Path(abs_path or "").resolve(), self.root)

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        docs_dir = Path(config.docs_dir)
        links = bad_symlinks(docs_dir, self.root)
        self.collector.extend([*links.values(), *url_clashes(files, self.root)])
        for file in [f for f in files if f.abs_src_path and is_under(Path(f.abs_src_path), links)]:
            files.remove(file)  # never read or copied: the build fails on the link's error
        data_dir = data_folder(docs_dir, self.config.data_dir)  # None: reported in on_config
        data_files, errors = load_data_files(data_dir, self.root, self.config.max_data_file_mb) if data_dir else ([], [])
        data, more = nest_data(data_files)
        self.collector.extend([*errors, *more])
        self.timeline = timeline.add_page(files, config, self.config.data_dir, self.root)
        pages = {f.src_uri: f.url for f in files.documentation_pages()}
        others = {f.src_uri: f.url for f in files if not f.is_documentation_page()}
        md = shared_md(MarkdownOptions(raw_html=self.config.raw_html))
        self.site = Site(md=md, links=SiteLinks(pages, others), data=data, extra=dict(config.extra))
        self._load_sources(docs_dir, files, config)
        timeline.attach(self.timeline, self.site, self.collector, config, self.root)
        self.charts = new_chart_build(self.root, docs_dir, data, pages, _progress, self.config.data_dir, others)
        self.site.fences["chart"], self.site.effects[CHART_EFFECT] = self.charts.handle, self.charts.add
        for file in files.documentation_pages():
            ExplainerPage(file, config, self)
        return files

    def render_page(self, source: PageSource, page: str, markdown: str | None) -> RenderedPage:
        # A worker's render is of the text as read: not if another plugin's `on_page_markdown` changed it.
        if markdown == source.markdown and (done := self.prerendered.take(source, page, self.site)):
            return done
        if self.page_cache is None:
            return render_page(source, page, self.site)
        return self.page_cache.render(source, page, self.site)

    def _load_sources(self, docs_dir: Path, files: Files, config: MkDocsConfig) -> None:
        """sources.yaml into the site; a `sources/` page listing them unless the author wrote one."""
        file = docs_dir / self.config.data_dir / SOURCES_FILE
        self.site.sources, errors = load_sources(file, self.source_path(str(file)))
        self.collector.extend(errors)
        self.site.fences["sources"] = sources_fence(self.site.sources)
        if self.site.sources.sources and files.get_file_from_path("sources.md") is None:
            page = File.generated(config, "sources.md", content=GENERATED_SOURCES_PAGE)
            files.append(page)
            self.site.links.pages = {**self.site.links.pages, page.src_uri: page.url}

    def stats(self) -> dict[str, int]:
        """Counts for the CLI's summary line."""
        charts = len(self.charts.jobs) if hasattr(self, "charts") else 0
        return {"pages": len(self.rendered), **({"charts": charts} if charts else {}), **self.timeline.stats()}

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
        apply_nav_titles(config.nav or [], files)
        self.collector.extend(escape_nav(nav.items, self.root / Path(config.config_file_path or "").name))
        if self.page_cache is None and self.command in {"build", "gh-deploy"}:  # `serve` stays serial
            self._prerender(files, config)
        return nav

    def _prerender(self, files: Files, config: MkDocsConfig) -> None:
        """A full build renders its pages in worker processes now, MkDocs's page loop takes the results."""
        tasks = [f.page.task(config) for f in files.documentation_pages() if isinstance(f.page, ExplainerPage)]
        try:
            self.prerendered = prerender(tasks, self.site, worker_count(len(tasks)))
        except UserError as exc:
            self.collector.add(exc)

    def on_env(self, env: Any, *, config: MkDocsConfig, files: Files) -> Any:
        env.filters["striptags"] = safe_striptags
        ids = {page: anchor_ids(r.markdown.html) for page, r in self.rendered.items()}
        links = [link for r in self.rendered.values() for link in r.markdown.anchor_links]
        links += self.timeline.anchor_links
        self.collector.extend(check_anchors(links, ids))
        self.charts.compile()
        self.collector.extend(self.charts.errors)
        self._check_sources()
        try:
            self.collector.raise_if_any()
        except BuildErrors as exc:
            raise ExplainerBuildError(exc) from None
        return env

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        rendered = self.rendered.get(page.file.src_uri)
        if rendered is None:
            return output
        # Figures go in after the search plugin read `page.content`: SVG labels and data tables
        # would bloat the index every page downloads.
        output = self.charts.fill(page.file.src_uri, output)
        return self.publisher.page_html(PageInfo.from_rendered(page.url, rendered, config.site_name), output)

    def _check_sources(self) -> None:
        """Timeline events and charts without a source; then sources nothing cited."""
        events = self.timeline.timeline.sourced if self.timeline.timeline else []
        charts = [(job.position, job.meta.source is not None) for job in self.charts.jobs]
        for what, items in (("timeline event", events), ("chart", charts)) if self.check_sources else ():
            errors, warnings = missing_sources(items, what, self.strict_sources)
            self.collector.extend(errors)
            self.collector.warnings.extend(warnings)
        self.collector.warnings.extend(self.site.sources.uncited_warnings())

    def on_page_context(self, context: Any, *, page: Page, config: MkDocsConfig, nav: Navigation) -> Any:
        rendered = self.rendered.get(page.file.src_uri)
        if rendered is not None:
            urls = self.site.links.pages  # pages another feature generated later have no entry: not articles
            pages = ((urls[uri], r) for uri, r in self.rendered.items() if uri in urls)
            home = page.meta.get("template") == LAYOUTS["home"]
            context["explainer"] = layout_context(rendered, article_cards(pages, page.url) if home else None)
        return context

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        self.publisher.write_outputs(Path(config.site_dir))
        self.warnings.detach()
        count = self.warnings.count + len(self.collector.warnings)
        if config.strict and count:
            raise PluginError(f"{count} warning(s) in strict mode; the previous output is unchanged")
        self.charts.write(Path(config.site_dir), self.previous_output)
        if self.page_cache is None:  # a full build (not a preview that reused pages) knows every chart in use
            self.charts.prune_cache()
        if self.output is not None:
            config.site_dir = str(self.output.commit())
            self.output = None

    def on_build_error(self, *, error: Exception) -> None:
        self.warnings.detach()
        if self.output is not None:
            self.output.discard()
            self.output = None


class WarningCounter(logging.Handler):
    """Counts MkDocs warnings so strict mode can refuse to swap in the output (MkDocs checks too late)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    @classmethod
    def attach(cls) -> WarningCounter:
        counter = cls()
        logging.getLogger("mkdocs").addHandler(counter)
        return counter

    def detach(self) -> None:
        logging.getLogger("mkdocs").removeHandler(self)

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1

