"""The page both printables share: one self-contained HTML document with the common style,
the escaping every text from the user goes through, and the footer naming the version."""

from __future__ import annotations

import html

from formcheck import __version__
from formcheck.outputs import palette

BASE_CSS = f"""
body{{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:{palette.TEXT_HEX}}}
body{{max-width:960px;margin:2em auto;padding:0 1em}}
h1{{font-size:1.5em;margin:0 0 .2em}}
h2{{font-size:1.15em;margin:1.6em 0 .5em;border-bottom:1px solid #ccc}}
.meta{{color:#555;margin:0 0 1em}}
table{{border-collapse:collapse;width:100%;font-size:.92em}}
th,td{{border:1px solid #ccc;padding:.35em .5em;text-align:left;vertical-align:top}}
th{{background:#f3f3f3}}td.nowrap{{white-space:nowrap}}
.note{{background:{palette.NOTE_BG_HEX};border-left:4px solid {palette.NOTE_EDGE_HEX};padding:.5em .8em;margin:.5em 0}}
footer{{margin-top:2em;color:#777;font-size:.8em}}
@media print{{body{{margin:0;max-width:none}}h2{{break-after:avoid}}figure,table{{break-inside:avoid}}}}
"""


def esc(value: object) -> str:
    """``value`` as text safe inside HTML elements and quoted attributes."""
    return html.escape(str(value), quote=True)


def html_page(title: str, body: str, *, css: str = "", footer: str = "") -> str:
    """A whole UTF-8 document needing no external resources. ``title`` is escaped here;
    ``body``, ``css`` (added after the common style) and ``footer`` are HTML already."""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title><style>{BASE_CSS}{css}</style></head>
<body>
{body}
<footer>Made on this computer by formcheck {esc(__version__)}. {footer}</footer>
</body></html>
"""
