"""Preview builds: MkDocs' build steps driven in one place, reusing everything that did not change.

The live preview builds every generation into a fresh folder (the server swaps to it when it is
complete). The steps are MkDocs' own (`mkdocs.commands.build`), in its order, with the loaded
config, plugin and theme environment kept between builds (reloaded when mkdocs.yml changes).
Every page still goes through `on_pre_page` … `on_page_content`, `on_page_context` and
`on_post_page`, so plugins see a whole build (the feed, social cards and the home page's article
list are complete). What is skipped is work whose inputs are recorded and unchanged:

- a page's render (Jinja step + markdown) — `PageCache`, keyed by its text, the data it read and
  the files its chart and timeline blocks read (`site_builder.dependencies`);
- a page's theme render — keyed by a signature of what the theme template reads: the page's
  content, title, toc and meta, the whole nav (titles and meta of every page), the neighbours,
  the theme's own template files and whatever plugins added to the context; Material's search
  entries for such a page are replayed (its hook runs after the other plugins' for every page);
- 404.html and sitemap.xml — rendered again only when the nav changed;
- static files (theme assets, images, data files) whose source is unchanged.

A page or static file with the same bytes as in the previous generation is hard-linked from it,
not written again (so are chart files; what other plugins write at `on_post_build` — search
index, feed, social cards — is written every time). The folder may hold empty folders of a
recycled tree (`serve.generations`): those this generation does not use are removed. New outputs are compared with the previous ones byte for byte, so the server
can tell browsers exactly which outputs changed. `tests/test_serve_equivalence.py` checks the result against clean builds.
"""
from __future__ import annotations

import filecmp
import hashlib
import logging
import os
import sysconfig
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mkdocs.commands.build import _build_extra_template, _build_theme_template, _populate_page, get_context
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, BuildError
from mkdocs.structure.files import File, Files, InclusionLevel, get_files, set_exclusions
from mkdocs.structure.nav import Navigation, get_navigation
from mkdocs.structure.pages import Page

from site_builder.host.plugin import ExplainerPlugin
from site_builder.host.runner import BuildResult, _Capture, _explainer, _load, run_captured
from site_builder.output import write_or_link
from site_builder.page_cache import PageCache

log = logging.getLogger("mkdocs.commands.build")
_INSTALLED = Path(sysconfig.get_paths()["purelib"])


def _digest(*parts: Any) -> str:
    return hashlib.blake2b(repr(parts).encode("utf-8"), digest_size=16).hexdigest()


def _toc(items: Any) -> list[Any]:
    return [(i.title, i.id, i.level, _toc(i.children)) for i in items]


def _nav_signature(items: Sequence[Any]) -> list[Any]:
    """Titles, URLs and page meta of the whole nav: every page's sidebar prints them."""
    out: list[Any] = []
    for item in items:
        meta = getattr(item, "meta", None)
        out.append((type(item).__name__, str(item.title), getattr(item, "url", None), repr(meta),
                    _nav_signature(item.children or [])))
    return out


def _theme_signature(config: MkDocsConfig) -> str:
    """Every template file of the theme's own folders (custom_dir, site-builder's): a changed or
    new override counts. Installed themes (site-packages) do not change while the preview runs."""
    entries = []
    for folder in config.theme.dirs:
        if Path(folder).is_relative_to(_INSTALLED):
            continue
        for dirpath, _dirs, names in os.walk(folder):
            entries += [(dirpath, name, _file_digest(os.path.join(dirpath, name))) for name in names]
    return _digest(sorted(entries))


def _file_digest(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "blake2b").hexdigest()


def _link(previous: Path, out: Path, rel: str, folders: set[str] | None = None) -> bool:
    """Hard-link an unchanged output from the previous generation; False if there is none.
    `folders`: output folders known to exist already (hundreds of theme files share a few)."""
    target = out / rel
    parent = os.path.dirname(rel)
    if folders is None or parent not in folders:
        target.parent.mkdir(parents=True, exist_ok=True)
        if folders is not None:
            folders.add(parent)
    try:
        os.link(previous / rel, target)
    except OSError:  # not there (or not a file): the caller writes it
        return False
    return True


