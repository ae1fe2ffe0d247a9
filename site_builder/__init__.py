"""site-builder: a static site generator for sourced, chart-rich data explainers.

Pipeline: load (content, data, config) → model (typed, validated) → render (markdown, charts,
timeline, templates) → write. `plugin` is the one module that talks to MkDocs.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("site-builder")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
