"""What every page test checks (ORG-5, SECURITY: stored XSS, CSP): a page opens for those
who may open it and refuses the others, shows stored markup as text and runs no inline
script (the Content-Security-Policy allows none)."""

import re

XSS = "<script>alert(1)</script>"


def assert_no_inline_script(html, url):
    """No ``<script>`` without ``src`` and no ``on…=`` event handler in ``html``."""
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag, f"inline script on {url}: {tag}"
    assert not re.search(r"\son[a-z]+=", html), f"inline event handler on {url}"


def assert_pages_render_or_refuse(client, paths, world, who):
    """Open each of ``paths`` (one starting with ``{`` is filled from ``world``) as ``client``:
    200, 403 or 404; a page that opens carries no raw ``XSS`` and no inline script."""
    for path in paths:
        url = path.format(**world) if path.startswith("{") else path
        response = client.get(url)
        assert response.status_code in (200, 403, 404), (who, url, response.status_code)
        if response.status_code != 200:
            continue
        html = response.content.decode()
        assert XSS not in html, (who, url)
        assert_no_inline_script(html, url)