class SearchReplay:
    """Material's search plugin, for pages whose theme render is skipped: their search entries (a
    function of the same inputs as the page's signature) are replayed instead of re-parsing the
    page's HTML. Every other plugin's `on_page_context` runs for every page."""

    def __init__(self) -> None:
        self._entries: dict[str, list[list[Any]]] = {}

    @staticmethod
    def _index(method: Any) -> Any:
        index = getattr(getattr(method, "__self__", None), "search_index", None)
        return index if isinstance(getattr(index, "entries", None), list) else None

    def split(self, config: MkDocsConfig) -> tuple[list[Any], list[Any]]:
        """(other plugins' `on_page_context`, the search indexes' ones), each in plugin order."""
        methods = config.plugins.events["page_context"]
        return [m for m in methods if self._index(m) is None], [m for m in methods if self._index(m) is not None]

    def can_replay(self, dest: str) -> bool:
        return dest in self._entries

    def replay(self, methods: list[Any], dest: str) -> None:
        for method, entries in zip(methods, self._entries[dest]):
            self._index(method).entries.extend(entries)

    def index(self, methods: list[Any], context: Any, page: Page, config: MkDocsConfig, nav: Navigation) -> Any:
        """Run the search plugins' hook for `page`, remembering the entries it added."""
        recorded = []
        for method in methods:
            entries = self._index(method).entries
            before = len(entries)
            context = _run_hook(method, context, page, config, nav)
            recorded.append(entries[before:])
        self._entries[page.file.dest_uri] = recorded
        return context


def _run_hook(method: Any, context: Any, page: Page, config: MkDocsConfig, nav: Navigation) -> Any:
    """One plugin's `on_page_context`, as MkDocs' `run_event` calls it."""
    result = method(context, page=page, config=config, nav=nav)
    return context if result is None else result


