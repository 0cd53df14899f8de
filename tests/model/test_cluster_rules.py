from __future__ import annotations

from pathlib import Path

import pytest

from genai_gitops.model import ModelError
from genai_gitops.model.loader import load_inventory


def inventory_problems(path: Path) -> list[str]:
    with pytest.raises(ModelError) as info:
        load_inventory(path)
    return [str(p) for p in info.value.problems]


@pytest.mark.parametrize(("old", "new", "expected"), [
    ('kubernetes_version: "1.30"', 'kubernetes_version: "1.19"',
     "clusters.yaml: clusters[0].kubernetes_version: '1.19' is not a supported Kubernetes minor version; "
     "use '1.25' to '1.37'"),
    ("role: central", "role: hub",
     "clusters.yaml: clusters[0].role: Input should be 'central' or 'customer' (got 'hub')"),
    ("      server: https://kubernetes.default.svc\n", "      server: http://kubernetes.default.svc\n",
     "clusters.yaml: clusters[0].argocd.server: 'http://kubernetes.default.svc' is not an API server URL; use "
     "https://<host name>[:port][/path] with no user name, fragment, spaces or '..', "
     "e.g. 'https://ABC123.gr7.eu-west-1.eks.amazonaws.com'"),
    ("gpus_per_node: 1\n\n  - name: customer-eu-1", "gpus_per_node: 1\n\n  - name: central-prod",
     "clusters.yaml: clusters[1].name: 'central-prod' is listed twice"),
    # values that reach a CronJob, an S3 URL and Alertmanager: the API server or AWS would refuse them later
    ('schedule: "17 2 * * *"', 'schedule: "17 2 * * * *"',
     "clusters.yaml: clusters[0].backups.schedule: '17 2 * * * *' is not a CronJob schedule; use five fields "
     "(minute hour day-of-month month day-of-week, single spaces) or a descriptor such as '@daily', "
     "e.g. '17 2 * * *'"),
    ('schedule: "17 2 * * *"', 'schedule: "99 2 * * *"',
     "clusters.yaml: clusters[0].backups.schedule: '99 2 * * *' is not a CronJob schedule; use five fields "
     "(minute hour day-of-month month day-of-week, single spaces) or a descriptor such as '@daily', "
     "e.g. '17 2 * * *'"),
    ("bucket: genai-backups-central-prod", 'bucket: "s3://x; rm -rf /"',
     "clusters.yaml: clusters[0].backups.bucket: 's3://x; rm -rf /' is not an S3 bucket name; use 3-63 lowercase "
     "letters, digits, '-' and '.' (no '..', not an IP address), e.g. 'acme-genai-data'"),
    ('channel: "#genai-alerts"', 'channel: "#genai-alerts\\n- x"',
     "clusters.yaml: clusters[0].alerting.receivers[1].channel: '#genai-alerts\\n- x' is not a Slack channel; "
     "write '#' and the channel's name (lowercase letters, digits, '-' and '_'), or its id, e.g. '#genai-alerts'"),
])
def test_inventory_rules(data_copy: Path, monkeypatch, old: str, new: str, expected: str) -> None:
    monkeypatch.chdir(data_copy)
    path = data_copy / "clusters.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    assert expected in inventory_problems(Path("clusters.yaml"))
