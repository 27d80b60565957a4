"""The Kubernetes manifests and the Grafana dashboard, checked as a cluster and Grafana would
take them: every built-in object against the Kubernetes schemas (kubernetes-validate, the
latest version it ships, strictly: no unknown fields), the Prometheus Operator's
ServiceMonitor against the fields it uses, and every metric the autoscaler, the adapter and
the dashboard read present in a live app's /metrics."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import kubernetes_validate
import pytest
import yaml
from kubernetes_validate.utils import latest_version

ROOT = Path(__file__).resolve().parents[2]
MANIFESTS = sorted((ROOT / "docker" / "k8s").glob("*.yaml"))
DASHBOARD = ROOT / "docker" / "grafana" / "roen-dashboard.json"
# Kinds from custom resource definitions: no schema ships with Kubernetes.
CUSTOM = {"ServiceMonitor"}
SERVICE_MONITOR = {  # the part of the Prometheus Operator's CRD roen uses
    "type": "object",
    "required": ["apiVersion", "kind", "metadata", "spec"],
    "properties": {
        "apiVersion": {"const": "monitoring.coreos.com/v1"},
        "spec": {
            "type": "object",
            "required": ["selector", "endpoints"],
            "additionalProperties": False,
            "properties": {
                "selector": {"type": "object", "required": ["matchLabels"]},
                "endpoints": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {
                            "port": {"type": "string"},
                            "path": {"type": "string"},
                            "interval": {"type": "string", "pattern": "^[0-9]+[smh]$"},
                        },
                    },
                },
            },
        },
    },
}


def objects() -> list[tuple[str, dict]]:
    return [
        (path.name, doc)
        for path in MANIFESTS
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8"))
        if doc
    ]


@pytest.mark.parametrize(
    ("name", "doc"), objects(), ids=lambda v: v if isinstance(v, str) else v["kind"]
)
def test_every_manifest_is_valid(name, doc):
    if doc["kind"] in CUSTOM:
        jsonschema.validate(doc, SERVICE_MONITOR)
    else:
        kubernetes_validate.validate(doc, latest_version(), strict=True)


def test_the_pieces_name_each_other():
    found = {(doc["kind"], doc["metadata"]["name"]): doc for _, doc in objects()}
    deployment = found[("Deployment", "roen")]
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    ports = {p["name"] for p in deployment["spec"]["template"]["spec"]["containers"][0]["ports"]}
    service = found[("Service", "roen")]
    assert service["spec"]["selector"].items() <= labels.items()
    monitor = found[("ServiceMonitor", "roen")]
    assert (
        monitor["spec"]["selector"]["matchLabels"].items() <= service["metadata"]["labels"].items()
    )
    assert (
        {e["port"] for e in monitor["spec"]["endpoints"]}
        <= {p["name"] for p in service["spec"]["ports"]}
        <= ports
    )
    assert (
        found[("PodDisruptionBudget", "roen")]["spec"]["selector"]["matchLabels"].items()
        <= labels.items()
    )
    hpa = found[("HorizontalPodAutoscaler", "roen")]
    assert hpa["spec"]["scaleTargetRef"]["name"] == "roen"
    (metric,) = hpa["spec"]["metrics"]
    assert metric["type"] == "Pods"  # the queue, not CPU
    rules = yaml.safe_load(found[("ConfigMap", "roen-adapter-rules")]["data"]["config.yaml"])
    served = {r["name"]["as"] for r in rules["rules"]}
    assert metric["pods"]["metric"]["name"] in served


def _metric_names(expression: str) -> set[str]:
    names = set(re.findall(r"\b(roen_[a-z_]+)", expression))
    return {re.sub(r"_(bucket|sum|count|total)$", "", n) for n in names}


def test_what_the_dashboard_and_the_autoscaler_read_is_exported(make_client):
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    wanted = {
        n for p in dashboard["panels"] for t in p["targets"] for n in _metric_names(t["expr"])
    }
    rules = next(d for _, d in objects() if d["kind"] == "ConfigMap")
    wanted |= _metric_names(rules["data"]["config.yaml"])
    with make_client() as client:
        client.post("/v1/translate", json={"text": "Bună ziua."})
        exported = {
            re.sub(r"_(bucket|sum|count|total|created)$", "", line.split()[2])
            for line in client.get("/metrics").text.splitlines()
            if line.startswith("# TYPE")
        }
    assert wanted and wanted <= exported, wanted - exported
    assert len({p["id"] for p in dashboard["panels"]}) == len(dashboard["panels"])
