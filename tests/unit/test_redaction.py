"""Token-like text is scrubbed from what outside systems answer; configuration is masked for display (issue 18)."""

from __future__ import annotations

import pytest

from redalert_core.domain.redaction import MASK, mask_config, mask_url, scrub_tokens


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("POST https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX failed", "XXXXXXXXXXXX"),
        ("no route /services/T0A1B2C3D/B0A1B2C3D/abc123abc123 here", "T0A1B2C3D"),
        ("see https://api.trello.com/1/cards?key=k123&token=ATTAxyz", "ATTAxyz"),
        ("token=abc123 was refused", "abc123"),
        ("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig", "eyJhbGci"),
        ("bad xoxb-1234-5678-abcdef", "xoxb-1234"),
        ("key 0123456789abcdef0123456789abcdef", "0123456789abcdef"),
        ("https://bot:hunter2@wiki.example.com/wiki", "hunter2"),
    ],
)
def test_token_like_text_is_scrubbed(text, secret):
    scrubbed = scrub_tokens(text)
    assert secret not in scrubbed and MASK in scrubbed


@pytest.mark.parametrize(
    "text",
    ["Event object is invalid", "A page already exists: sev1-20261127-checkout-is-down", "retry at 2026-11-27 10:00"],
)
def test_ordinary_messages_stay(text):
    assert scrub_tokens(text) == text


def test_urls_keep_scheme_host_and_port_only():
    assert mask_url("https://hooks.example.com:8443/in/abc?x=1") == f"https://hooks.example.com:8443/{MASK}"
    assert mask_url("https://hooks.example.com") == "https://hooks.example.com"


def test_config_masks_keys_tokens_and_url_paths_but_keeps_env_references():
    shown = mask_config(
        {
            "PAGERDUTY_ROUTING_KEYS": {"sev1": "K" * 32, "sev2": "env:PD_SEV2"},
            "WEBHOOKS": [{"url": "https://h.example.com/hook/s3cr3tpath?sig=1", "events": ["x"], "secret": "env:S"}],
            "LIST_LIMIT": 20,
        }
    )
    assert shown["PAGERDUTY_ROUTING_KEYS"] == {"sev1": MASK, "sev2": "env:PD_SEV2"}
    assert shown["WEBHOOKS"][0] == {"url": f"https://h.example.com/{MASK}", "events": ["x"], "secret": "env:S"}
    assert shown["LIST_LIMIT"] == 20
