"""Outside URLs that point inside are recognised in every spelling a resolver accepts (issue 18, item 8)."""

from __future__ import annotations

import pytest

from redalert_core.domain.private_urls import allowed_by, private_address
from redalert_core.domain.settings import ConfigError, validate

INSIDE = [
    "http://127.0.0.1:8080/hook",
    "http://127.1/",
    "http://2130706433/",
    "http://0x7f000001/",
    "http://017700000001/",
    "http://0.0.0.0/",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://169.254.169.254/latest/meta-data",
    "http://[fe80::1]/",
    "http://10.1.2.3/",
    "http://172.16.0.1/",
    "http://192.168.1.1/",
    "http://[fc00::1]/",
    "http://100.64.0.1/",
    "http://localhost:3000/",
    "http://LOCALHOST./",
    "http://api.localhost/",
]
OUTSIDE = [
    "https://hooks.example.com/in",
    "https://8.8.8.8/",
    "https://127.0.0.1.example.com/",
    "https://[2001:4860::8888]/",
]


@pytest.mark.parametrize("url", INSIDE)
def test_inside_addresses_are_found(url):
    assert private_address(url) is not None


@pytest.mark.parametrize("url", OUTSIDE)
def test_public_addresses_and_names_pass(url):
    assert private_address(url) is None


def test_validation_refuses_a_private_webhook_unless_allowed():
    hook = {"url": "http://169.254.169.254/x", "events": ["incident.opened"], "secret": "env:S"}
    with pytest.raises(ConfigError, match=r"link-local or private address \(169\.254\.169\.254\)"):
        validate({"WEBHOOKS": [hook]})
    assert validate({"WEBHOOKS": [hook], "ALLOW_PRIVATE_URLS": True}).integrations.allow_private_urls
    with pytest.raises(ConfigError, match="ALLOW_PRIVATE_URLS must be True or False"):
        validate({"ALLOW_PRIVATE_URLS": "yes"})


def test_the_environment_switch():
    assert allowed_by("1") and allowed_by("True") and not allowed_by("") and not allowed_by(None)
    with pytest.raises(ValueError):
        allowed_by("maybe")
