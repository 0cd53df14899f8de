"""Drift findings say which fields differ, not only which file."""

from __future__ import annotations

from pathlib import Path

from genai_gitops.drift import drift_findings

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: tenant-acme
spec:
  replicas: {replicas}
  template:
    spec:
      containers:
        - name: web
          image: {image}
          args: [--port, "8080"]
"""


def write(root: Path, name: str, text: str) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / name).write_text(text)


def test_a_changed_file_names_the_fields_and_values(tmp_path: Path) -> None:
    committed, fresh = tmp_path / "committed", tmp_path / "fresh"
    write(committed, "Deployment-web.yaml", DEPLOYMENT.format(replicas=2, image="ghcr.io/acme/web:1.0.0"))
    write(fresh, "Deployment-web.yaml", DEPLOYMENT.format(replicas=3, image="ghcr.io/acme/web:1.1.0"))
    [finding] = drift_findings(committed, fresh, "dist/eu-1/tenant-acme")
    assert (finding.file, finding.rule) == ("dist/eu-1/tenant-acme/Deployment-web.yaml", "dist-changed")
    assert finding.message == (
        "differs from a fresh synth: spec.replicas: 2 -> 3; spec.template.spec.containers[0].image: "
        "'ghcr.io/acme/web:1.0.0' -> 'ghcr.io/acme/web:1.1.0'; run `make synth` and commit dist/")


def test_added_removed_and_many_fields(tmp_path: Path) -> None:
    committed, fresh = tmp_path / "committed", tmp_path / "fresh"
    write(committed, "a.yaml", "a: 1\nb: [x]\nc: {d: 1}\ne: 5\n")
    write(fresh, "a.yaml", "a: 2\nb: [x, z]\nc: {}\nf: 6\n")
    [finding] = drift_findings(committed, fresh, "argocd")
    assert finding.message == ("differs from a fresh synth: a: 1 -> 2; b[1]: (absent) -> 'z'; c.d: 1 -> (absent) "
                               "and 2 more; run `make synth` and commit argocd/")


def test_formatting_only_and_unreadable_files(tmp_path: Path) -> None:
    committed, fresh = tmp_path / "committed", tmp_path / "fresh"
    write(committed, "a.yaml", "a:   1\n")
    write(fresh, "a.yaml", "a: 1\n")
    write(committed, "b.yaml", "a: [\n")
    write(fresh, "b.yaml", "a: 1\n")
    assert [f.message for f in drift_findings(committed, fresh, "argocd")] == [
        "differs from a fresh synth (formatting only); run `make synth` and commit argocd/",
        "differs from a fresh synth; run `make synth` and commit argocd/"]
