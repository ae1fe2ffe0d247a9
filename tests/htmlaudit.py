"""Find markup that a hostile string injected into a built page: the escaping audit's checker.

The hostile strings all call `alert(...)`, `msgbox` or load `src=x`; a page is clean when no element
carries an event handler, no URL attribute runs script, no executable <script> mentions them, and
no element the strings would create (an <img src=x>, an <svg>) exists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

_URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcset"}
_BAD_SCHEMES = ("javascript:", "vbscript:", "data:text/html")
_DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}


@dataclass
class Finding:
    line: int
    what: str


@dataclass
class _Audit(HTMLParser):
    findings: list[Finding] = field(default_factory=list)
    _script: tuple[int, bool] | None = None
    """(line, executable) of the open <script>."""

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        for name, value in attrs:
            text = (value or "").strip().lower().replace("\t", "").replace("\n", "")
            if name.startswith("on"):
                self.findings.append(Finding(line, f"<{tag} {name}=…> event handler"))
            if name in _URL_ATTRS and text.startswith(_BAD_SCHEMES):
                self.findings.append(Finding(line, f"<{tag} {name}={value!r}> script URL"))
        if tag in {"iframe", "object", "embed"} or (tag == "img" and dict(attrs).get("src") == "x"):
            self.findings.append(Finding(line, f"injected <{tag}>"))
        if tag == "script":
            kind = (dict(attrs).get("type") or "").lower()
            self._script = (line, kind not in _DATA_SCRIPT_TYPES and not dict(attrs).get("src"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script and self._script[1] and ("alert(" in data or "msgbox" in data):
            self.findings.append(Finding(self._script[0], "executable <script> with injected code"))


def audit_html(html: str) -> list[Finding]:
    audit = _Audit()
    audit.feed(html)
    audit.close()
    return audit.findings
