"""The MkDocs host: the only package that imports mkdocs (`plugin` for hooks, `runner` to drive builds).

Everything else in site_builder is host-independent, so a move to another host (Zensical) means
rewriting this package only.
"""
