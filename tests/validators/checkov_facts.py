"""Run by test_checkov.py under checkov's own interpreter: what the installed checkov reads, as JSON.

checkov_classes.judged_view leaves ConfigMap data and `checksum/` template annotations out of the class
key because no check reads them; this prints the facts that claim rests on, so a checkov upgrade that
changes them fails the test instead of silently reusing judgements.
"""

import json
import pathlib
import re

import checkov
import checkov.kubernetes.checks.resource.k8s  # importing it registers every resource check
from checkov.kubernetes.checks.resource.registry import registry

root = pathlib.Path(checkov.__file__).parent / "kubernetes"
configmap = sorted({c.id for kind, checks in registry.checks.items() if kind == "ConfigMap" for c in checks})
wildcard = sorted({c.id for checks in getattr(registry, "wildcard_checks", {}).values() for c in checks})
graph = sorted(p.name for p in (root / "checks/graph_checks").rglob("*.json") if "ConfigMap" in p.read_text())
READS = re.compile(r"""annotations["'\]]|\.annotations|get\(["']annotations""")
annotations = sorted(str(p.relative_to(root)) for p in root.rglob("*.py") if READS.search(p.read_text()))
print(json.dumps({"configmap": configmap, "wildcard": wildcard, "graph": graph, "annotations": annotations}))
