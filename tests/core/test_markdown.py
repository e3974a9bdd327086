"""core.markdown.render_markdown: CommonMark to HTML that is safe to print as is.

Whatever the text, no script runs: raw HTML is stripped (script, style and friends with their
content), links go only to http(s), mailto or relative addresses and carry rel=nofollow,
images and event handlers never survive. Pathological inputs at the length limit render fast.
"""

from __future__ import annotations

import re
import time

import pytest

from core.markdown import MAX_MARKDOWN_LENGTH, render_markdown


@pytest.mark.parametrize(
    "text, html",
    [
        ("", ""),
        ("   \n ", ""),
        ("**bold** and *em*", "<p><strong>bold</strong> and <em>em</em></p>"),
        ("# Title", "<h1>Title</h1>"),
        ("~~gone~~", "<p><s>gone</s></p>"),
        ("`<b>`", "<p><code>&lt;b&gt;</code></p>"),
        ("3. three\n4. four", '<ol start="3">\n<li>three</li>\n<li>four</li>\n</ol>'),
        (
            '[docs](https://example.com/a?b=1 "The docs")',
            '<p><a href="https://example.com/a?b=1" title="The docs" '
            'rel="noopener noreferrer nofollow">docs</a></p>',
        ),
        (
            "<https://example.com>",
            '<p><a href="https://example.com" rel="noopener noreferrer nofollow">'
            "https://example.com</a></p>",
        ),
        (
            "[mail](mailto:ana@example.com)",
            '<p><a href="mailto:ana@example.com" rel="noopener noreferrer nofollow">mail</a></p>',
        ),
        ("a  \nb", "<p>a<br>\nb</p>"),
    ],
)
def test_markdown_renders(text, html):
    assert render_markdown(text) == html


def test_tables_render():
    html = render_markdown("| a | b |\n|---|---|\n| 1 | 2 |")
    assert html.startswith("<table>") and "<th>a</th>" in html and "<td>2</td>" in html


def test_table_alignment_survives_as_the_align_attribute():
    """Bug fixed: markdown-it aligns cells with an inline style, which nh3 strips (and the CSP
    forbids): the alignment was lost although `align` is an allowed attribute."""
    html = render_markdown("| a | b | c |\n|:-|-:|:-:|\n| 1 | 2 | 3 |")
    assert '<th align="left">a</th>' in html and '<td align="right">2</td>' in html
    assert '<td align="center">3</td>' in html and "style" not in html
    raw = render_markdown('<table><tr><td style="color:red" align="x">1</td></tr></table>')
    assert "style" not in raw


def test_fenced_code_is_escaped_not_run():
    html = render_markdown("```\n<script>alert(1)</script>\n```")
    assert html == "<pre><code>&lt;script&gt;alert(1)&lt;/script&gt;\n</code></pre>"


HOSTILE = [
    "<script>alert(1)</script>",
    "Hi <script>alert(1)</script> there",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "![pixel](https://evil.example/track.png)",
    "<svg onload=alert(1)>",
    "<style>body{display:none}</style>",
    "<iframe src=https://evil.example></iframe>",
    "<object data=x></object>",
    "<template><script>alert(1)</script></template>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="https://example.com" onclick="alert(1)">x</a>',
    '<a href="https://example.com" target="_blank" style="color:red">x</a>',
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](  javascript:alert(1)  )",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<javascript:alert(1)>",
    "[x]: javascript:alert(1)\n\n[x]",
    "<details open ontoggle=alert(1)>x</details>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "<form action=https://evil.example><input name=password></form>",
    "<meta http-equiv=refresh content='0;url=https://evil.example'>",
    "<base href=https://evil.example/>",
    "<!-- <script>alert(1)</script> -->",
    "<a href='&#106;avascript:alert(1)'>x</a>",
    "<p onmouseover=alert(1)>hover</p>",
]

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip


@pytest.mark.parametrize("text", HOSTILE)
def test_nothing_hostile_survives(text):
    html = render_markdown(text)
    lowered = html.lower()
    for bad in ("<script", "<img", "<svg", "<style", "<iframe", "<object", "<form", "<meta"):
        assert bad not in lowered, html
    assert not re.search(r"\son[a-z]+\s*=", lowered), html  # no event handler attribute
    assert "style=" not in lowered and "target=" not in lowered, html
    for href in re.findall(r'href="([^"]*)"', html):
        assert re.match(r"(https?:|mailto:|[^:]*$)", href, re.I), html
        assert not href.lower().lstrip().startswith(("javascript", "data", "vbscript")), html
    assert set(re.findall(r"</?([a-z0-9]+)", lowered)) <= ALLOWED_TAGS, html


def test_script_content_goes_with_the_tag():
    assert render_markdown("Plan <script>document.cookie</script> **now**") == (
        "<p>Plan  <strong>now</strong></p>"
    )
    assert "alert" not in render_markdown("<style>x{}</style><script>alert(1)</script>ok")


def test_every_link_is_nofollow():
    html = render_markdown("[a](https://a.example) <a href='https://b.example'>b</a>")
    assert html.count('rel="noopener noreferrer nofollow"') == 2


@pytest.mark.parametrize(
    "text",
    [
        "[" * MAX_MARKDOWN_LENGTH,
        "*a" * (MAX_MARKDOWN_LENGTH // 2),
        "> " * (MAX_MARKDOWN_LENGTH // 2),
        "<" * MAX_MARKDOWN_LENGTH,
        "a_" * (MAX_MARKDOWN_LENGTH // 2),
        "[x](y " * (MAX_MARKDOWN_LENGTH // 6),
        "<a>" * (MAX_MARKDOWN_LENGTH // 3),
        "- " * (MAX_MARKDOWN_LENGTH // 2),
    ],
)
def test_pathological_text_at_the_limit_renders_quickly(text):
    assert len(text) <= MAX_MARKDOWN_LENGTH
    started = time.perf_counter()
    render_markdown(text)
    assert time.perf_counter() - started < 2.0
