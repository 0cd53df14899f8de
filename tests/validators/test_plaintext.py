"""refs/plaintext-secret: secrets written in plain text into rendered manifests (defence in depth)."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from genai_gitops import cache_keys
from genai_gitops.cache import DiskCache, MemoryCache
from genai_gitops.manifests.reader import read_text
from genai_gitops.validators.base import Target
from genai_gitops.validators.plaintext import plaintext_findings
from genai_gitops.validators.refs import RefsValidator
from genai_gitops.validators.registry import ValidatorOptions

HOW = ("a secret in a manifest is readable by anyone who can read the object and is committed to git; keep it in "
       "AWS Secrets Manager, sync it with an ExternalSecret and read it with secretKeyRef")
KEY = base64.b64encode(b"sk-proj-A1b2C3d4E5f6G7h8I9j0").decode()

LEAKY = f"""\
apiVersion: v1
kind: Namespace
metadata:
  name: tenant-acme
  annotations: {{genai.example.com/owner-key: {KEY}}}
---
apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata: {{name: tenant-acme, namespace: argocd}}
spec:
  description: "Acme (key sk-proj-A1b2C3d4E5f6G7h8I9j0)"
---
apiVersion: v1
kind: ConfigMap
metadata: {{name: litellm-teams, namespace: central}}
data:
  teams.json: |
    {{"teams": [{{"id": "acme", "note": "{KEY}"}}]}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: web, namespace: tenant-acme}}
spec:
  template:
    spec:
      containers:
        - name: web
          image: ghcr.io/acme/web@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
          args: ["--db", "postgres://app:Sup3rS3cret@db:5432/app"]
          env:
            - {{name: DB_PASSWORD, value: hunter22}}
            - {{name: LOG_LEVEL, value: info}}
---
apiVersion: batch/v1
kind: CronJob
metadata: {{name: sync, namespace: tenant-acme}}
spec:
  schedule: "0 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: sync
              image: ghcr.io/acme/sync:1.0.0
              env: [{{name: HF_TOKEN, value: hf_AbCdEfGhIjKlMnOpQrStUvWxYz12345678}}]
"""

CLEAN = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: app
  namespace: tenant-acme
  labels: {app.kubernetes.io/name: app, genai.example.com/tenant: acme}
  annotations: {eks.amazonaws.com/role-arn: "arn:aws:iam::444455556666:role/genai-acme"}
data:
  url: https://login.microsoftonline.com/8c3f2b1e-0000-4000-8000-000000000001/v2.0
  config.yaml: |
    master_key: os.environ/LITELLM_MASTER_KEY
    database_url: os.environ/DATABASE_URL
    redis: redis://redis.tenant-acme.svc:6379/0
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: tenant-acme}
spec:
  template:
    spec:
      containers:
        - name: web
          image: docker.io/ollama/ollama:0.5.7
          env:
            - {name: DB_PASSWORD, valueFrom: {secretKeyRef: {name: db, key: password}}}
            - {name: AWS_ACCOUNT_ID, value: "444455556666"}
            - {name: CHECKSUM, value: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08}
"""


def findings(text: str) -> list[tuple[str, str, str]]:
    resources = read_text(text, "dist/x.yaml").resources
    return [(f.kind, f.rule, f.message) for f in plaintext_findings(resources, "refs")]


def test_plaintext_secrets_in_rendered_manifests() -> None:
    base64_key = "a base64-encoded OpenAI/LiteLLM key"
    assert findings(LEAKY) == [
        ("Namespace", "plaintext-secret", "metadata.annotations.genai.example.com/owner-key: this looks like "
                                          f"{base64_key} in plain text; {HOW}"),
        ("AppProject", "plaintext-secret", f"spec.description: this looks like an OpenAI/LiteLLM key in plain text; "
                                           f"{HOW}"),
        ("ConfigMap", "plaintext-secret", f"data.teams.json: this looks like {base64_key} in plain text; {HOW}"),
        ("Deployment", "plaintext-secret", "spec.template.spec.containers[0].env[DB_PASSWORD]: this looks like a "
                                           f"password or key in plain text; {HOW}"),
        ("Deployment", "plaintext-secret", "spec.template.spec.containers[0].args[1]: this looks like a password "
                                           f"in a URL in plain text; {HOW}"),
        ("CronJob", "plaintext-secret", "spec.jobTemplate.spec.template.spec.containers[0].env[HF_TOKEN]: this "
                                        f"looks like a Hugging Face token in plain text; {HOW}"),
    ]


def test_references_digests_arns_and_urls_are_not_secrets() -> None:
    assert findings(CLEAN) == []


def test_reported_by_the_refs_validator() -> None:
    resources = read_text(LEAKY, "dist/x.yaml").resources
    found = list(RefsValidator(ValidatorOptions()).validate(Target(name="x", k8s_version="1.30",
                                                                   resources=resources)))
    assert sum(f.rule == "plaintext-secret" and f.validator == "refs" for f in found) == 6


def _teams_config_map(teams: int, note: str) -> str:
    """A LiteLLM teams ConfigMap as the synth writes it (a long teams.json), plus one more document."""
    rows = "\n".join(f'      {{"team_id": "t{i:04d}", "rpm_limit": {300 + i}, "models": ["claude-sonnet"]}},'
                     for i in range(teams))
    return f"""\
apiVersion: v1
kind: ConfigMap
metadata: {{name: litellm-teams, namespace: central}}
data:
  teams.json: |
    {{"teams": [
{rows}
      {{"team_id": "last", "note": "{note}"}}]}}
  dashboard.json: |
{chr(10).join(f'    {{"panel": {i}, "title": "Requests of team t{i:04d}"}}' for i in range(teams))}
"""


@pytest.mark.parametrize("note", ["no key here", "sk-proj-A1b2C3d4E5f6G7h8I9j0K1l2", KEY])
def test_clean_lines_kept_from_the_last_run_give_the_same_findings(note: str, tmp_path: Path) -> None:
    """The refs validator keeps the clean lines of long values in the result cache (plaintext.py): a second
    run after an edit (one more team, a changed rate limit, `note` written into teams.json) reports exactly
    what a run without a cache reports. (A cache of one run only, --no-cache's, keeps nothing.)"""
    assert list(plaintext_findings(read_text(_teams_config_map(3, "no key here"), "cm.yaml").resources, "refs",
                                   cache=(memory := MemoryCache()), where="c")) == []
    assert memory.get(cache_keys.CLEAN_LINES, cache_keys.clean_lines(where="c")) is None
    cache = DiskCache(tmp_path / "cache")
    before = read_text(_teams_config_map(300, "no key here"), "dist/c/central/cm.yaml").resources
    assert list(plaintext_findings(before, "refs", cache=cache, where="c")) == []
    edited = _teams_config_map(301, note).replace('"rpm_limit": 305,', '"rpm_limit": 306,')
    after = read_text(edited, "dist/c/central/cm.yaml").resources
    warm = list(plaintext_findings(after, "refs", cache=cache, where="c"))
    assert warm == list(plaintext_findings(after, "refs"))
    assert bool(warm) == (note != "no key here")
    # and the next run is given this run's clean lines under the target's name, not another target's
    assert cache.get(cache_keys.CLEAN_LINES, cache_keys.clean_lines(where="c"))
    assert cache.get(cache_keys.CLEAN_LINES, cache_keys.clean_lines(where="other")) is None