class PreviewBuilder:
    """Builds generation after generation of one site in this process."""

    def __init__(self, config_file: Path, strict: bool = True) -> None:
        self.config_file = config_file
        self.strict = strict
        self.config: MkDocsConfig | None = None
        self._config_digest = ""
        self._env: Any = None
        self._theme_sig = ""
        self._template_sigs: dict[str, str] = {}
        self._static_sigs: dict[str, tuple[Any, ...]] = {}
        self._linked: set[str] = set()
        self._listing: tuple[Path, set[str]] | None = None
        """The last successful generation's folder and files."""
        self._theme_files: tuple[Any, list[tuple[str, str]]] | None = None
        self._renders: dict[str, tuple[Any, str]] = {}
        """Output path → (the theme render's inputs, its output before `on_post_page`)."""
        self._pages_out: tuple[Path | None, dict[str, bytes]] = (None, {})
        """The last successful generation's folder and the bytes of each page written to it."""
        self._pages_now: dict[str, bytes] = {}
        self._folders: set[str] = set()
        """Folders made in the generation being built."""
        self._search = SearchReplay()
        self._page_cache = PageCache()
        self.changed: set[str] = set()
        """Output paths (relative, POSIX) that differ from the previous generation."""
        self.rendered_pages = 0

    def build(self, out_dir: Path, previous: Path | None) -> BuildResult:
        """Build into the empty folder `out_dir`; `previous` is the last complete generation."""
        self._linked, self._pages_now, self._folders = set(), {}, set()
        self.rendered_pages = 0

        def run(capture: _Capture) -> tuple[MkDocsConfig, ExplainerPlugin]:
            config = self._config_for(capture)
            plugin = _explainer(config, self.config_file)
            config.site_dir = str(out_dir)
            # MkDocs keeps one instance of a plugin per process: claim it for this build.
            config.plugins.on_startup(command="serve", dirty=False)
            plugin.page_cache, plugin.previous_output = self._page_cache, previous
            plugin.check_sources = plugin.strict_sources = False  # as `site-builder build`
            try:
                self._run(config, out_dir, previous)
            except Abort:
                pass  # reported through the plugin's collector and the captured log
            finally:
                plugin.page_cache, plugin.previous_output = None, None
            return config, plugin

        result = run_captured(self.config_file, self.strict, False, run)
        self.changed = self._diff(out_dir, previous) if result.ok else set()
        if result.ok:
            self._pages_out = (out_dir, self._pages_now)
        return result

    @property
    def rendered_sources(self) -> list[str]:
        """Pages (source paths) whose markdown was rendered, not reused, in the last build."""
        return list(self._page_cache.rendered)

    @property
    def mount(self) -> str:
        """The URL path of `site_url` (`/repo/`), where the preview serves the site, as `mkdocs serve` does."""
        path = urlsplit(self.config.site_url or "/").path if self.config else "/"
        return path if path.endswith("/") else path + "/"

    def close(self) -> None:
        if self.config is not None:
            self.config.plugins.on_shutdown()
            self.config = None

    def _config_for(self, capture: _Capture) -> MkDocsConfig:
        digest = _digest(self.config_file.read_bytes())
        if self.config is None or digest != self._config_digest:
            self.close()
            self._env, self._template_sigs, self._static_sigs, self._theme_sig, self._renders = None, {}, {}, "", {}
            self._search = SearchReplay()
            self.config = _load(self.config_file, None, self.strict, capture)
            self._page_cache = PageCache()
            self._config_digest = digest
        return self.config

    def _theme_env(self, config: MkDocsConfig) -> Any:
        signature = _theme_signature(config)
        if self._env is None or signature != self._theme_sig:
            self._env, self._theme_sig, self._template_sigs, self._renders = config.theme.get_env(), signature, {}, {}
        return self._env

    def _add_theme_files(self, files: Files, env: Any, config: MkDocsConfig) -> None:
        """`Files.add_files_from_theme`, remembered while the theme and the docs' file set are the same
        (listing and filtering the theme's hundreds of files is a large part of a small rebuild)."""
        key = (self._theme_sig, tuple(sorted(f.src_uri for f in files)))
        if self._theme_files is None or self._theme_files[0] != key:
            before = {id(f) for f in files}
            files.add_files_from_theme(env, config)
            self._theme_files = (key, [(f.src_uri, f.src_dir or "") for f in files if id(f) not in before])
            return
        for src_uri, src_dir in self._theme_files[1]:
            files.append(File(src_uri, src_dir, config.site_dir, config.use_directory_urls))

    def _run(self, config: MkDocsConfig, out_dir: Path, previous: Path | None) -> None:
        """`mkdocs.commands.build.build` for a fresh folder, with unchanged work skipped."""
        try:
            config = config.plugins.on_config(config)
            config.plugins.on_pre_build(config=config)
            files = get_files(config)
            env = self._theme_env(config)
            self._add_theme_files(files, env, config)
            files = config.plugins.on_files(files, config=config)
            set_exclusions(files, config)
            nav = config.plugins.on_nav(get_navigation(files, config), config=config, files=files)
            doc_files = files.documentation_pages(inclusion=InclusionLevel.is_included)
            pages = [file.page for file in doc_files if file.page is not None]
            assert len(pages) == len(doc_files), "the explainer plugin makes a page for every markdown file"
            for page in pages:
                _populate_page(page, config, files)
            env = config.plugins.on_env(env, config=config, files=files)
            self._copy_static(files, out_dir, previous)
            nav_sig = _digest(_nav_signature(nav.items), [(f.src_uri, f.url) for f in doc_files],
                              [p.update_date for p in pages])
            for template in config.theme.static_templates:
                self._build_theme_template(template, (files, nav, env), config, (out_dir, previous), nav_sig)
            for template in config.extra_templates:
                _build_extra_template(template, files, config, nav)
            for page in pages:
                self._build_page(page, config, (doc_files, nav, env), (out_dir, previous), nav_sig)
            for page in pages:
                page.validate_anchor_links(files=files, log_level=config.validation.links.anchors)
            config.plugins.on_post_build(config=config)
        except Exception as exc:
            config.plugins.on_build_error(error=exc)
            if isinstance(exc, BuildError):
                log.error(str(exc))
                raise Abort("Aborted with a BuildError!") from None
            raise

    def _copy_static(self, files: Files, out: Path, previous: Path | None) -> None:
        docs_dir = os.path.join(self.config.docs_dir, "") if self.config else os.sep
        for file in files:
            if file.is_documentation_page() or not file.inclusion.is_included():
                continue
            signature = self._static_signature(file, docs_dir)
            unchanged = self._static_sigs.get(file.dest_uri) == signature
            if previous is not None and unchanged and _link(previous, out, file.dest_uri, self._folders):
                self._linked.add(file.dest_uri)
                continue
            file.copy_file()
            self._static_sigs[file.dest_uri] = signature

    @staticmethod
    def _static_signature(file: File, docs_dir: str) -> tuple[Any, ...]:
        """The author's files by content; installed theme assets by their file status."""
        if file.abs_src_path is None:
            return ("content", _digest(file.content_bytes))
        if file.abs_src_path.startswith(docs_dir):
            return (file.abs_src_path, _file_digest(file.abs_src_path))
        stat = os.stat(file.abs_src_path)
        return (file.abs_src_path, stat.st_size, stat.st_mtime_ns, stat.st_ino)

    def _build_theme_template(self, name: str, theme: tuple[Files, Navigation, Any], config: MkDocsConfig,
                              folders: tuple[Path, Path | None], nav_sig: str) -> None:
        """404.html and sitemap.xml list the whole site: rendered again only when the nav changed."""
        files, nav, env = theme
        out, previous = folders
        key = f"template:{name}"
        outputs = [name, f"{name}.gz"] if name == "sitemap.xml" else [name]
        signature = _digest(nav_sig, self._theme_sig, name)
        if previous is not None and self._template_sigs.get(key) == signature and all(
                (previous / rel).is_file() for rel in outputs):
            for rel in outputs:
                _link(previous, out, rel)
                self._linked.add(rel)
            return
        _build_theme_template(name, env, files, config, nav)
        self._template_sigs[key] = signature

    def _build_page(self, page: Page, config: MkDocsConfig, theme: tuple[Sequence[File], Navigation, Any],
                    folders: tuple[Path, Path | None], nav_sig: str) -> None:
        """MkDocs' `_build_page`, with the theme render skipped when its inputs are unchanged. Every
        plugin hook still runs for every page (plugins collect pages for the feed and social cards)."""
        doc_files, nav, env = theme
        config._current_page, page.active = page, True
        try:
            # Taken before the hooks: the search plugin strips attributes from the content.
            # Kept as a tuple, compared by `==`: a reused page's content is the very same string
            # object, so comparing is nearly free where digesting it would hash the whole page.
            page_sig = (
                nav_sig, self._theme_sig, page.url, page.file.src_uri, str(page.title), page.content,
                _toc(page.toc), repr(page.meta), page.update_date, page.edit_url, page.canonical_url,
                [(str(p.title), p.url) if p else None for p in (page.previous_page, page.next_page)],
            )
            context = get_context(nav, doc_files, config, page)
            base_keys = set(context)
            others, search = self._search.split(config)
            for method in others:
                context = _run_hook(method, context, page, config, nav)
            # What plugins add to the context (the explainer's layout data) is an input of the render.
            added = sorted((k, repr(v)) for k, v in context.items() if k not in base_keys)
            signature = (page_sig, added)
            dest = page.file.dest_uri
            cached = self._renders.get(dest)
            if cached is not None and cached[0] == signature and self._search.can_replay(dest):
                self._search.replay(search, dest)
                output = cached[1]
            else:
                context = self._search.index(search, context, page, config, nav)
                output = env.get_template(page.meta.get("template", "main.html")).render(context)
                self._renders[dest] = (signature, output)
                self.rendered_pages += 1
            output = config.plugins.on_post_page(output, page=page, config=config)
            if output.strip():
                self._write(output.encode("utf-8", errors="xmlcharrefreplace"), dest, folders)
        except Exception as exc:
            log.error(f"Error building page '{page.file.src_uri}':" + ("" if isinstance(exc, BuildError) else f" {exc}"))
            raise
        finally:
            config._current_page, page.active = None, False

    def _write(self, data: bytes, rel: str, folders: tuple[Path, Path | None]) -> None:
        """Write an output, or hard-link the previous generation's if it has the same bytes."""
        out, previous = folders
        self._pages_now[rel] = data
        # The bytes of the previous generation's page are remembered: no need to read it to compare.
        last_root, last_pages = self._pages_out
        if previous is None:
            write_or_link(out / rel, data)
        elif (last_root == previous and last_pages.get(rel) == data and _link(previous, out, rel, self._folders)
              or write_or_link(out / rel, data, previous / rel)):
            self._linked.add(rel)

    def _diff(self, out_dir: Path, previous: Path | None) -> set[str]:
        """Outputs new, changed or gone since `previous` (hard-linked ones are unchanged)."""
        now = _all_files(out_dir, prune=True)
        # A generation does not change once built: the previous one's listing is remembered.
        listed, self._listing = self._listing, (out_dir, now)
        if previous is None:
            return now
        before = listed[1] if listed is not None and listed[0] == previous else _all_files(previous)
        changed = (before - now) | (now - before)
        for rel in (now & before) - self._linked:
            if not filecmp.cmp(out_dir / rel, previous / rel, shallow=False):
                changed.add(rel)
        return changed


def _all_files(root: Path, prune: bool = False) -> set[str]:
    """Every file under `root`, relative, with `/` separators; `prune`: folders without files are
    removed (the server may hand the builder a recycled tree's folders)."""
    found: set[str] = set()
    empty: set[str] = set()
    for dirpath, dirs, names in os.walk(root, topdown=False):
        prefix = os.path.relpath(dirpath, root).replace(os.sep, "/")
        found.update(name if prefix == "." else f"{prefix}/{name}" for name in names)
        if prune and prefix != "." and not names and all(os.path.join(dirpath, d) in empty for d in dirs):
            os.rmdir(dirpath)
            empty.add(dirpath)
    return found

def watched_sources(config_file: Path, config: MkDocsConfig | None) -> tuple[list[Path], list[Path]]:
    """(folders, files) whose changes can change the site: docs_dir, theme overrides, `watch:`."""
    root = config_file.parent
    if config is None:  # mkdocs.yml does not load yet: the usual places
        return [root / "content", root / "templates"], [config_file]
    folders = [Path(config.docs_dir)]
    if config.theme.custom_dir:
        folders.append(Path(config.theme.custom_dir))
    folders += [Path(p) for p in config.watch]
    return [f.resolve() for f in folders], [config_file]
