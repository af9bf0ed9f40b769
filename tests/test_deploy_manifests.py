"""deploy/ holds valid manifests: Kubernetes objects against the API schemas, compose.yaml against the Compose spec.

No cluster or Docker engine is needed: kubernetes-validate ships the Kubernetes JSON schemas, and the Compose
Specification's JSON schema is vendored in tests/schemas/ (Apache-2.0, see compose-spec.NOTICE).
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
from pathlib import Path

import jsonschema
import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
KUBERNETES = DEPLOY / "kubernetes"
COMPOSE_SCHEMA = Path(__file__).resolve().parent / "schemas" / "compose-spec.json"
# The oldest Kubernetes release still commonly run, and the newest the validator ships schemas for.
KUBERNETES_VERSIONS = ("1.30.0", kubernetes_validate.latest_version())
HEALTHCHECK = ["python", "-m", "redalert_core.store.healthcheck"]
# Compose's health check asks the bot's /readyz on REDALERT_METRICS_PORT (the Kubernetes probes do it over httpGet).
HTTP_PROBE = ["python", "-m", "redalert_core.observability.probe"]
METRICS_PORT = 9102
REQUIRED_SECRETS = {"SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "REDALERT_DATABASE_URL"}


def yaml_files() -> list[Path]:
    return sorted(p for p in DEPLOY.rglob("*") if p.suffix in {".yaml", ".yml"})


def kubernetes_objects() -> list[tuple[Path, dict]]:
    return [(path, doc) for path in sorted(KUBERNETES.rglob("*.yaml")) for doc in yaml.safe_load_all(path.read_text())]


def the_object(kind: str) -> dict:
    (found,) = [doc for _, doc in kubernetes_objects() if doc["kind"] == kind]
    return found


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def variables_the_bot_reads() -> set[str]:
    core = ROOT / "plugins" / "redalert" / "redalert_core"
    sources = [ROOT / "config.py", core / "store" / "healthcheck.py", *sorted((core / "integrations").rglob("*.py"))]
    return {name for source in sources for name in re.findall(r'"([A-Z][A-Z0-9_]+)"', source.read_text())}


def test_every_yaml_file_under_deploy_parses():
    files = yaml_files()
    assert {p.relative_to(DEPLOY).as_posix() for p in files} >= {
        "compose.yaml",
        "kubernetes/deployment.yaml",
        "kubernetes/poddisruptionbudget.yaml",
        "kubernetes/configmap.yaml",
        "kubernetes/secret-template/redalert-secret.yaml",
    }
    for path in files:
        docs = list(yaml.safe_load_all(path.read_text()))
        assert docs and all(isinstance(doc, dict) for doc in docs), path


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_kubernetes_manifests_pass_the_strict_api_schema(version):
    objects = kubernetes_objects()
    assert {doc["kind"] for _, doc in objects} == {
        "Deployment",
        "PodDisruptionBudget",
        "ConfigMap",
        "Secret",
        "Service",
    }
    for path, doc in objects:
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            pytest.fail(f"{path.relative_to(ROOT)}: {error.message} at {'/'.join(map(str, error.path))}")


def test_the_kubernetes_validator_catches_a_misspelled_or_mistyped_field():
    deployment = the_object("Deployment")
    misspelled = copy.deepcopy(deployment)
    misspelled["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {"periodSeconds": 10}
    mistyped = copy.deepcopy(deployment)
    mistyped["spec"]["replicas"] = "two"
    for broken in (misspelled, mistyped):
        with pytest.raises(kubernetes_validate.ValidationError):
            kubernetes_validate.validate(broken, KUBERNETES_VERSIONS[-1], strict=True)


def test_the_deployment_runs_two_probed_non_root_replicas_with_limits():
    deployment = the_object("Deployment")
    spec = deployment["spec"]
    pod = spec["template"]["spec"]
    (container,) = pod["containers"]
    assert spec["replicas"] == 2
    assert spec["selector"]["matchLabels"].items() <= spec["template"]["metadata"]["labels"].items()
    assert spec["strategy"]["rollingUpdate"]["maxUnavailable"] == 0, "a rollout must never leave fewer than 2"
    assert 0 < pod["terminationGracePeriodSeconds"] <= 60
    assert pod["securityContext"]["runAsNonRoot"] is True
    dockerfile_user = re.search(r"^USER (\d+):(\d+)$", (ROOT / "Dockerfile").read_text(), re.MULTILINE)
    assert (pod["securityContext"]["runAsUser"], pod["securityContext"]["runAsGroup"]) == tuple(
        int(n) for n in dockerfile_user.groups()
    )
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert {"cpu", "memory"} <= container["resources"]["requests"].keys()
    assert {"cpu", "memory"} <= container["resources"]["limits"].keys()
    for probe in ("startupProbe", "readinessProbe"):
        assert container[probe]["httpGet"] == {"path": "/readyz", "port": "metrics"}, probe
    # Liveness keeps the exec check: it restarts a process whose heartbeat stopped while the database answers.
    assert container["livenessProbe"]["exec"]["command"] == [*HEALTHCHECK, "--liveness"]
    assert {"secretRef": {"name": "redalert"}} in container["envFrom"]
    assert {"configMapRef": {"name": "redalert"}} in container["envFrom"]
    # Every path the read-only root file system must still write to is a volume.
    assert {m["mountPath"] for m in container["volumeMounts"]} >= {"/data", "/tmp"}


def test_the_probe_command_exists_in_the_image():
    core = ROOT / "plugins" / "redalert" / "redalert_core"
    assert (core / "store" / "healthcheck.py").is_file() and (core / "observability" / "probe.py").is_file()
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"PYTHONPATH=/app/plugins/redalert\b", dockerfile), "the image must find redalert_core"
    assert re.search(r"^WORKDIR /app$", dockerfile, re.MULTILINE)
    assert re.search(r"^COPY .* plugins \./plugins$", dockerfile, re.MULTILINE)


def test_the_budget_keeps_one_replica_through_disruptions():
    budget = the_object("PodDisruptionBudget")["spec"]
    pod_labels = the_object("Deployment")["spec"]["template"]["metadata"]["labels"]
    assert budget["minAvailable"] == 1
    assert budget["selector"]["matchLabels"].items() <= pod_labels.items()


def test_the_secret_template_holds_placeholders_the_bot_refuses():
    secret = the_object("Secret")
    values = secret["stringData"]
    assert values.keys() >= REQUIRED_SECRETS
    for name, value in values.items():
        assert "replace-with" in value, f"{name} must be an obvious placeholder"
    # config.py's own token checks reject the placeholders, so an unedited template cannot start a bot.
    assert not re.fullmatch(r"xoxb-[A-Za-z0-9-]+", values["SLACK_BOT_TOKEN"])
    assert not re.fullmatch(r"xapp-[A-Za-z0-9-]+", values["SLACK_APP_TOKEN"])
    assert "data" not in secret, "values go in stringData, readable in review; no base64 blobs"


def test_the_secret_template_is_not_applied_with_the_rest():
    # `kubectl apply -f deploy/kubernetes/` is not recursive: the template must not sit beside the other manifests.
    top_level = {doc["kind"] for path in KUBERNETES.glob("*.yaml") for doc in yaml.safe_load_all(path.read_text())}
    assert "Secret" not in top_level


def test_every_variable_the_manifests_set_is_one_the_bot_reads():
    known = variables_the_bot_reads()
    deployment_env = the_object("Deployment")["spec"]["template"]["spec"]["containers"][0]["env"]
    kubernetes_names = (
        set(the_object("ConfigMap")["data"])
        | set(the_object("Secret")["stringData"])
        | {item["name"] for item in deployment_env}
    )
    example = (DEPLOY / "redalert.env.example").read_text()
    compose_names = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", example, re.MULTILINE))
    services = compose()["services"]
    compose_names |= {name for key, s in services.items() if key != "postgres" for name in s.get("environment", {})}
    assert compose_names >= REQUIRED_SECRETS
    assert kubernetes_names - known == set()
    assert compose_names - known == set()


def test_compose_file_passes_the_compose_specification_schema():
    schema = json.loads(COMPOSE_SCHEMA.read_text())
    validator = jsonschema.Draft7Validator(schema)
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(compose())]
    assert errors == []
    # The schema is not vacuous: a wrong condition and a misspelled key are each caught.
    wrong_condition = compose()
    wrong_condition["services"]["redalert-1"]["depends_on"] = {"postgres": {"condition": "service_ready"}}
    misspelled = compose()
    misspelled["services"]["redalert-2"]["helthcheck"] = misspelled["services"]["redalert-2"].pop("healthcheck")
    for broken in (wrong_condition, misspelled):
        assert list(validator.iter_errors(broken)) != []


def test_compose_runs_two_health_checked_replicas_on_postgresql_16():
    services = compose()["services"]
    postgres = services["postgres"]
    assert re.fullmatch(r"postgres:16(\.\d+)?(-[a-z]+)?", postgres["image"])
    assert postgres["healthcheck"]["test"][:2] == ["CMD", "pg_isready"]
    assert "POSTGRES_PASSWORD" not in postgres["environment"], "the password comes from a secret file"
    replicas = {name: s for name, s in services.items() if name.startswith("redalert")}
    assert len(replicas) == 2
    assert len({s["hostname"] for s in replicas.values()}) == 2, "each replica needs its own heartbeat row"
    for name, service in replicas.items():
        assert service["environment"]["REDALERT_METRICS_PORT"] == str(METRICS_PORT), name
        assert (DEPLOY / service["build"]["context"] / service["build"]["dockerfile"]).resolve() == (
            ROOT / "Dockerfile"
        ), name
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy", name
        assert service["healthcheck"]["test"] == ["CMD", *HTTP_PROBE], name
        assert [entry["path"] for entry in service["env_file"]] == ["redalert.env"], name


def test_compose_secrets_and_env_file_stay_out_of_git():
    spec = compose()
    files = [DEPLOY / "redalert.env"] + [DEPLOY / s["file"] for s in spec["secrets"].values()]
    for path in files:
        result = subprocess.run(
            ["git", "check-ignore", "--quiet", "--no-index", str(path.relative_to(ROOT))],
            cwd=ROOT,
            capture_output=True,
            timeout=30,
        )
        assert result.returncode == 0, f"{path.relative_to(ROOT)} must be ignored by git"
    example = (DEPLOY / "redalert.env.example").read_text()
    url = re.search(r"^REDALERT_DATABASE_URL=(\S+)$", example, re.MULTILINE).group(1)
    postgres_env = spec["services"]["postgres"]["environment"]
    assert url.startswith(f"postgresql://{postgres_env['POSTGRES_USER']}:")
    assert url.endswith(f"@postgres:5432/{postgres_env['POSTGRES_DB']}")


def test_the_web_report_service_reaches_every_pods_web_port():
    service, deployment = the_object("Service"), the_object("Deployment")
    pod = deployment["spec"]["template"]
    assert service["spec"]["selector"].items() <= pod["metadata"]["labels"].items()
    ports = {port["name"]: port["containerPort"] for port in pod["spec"]["containers"][0]["ports"]}
    assert [port["targetPort"] for port in service["spec"]["ports"]] == ["web"]
    assert ports == {"web": 3141, "metrics": METRICS_PORT}
    assert 'REDALERT_WEB_PORT: "3141"' in (KUBERNETES / "configmap.yaml").read_text()  # the port the pods would use


def test_the_probes_and_prometheus_find_the_metrics_port():
    pod = the_object("Deployment")["spec"]["template"]
    assert the_object("ConfigMap")["data"]["REDALERT_METRICS_PORT"] == str(METRICS_PORT)
    assert pod["metadata"]["annotations"]["prometheus.io/port"] == str(METRICS_PORT)
    assert pod["metadata"]["annotations"]["prometheus.io/path"] == "/metrics"
