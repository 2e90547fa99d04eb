"""The message HTML sanitiser (answerpal.mail_html): hostile markup of real phishing and XSS mails is removed,
the formatting mail needs survives, plain text with angle brackets is not taken for HTML, and the derived text
never contains what a script or style element held."""

import pytest

from answerpal.mail_html import html_is_markup, html_text, message_html_clean

HOSTILE = [
    ("<p>Hi</p><script>alert(document.cookie)</script>", ["<script", "alert", "cookie"]),
    ('<img src="https://x.test/a.png" onerror="alert(1)">', ["onerror", "alert"]),
    (
        '<body onload="steal()"><p onclick="x()" onmouseover="y()">t</p></body>',
        ["onload", "onclick", "onmouse", "steal"],
    ),
    ('<a href="javascript:alert(1)">a</a><a href="JaVaScRiPt:alert(2)">b</a>', ["javascript", "alert"]),
    ('<a href="&#106;avascript:alert(1)">a</a><a href="java&#x09;script:alert(1)">b</a>', ["script:", "alert"]),
    ('<a href="vbscript:msgbox(1)">v</a><a href=" javascript:alert(1)">s</a>', ["vbscript", "script:", "msgbox"]),
    ('<a href="data:text/html;base64,PHNjcmlwdD4=">d</a><img src="data:image/svg+xml;base64,PHN2Zz4=">', ["data:"]),
    ('<div style="width: expression(alert(1)); color: red">e</div>', ["expression", "alert"]),
    ('<div style="background: url(javascript:alert(1))">u</div>', ["url(", "javascript"]),
    (
        '<span style="color: \\72 ed; behavior: url(x.htc); -moz-binding: url(x.xml#x)">s</span>',
        ["\\", "behavior", "binding"],
    ),
    (
        '<svg onload="alert(1)"><foreignObject><p>t</p></foreignObject><script>x()</script></svg>',
        ["svg", "onload", "foreign"],
    ),
    ('<math><mi xlink:href="javascript:alert(1)">m</mi></math>', ["math", "xlink", "javascript"]),
    (
        '<iframe src="https://evil.test"></iframe><object data="x.swf"></object><embed src="x.swf">',
        ["iframe", "object", "embed", "evil", "swf"],
    ),
    (
        '<form action="https://evil.test/login"><input name="password"><button>Log in</button></form>',
        ["form", "input", "evil", "Log in"],
    ),
    (
        '<base href="https://evil.test/"><meta http-equiv="refresh" content="0;url=https://evil.test">',
        ["base", "meta", "refresh", "evil"],
    ),
    ("<style>body{background:url(https://track.test/p)}</style><p>x</p>", ["<style", "track", "background"]),
    ('<img src="/api/Tickets/1" alt="relative"><a href="../Customers">r</a>', ["/api", 'Customers"']),
    ('<p id="main" class="ap-admin-banner">DOM</p>', ["id=", "class="]),
    ("<!--[if mso]><script>x()</script><![endif]--><p>c</p>", ["<!--", "script", "x()"]),
]


@pytest.mark.parametrize(("html", "forbidden"), HOSTILE)
def test_hostile_markup_is_removed(html, forbidden):
    cleaned = message_html_clean(html)
    for fragment in forbidden:
        assert fragment.lower() not in cleaned.lower(), (fragment, cleaned)
    assert message_html_clean(cleaned) == cleaned  # a fixed point: nothing left to remove


def test_mail_formatting_survives():
    html = (
        "<p style=\"color: #333333; font-family: 'Segoe UI', Arial, sans-serif; font-size: 11pt\">Dear <b>Ann</b>, "
        "<i>thanks</i> <u>a lot</u>.</p>"
        '<ul><li>one</li><li>two</li></ul><ol start="3"><li>three</li></ol><blockquote>quoted</blockquote>'
        '<table border="1" cellpadding="4" width="100%"><tr><th colspan="2">Order</th></tr>'
        '<tr><td style="background-color: rgb(238, 238, 238)">A-1</td><td align="right">12.50</td></tr></table>'
        '<p><a href="https://shop.test/orders/1">your order</a> · <a href="mailto:help@shop.test">mail us</a> · '
        '<a href="tel:+3212345678">call</a></p>'
        '<img src="cid:logo@01DA" alt="Logo" width="120"><img src="https://cdn.shop.test/banner.png" alt="Banner">'
        '<font color="#ff0000" face="Arial">red</font><br><h2>Heading</h2><hr><pre>code</pre>'
    )
    cleaned = message_html_clean(html)
    for kept in (
        "<b>Ann</b>",
        "<i>thanks</i>",
        "<u>a lot</u>",
        "<li>one</li>",
        '<ol start="3">',
        "<blockquote>quoted</blockquote>",
        '<th colspan="2">Order</th>',
        '<td align="right">12.50</td>',
        'style="background-color: rgb(238, 238, 238)"',
        "font-family: 'Segoe UI', Arial, sans-serif",
        'href="https://shop.test/orders/1"',
        'href="mailto:help@shop.test"',
        'href="tel:+3212345678"',
        'src="cid:logo@01DA"',
        'src="https://cdn.shop.test/banner.png"',
        '<font color="#ff0000" face="Arial">red</font>',
        "<h2>Heading</h2>",
        "<pre>code</pre>",
    ):
        assert kept in cleaned, (kept, cleaned)
    assert 'rel="noopener noreferrer nofollow"' in cleaned


def test_full_documents_keep_only_their_body():
    html = (
        "<!DOCTYPE html><html><head><title>Newsletter</title><style>p{color:red}</style></head>"
        "<body><p>Body text</p></body></html>"
    )
    assert message_html_clean(html) == "<p>Body text</p>"


@pytest.mark.parametrize(
    ("text", "is_markup"),
    [
        ("use <Ctrl>+<F5>", False),
        ("if a < b and c > d", False),
        ("<bogus>", False),
        ("Press <Enter> twice", False),
        ("<p>Hello</p>", True),
        ("Line<br>next", True),
        ("<B>bold</B>", True),
        ("<script>x</script>", True),
        ("<!-- note -->", True),
        ("", False),
    ],
)
def test_html_is_markup(text, is_markup):
    assert html_is_markup(text) is is_markup


def test_html_text_keeps_words_not_code():
    html = (
        "<html><head><style>p{color:red}</style><title>T</title></head><body>"
        "<p>Hello <b>John</b>, thanks</p><script>steal()</script><div>one<br>two</div>"
        "<ul><li>a</li><li>b</li></ul><table><tr><td>c1</td><td>c2</td></tr></table></body></html>"
    )
    assert html_text(html) == "Hello John, thanks\none\ntwo\na\nb\nc1 c2"
    assert html_text("") == "" and message_html_clean("") == ""
