"""The Content-Security-Policy check a page's HTML must pass (tests/site/test_csp.py walks the
pages; other tests check the pages they render): no inline script or style."""

from __future__ import annotations

import re

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S | re.I)
STYLE_ATTR = re.compile(r"<[^>]+\sstyle\s*=", re.I)
HANDLER_ATTR = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
STYLE_BLOCK = re.compile(r"<style\b", re.I)


def assert_csp_clean(html: str, url: str) -> None:
    bodies = [body for body in INLINE_SCRIPT.findall(html) if body.strip()]
    assert not bodies, f"{url}: inline <script> body {bodies[0][:80]!r}"
    assert not STYLE_ATTR.search(html), f"{url}: style= attribute"
    assert not HANDLER_ATTR.search(html), f"{url}: on*= handler attribute"
    assert not STYLE_BLOCK.search(html), f"{url}: <style> block"
