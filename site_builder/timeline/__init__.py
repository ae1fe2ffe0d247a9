"""The timeline feature: `content/data/timeline.yaml` → a filterable page at `timeline/` and slices in articles.

`model` holds what authors write, `load` validates it with positions and resolves it against the site,
`render` turns events into HTML, `slice` handles the `timeline` fence, `page` writes the generated page.
Nothing here imports MkDocs; `site_builder/host/timeline.py` is the glue.
"""
