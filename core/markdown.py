"""Markdown people write (project descriptions, status updates, handoffs, chat) to safe HTML.

markdown-it-py renders CommonMark (plus tables and strikethrough); nh3 then keeps only the
tags and attributes below, whatever the text or the renderer produced: raw HTML in the text is
stripped (a `<script>` or `<style>` with its content, any other unknown tag leaving its text),
and links go only to http(s) and mailto (no `javascript:`), followed by no search engine.
Images are not kept: an image URL would make every reader's browser call a stranger's server
(and the CSP forbids it anyway).

Services render once, when the text is written, and store the HTML beside the source; pages
print the stored HTML (`|safe` is then correct because it went through `render_markdown`).
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

MAX_MARKDOWN_LENGTH = 20_000

_TAGS = {
    "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}


def _align_attribute(state) -> None:
    """Table cells: markdown-it aligns them with style="text-align:..."; styles are stripped
    (and the CSP forbids inline ones), so say it with the align attribute that is kept."""
    for token in state.tokens:
        if token.type in ("th_open", "td_open") and token.attrs:
            style = str(token.attrs.pop("style", ""))
            if style.startswith("text-align:"):
                token.attrs["align"] = style.removeprefix("text-align:")


@lru_cache(maxsize=1)
def _renderer() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.core.ruler.push("table_align", _align_attribute)
    return md


def render_markdown(text: str) -> str:
    """Safe HTML for `text` (markdown); "" for blank text."""
    if not text or not text.strip():
        return ""
    html = _renderer().render(text)
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        clean_content_tags={"script", "style", "template", "noscript", "iframe", "object"},
        strip_comments=True,
    ).strip()
