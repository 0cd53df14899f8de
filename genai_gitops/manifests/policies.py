"""Find Gatekeeper ConstraintTemplates and constraints in a policies/ tree (gatekeeper-library layout).

`<policy>/template.yaml` and `<policy>/constraint*.yaml` are enforced; `samples/` folders and
Suite files are test material and never loaded as policy.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from genai_gitops.manifests.reader import MANIFEST_SUFFIXES, read_file
from genai_gitops.manifests.resource import Resource
from genai_gitops.report.finding import Finding

CONSTRAINT_GROUP = "constraints.gatekeeper.sh"
TEST_FOLDERS = {"samples", "tests", "test"}


def is_template(resource: Resource) -> bool:
    return resource.kind == "ConstraintTemplate" and resource.group == "templates.gatekeeper.sh"


def is_constraint(resource: Resource) -> bool:
    return resource.group == CONSTRAINT_GROUP


@dataclass
class PolicyBundle:
    templates: list[Resource] = field(default_factory=list)
    constraints: list[Resource] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def policy_files(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    found: list[Path] = []
    for raw in paths:
        root = Path(raw)
        if root.is_file():
            found.append(root)
            continue
        for folder, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if d not in TEST_FOLDERS and not d.startswith("."))
            found.extend(Path(folder) / f for f in files
                         if f.endswith(MANIFEST_SUFFIXES) and not f.startswith("suite."))
    return sorted(set(found))


def load_policy_bundle(paths: Iterable[str | os.PathLike[str]]) -> PolicyBundle:
    bundle = PolicyBundle()
    for file in policy_files(paths):
        parsed = read_file(file)
        bundle.findings.extend(parsed.findings)
        for resource in parsed.resources:
            if is_template(resource):
                bundle.templates.append(resource)
            elif is_constraint(resource):
                bundle.constraints.append(resource)
    bundle.templates.sort(key=lambda r: r.name)
    bundle.constraints.sort(key=lambda r: (r.kind, r.name))
    return bundle
