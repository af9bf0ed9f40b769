"""Standard Webhooks 1.0 rules at configuration: the secret's form, the delivery timeout, webhook names."""

from __future__ import annotations

import base64

import pytest

from redalert_core.domain.settings import ConfigError, validate
from redalert_core.domain.webhook_rules import secret_problem

GOOD = "whsec_" + base64.b64encode(b"\x01" * 32).decode()


def hook(**extra: object) -> dict:
    return {
        "url": "https://hooks.example.com/in?token=abc",
        "events": ["incident.opened"],
        "secret": "env:HOOK",
        **extra,
    }


def faults(config: dict, environ: dict[str, str]) -> list[str]:
    with pytest.raises(ConfigError) as info:
        validate(config, environ=environ)
    return info.value.faults


@pytest.mark.parametrize("size", [24, 32, 64])
def test_whsec_and_base64_of_24_to_64_bytes_is_a_secret(size: int) -> None:
    assert secret_problem("whsec_" + base64.b64encode(bytes(range(size))).decode()) is None


@pytest.mark.parametrize(
    ("secret", "reason"),
    [
        (base64.b64encode(b"k" * 32).decode(), "must start with whsec_"),
        ("whsec_not base64!", "standard base64"),
        ("whsec_" + base64.b64encode(b"k" * 32).decode().rstrip("="), "standard base64"),
        ("whsec_" + base64.b64encode(b"k" * 23).decode(), "24 to 64 random bytes, not 23"),
        ("whsec_" + base64.b64encode(b"k" * 65).decode(), "24 to 64 random bytes, not 65"),
    ],
)
def test_anything_else_is_refused_with_the_reason(secret: str, reason: str) -> None:
    assert reason in (secret_problem(secret) or "")


def test_configuration_refuses_a_bad_secret_without_showing_it() -> None:
    weak = "whsec_" + base64.b64encode(b"short").decode()
    (fault,) = faults({"WEBHOOKS": [hook()]}, {"HOOK": weak})
    assert "the secret in HOOK is refused" in fault and "not 5" in fault and weak not in fault
    (missing,) = faults({"WEBHOOKS": [hook()]}, {})
    assert "HOOK is refused: it is not set" in missing


def test_a_good_secret_is_accepted_and_the_webhook_named_by_its_host() -> None:
    settings = validate({"WEBHOOKS": [hook(), hook(url="https://hooks.example.com/other")]}, environ={"HOOK": GOOD})
    assert [h.name for h in settings.integrations.webhooks] == ["hooks.example.com", "hooks.example.com-2"]
    named = validate({"WEBHOOKS": [hook(name="audit")]}, environ={"HOOK": GOOD}).integrations.webhooks[0]
    assert named.name == "audit"


def test_names_must_be_simple_and_distinct() -> None:
    assert "the name must be" in faults({"WEBHOOKS": [hook(name="a b")]}, {"HOOK": GOOD})[0]
    taken = faults({"WEBHOOKS": [hook(name="x"), hook(name="x")]}, {"HOOK": GOOD})
    assert 'the name "x" is taken' in taken[0]


def test_the_delivery_timeout_follows_the_spec_recommendation() -> None:
    assert validate({}).integrations.webhook_timeout == 15
    assert validate({"WEBHOOK_TIMEOUT_SECONDS": 30}).integrations.webhook_timeout == 30
    for bad in (10, 31, "20", True):
        (fault,) = faults({"WEBHOOK_TIMEOUT_SECONDS": bad}, {})
        assert fault.startswith("WEBHOOK_TIMEOUT_SECONDS must be")
