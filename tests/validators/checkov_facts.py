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
from checkov.version import version

root = pathlib.Path(checkov.__file__).parent / "kubernetes"
configmap = sorted({c.id for kind, checks in registry.checks.items() if kind == "ConfigMap" for c in checks})
wildcard = sorted({c.id for checks in getattr(registry, "wildcard_checks", {}).values() for c in checks})
graph = sorted(p.name for p in (root / "checks/graph_checks").rglob("*.json") if "ConfigMap" in p.read_text())
READS = re.compile(r"""annotations["'\]]|\.annotations|get\(["']annotations""")
annotations = sorted(str(p.relative_to(root)) for p in root.rglob("*.py") if READS.search(p.read_text()))


def _named_kinds(node: object) -> set[str]:
    """The kinds a graph check's definition names (resource_types, connected_resource_types), at any depth."""
    if isinstance(node, dict):
        found = {k for key in ("resource_types", "connected_resource_types") for k in node.get(key) or ()}
        return found.union(*(_named_kinds(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_named_kinds(v) for v in node))
    return set()


# every kind checkov judges: checkov_classes.JUDGED_KINDS sends no object of any other kind
kinds = sorted(set(registry.checks) | set().union(*(_named_kinds(json.loads(p.read_text()))
                                                   for p in (root / "checks/graph_checks").rglob("*.json"))))
# the code that unpacks `List` documents into their items (JUDGED_KINDS keeps List for it)
unpacks_list = sorted(str(p.relative_to(root)) for p in root.rglob("*.py") if '== "List"' in p.read_text()
                      or "== 'List'" in p.read_text())
print(json.dumps({"configmap": configmap, "wildcard": wildcard, "graph": graph, "annotations": annotations,
                  "kinds": kinds, "unpacks_list": unpacks_list, "version": version}))
