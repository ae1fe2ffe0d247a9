"""Publishing metadata: head tags for sharing, the Atom feed, social cards and the custom domain.

Pure models and writers; the MkDocs plugin feeds them each rendered page and calls `write_outputs`
once the site is built. Nothing here imports MkDocs.
"""

from site_builder.publish.meta import PageInfo, SiteInfo, head_tags
from site_builder.publish.outputs import Publisher
from site_builder.publish.social import user_cache_dir

__all__ = ["PageInfo", "Publisher", "SiteInfo", "head_tags", "user_cache_dir"]
