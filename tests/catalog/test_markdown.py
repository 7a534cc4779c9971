"""The brief's Markdown becomes HTML that cannot run script or escape the page."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from catalog.markdown import plain_text, render

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<iframe src=https://evil.example></iframe>",
    "<div style=\"position:fixed;inset:0\">cover the page</div>",
    "<style>body{display:none}</style>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<a href=\"https://ok.example\" onclick=\"alert(1)\">x</a>",
    "<form action=https://evil.example><button>go</button></form>",
    "<object data=x></object><embed src=x>",
    "<meta http-equiv=refresh content=0;url=https://evil.example>",
]

SAFE_TAGS = {"p", "br", "hr", "h3", "h4", "h5", "h6", "strong", "em", "code", "pre",
             "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td",
             "s", "del"}


class _Elements(HTMLParser):
    """Every element and attribute a browser would build from the HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


def elements(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    parser = _Elements()
    parser.feed(html)
    return parser.found


@pytest.mark.parametrize("payload", PAYLOADS)
def test_dangerous_input_comes_out_inert(payload: str) -> None:
    html = str(render(f"Intro\n\n{payload}\n\nOutro"))
    for tag, attrs in elements(html):
        assert tag in SAFE_TAGS, (payload, html)
        for name, value in attrs:
            assert not name.startswith("on") and name != "style", (payload, html)
            if name == "href":
                assert (value or "").lower().startswith(("https:", "http:", "mailto:")), html


def test_a_safe_link_keeps_working_but_cannot_reach_the_opener() -> None:
    [(tag, attrs)] = elements(str(render("[site](https://ok.example)")))[1:]
    assert tag == "a" and ("href", "https://ok.example") in attrs
    assert ("rel", "noopener noreferrer nofollow ugc") in attrs


def test_ordinary_markdown_renders() -> None:
    html = str(render("# Goal\n\n**Bold** and *em*, a [link](https://example.org), `code`.\n\n"
                      "- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |"))
    assert "<strong>Bold</strong>" in html
    assert "<em>em</em>" in html
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow ugc">link</a>' in html
    assert "<li>one</li>" in html and "<table>" in html and "<code>code</code>" in html


def test_headings_are_demoted_below_the_page_heading() -> None:
    html = str(render("# Top\n\n## Next"))
    assert "<h3>Top</h3>" in html and "<h4>Next</h4>" in html
    assert "<h1" not in html and "<h2" not in html


def test_typed_html_is_shown_as_text() -> None:
    assert "&lt;b&gt;hi&lt;/b&gt;" in str(render("<b>hi</b>"))


def test_plain_text_strips_markup() -> None:
    assert plain_text("## Title\n\nSome **bold** & more") == "Title Some bold & more"
