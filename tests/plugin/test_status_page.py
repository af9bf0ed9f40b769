"""`!incident publish` / `unpublish` against the Slack emulator, the final-update prompt, and the public status page
on REDALERT_STATUS_PORT: what it shows, what it never shows, and that it serves while Slack is down."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request

from plugin_support import extra_config as base_config
from plugin_support import extra_plugin_dir, loglevel, say  # noqa: F401
from response_support import channel_of, kinds, plugin, store
from slack_workspace import ALICE, BOB


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


PORT = _free_port()
extra_config = {**base_config, "REDALERT_STATUS_PORT": str(PORT)}
COMPONENTS = "[{'name': 'api', 'description': 'Public API', 'group': 'Platform'}, {'name': 'web'}]"
PROMPT = "Publish the final public update"


def configure(testbot) -> None:
    say(testbot, f"!plugin config RedAlert {{'STATUS_COMPONENTS': {COMPONENTS}}}")


def get(path: str) -> tuple[int, dict, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{PORT}{path}", timeout=5) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def prompts(slack, channel: str) -> list[str]:
    return [m["text"] for m in slack.messages(channel) if PROMPT in m.get("text", "")]


def test_publish_update_resolve_prompt_once_and_final_update(testbot, slack):
    configure(testbot)
    say(testbot, "!incident open sev1 primary db lost quorum")
    cid = channel_of(testbot, 1)
    reply = say(testbot, "!incident publish api=major_outage We are investigating errors on the API.", channel=cid)
    assert "Published incident 1 on the status page as “Major outage: api” (investigating; api major_outage)." in reply
    reply = say(testbot, "!incident publish 500 errors on some requests.", channel=cid)
    assert "Updated incident 1" in reply and store(testbot).status_page.get(1).updates[0].body.startswith("500 errors")
    say(testbot, "!incident status identified", channel=cid)
    reply = say(testbot, "!incident publish 1 web=degraded_performance We found the cause.")
    assert "Updated incident 1" in reply and "(identified; api major_outage, web degraded_performance)" in reply
    say(testbot, "!incident status resolved", channel=cid)
    assert len(prompts(slack, cid)) == 1
    say(testbot, "!incident status resolved the fix is holding", channel=cid)
    say(testbot, "!incident close 1 Fixed")
    assert len(prompts(slack, cid)) == 1  # once, though resolved twice and closed
    reply = say(testbot, "!incident publish 1 The API works normally again.")
    assert "(resolved; api operational, web operational)" in reply
    entry = store(testbot).status_page.get(1)
    assert [u.status for u in entry.updates] == ["resolved", "identified", "investigating", "investigating"]
    assert kinds(testbot, 1).count("status_published") == 4
    status, _, body = get("/api/v2/summary.json")
    summary = json.loads(body)
    assert summary["incidents"] == []  # resolved incidents leave the open list
    assert summary["status"] == {"indicator": "none", "description": "All Systems Operational"}
    status, _, page = get("/")
    assert status == 200 and "Major outage: api" in page and "The API works normally again." in page


def test_refusals_change_nothing(testbot, slack):
    configure(testbot)
    say(testbot, "!incident open sev2 cache evictions")
    say(testbot, "!incident open --private sev2 payroll export leaked")
    cid = channel_of(testbot, 1)
    cases = {
        "!incident publish 1 db=major_outage Down": '"db" is not a status page component',
        "!incident publish 1 api=broken Down": '"broken" is not a component state',
        "!incident publish 1 api=major_outage": "the text the public reads is missing",
        "!incident publish 2 Payroll is fine": "Incident 2 is private: private incidents are never published",
        "!incident unpublish 1": "Incident 1 is not on the status page",
    }
    for command, answer in cases.items():
        assert answer in say(testbot, command)
    assert "Only the commander" in say(testbot, "!incident publish 1 Slow pages.", user=BOB, channel=cid)
    assert store(testbot).status_page.get(1) is None and store(testbot).status_page.get(2) is None
    assert "status_published" not in kinds(testbot, 2)
    # A role named by PUBLISH_ROLES may publish.
    say(testbot, f"!incident role 1 communications <@{ALICE}>")
    assert "Published incident 1" in say(testbot, "!incident publish 1 Slow pages.", user=ALICE, channel=cid)
    assert "no longer on the status page" in say(testbot, "!incident unpublish 1")
    status, _, page = get("/incidents/1")
    assert status == 404 and "Slow pages." not in page


def test_the_page_shows_only_published_text_and_serves_while_slack_is_down(testbot, slack):
    configure(testbot)
    secrets = ["primary db lost quorum", "rollback of build 7781", "feature flag kill-switch", "payroll export leaked"]
    say(testbot, "!incident open sev1 primary db lost quorum")
    say(testbot, "!incident open --private sev1 payroll export leaked")
    cid = channel_of(testbot, 1)
    say(testbot, f"!incident role 1 scribe <@{BOB}>", channel=cid)
    say(testbot, "!incident update 1 rollback of build 7781")
    say(testbot, "!incident note feature flag kill-switch", channel=cid)
    say(testbot, '!incident publish api=partial_outage title="Elevated API errors" Some requests fail.', channel=cid)
    channel_name = store(testbot).incidents.get(1).channel_name
    forbidden = [*secrets, channel_name, cid, "Alice", "Bob Builder", "Ada Admin", ALICE, BOB, "U0ADMIN"]
    slack.stop()  # Slack goes away; the page reads the database only
    pages = {path: get(path) for path in ("/", "/incidents/1", "/incidents/2", "/feed.atom", "/api/v2/summary.json")}
    assert pages["/"][0] == 200 and "Elevated API errors" in pages["/"][2] and "Partial outage" in pages["/"][2]
    assert pages["/incidents/2"][0] == 404
    for path, (_, headers, body) in pages.items():
        for text in forbidden:
            assert text not in body, f"{text!r} leaked on {path}"
        assert (
            headers["X-Content-Type-Options"] == "nosniff"
            and "default-src 'none'" in headers["Content-Security-Policy"]
        )
        assert "<script" not in body
    summary = json.loads(pages["/api/v2/summary.json"][2])
    assert [c["status"] for c in summary["components"] if not c["group"]] == ["partial_outage", "operational"]
    assert summary["status"]["indicator"] == "major"
    [incident] = summary["incidents"]
    assert (
        incident["name"] == "Elevated API errors" and incident["incident_updates"][0]["body"] == "Some requests fail."
    )
    assert set(summary) == {"page", "status", "components", "incidents", "scheduled_maintenances"}
    assert pages["/feed.atom"][1]["Content-Type"].startswith("application/atom+xml")
    assert '<content type="text">Some requests fail.</content>' in pages["/feed.atom"][2]
    assert plugin(testbot).status_server is not None
