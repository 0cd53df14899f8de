"""Every rule a validator can report: what it means, how to fix it, where it is documented.

One registry, read by `genai-gitops rules list`, by the SARIF writer (each rule's help and helpUri),
by inline suppression (which rules exist, and which may never be silenced) and by docs/rules.md,
which is generated from it (`genai-gitops rules list --output markdown`) and checked by a test.

A rule id is `<validator>/<rule>`, exactly as findings carry it. Two validators name their rules
after data rather than code: `policy` reports `<ConstraintKind>/<constraint name>` for every
constraint it evaluates (the constraints under policies/ are registered one by one when the
registry is built with that folder), and `checkov` reports checkov's own check ids. Those are
registered as families (a glob), so a constraint added to a cluster's tree still has help.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from genai_gitops.globs import shell_match
from genai_gitops.manifests.policies import load_policy_bundle
from genai_gitops.report.finding import Finding, Severity

#: the documentation page every rule's anchor is on, relative to the repository root
RULES_DOC = "docs/rules.md"


@dataclass(frozen=True)
class Rule:
    validator: str
    #: the rule as Finding.rule spells it; a glob (`CKV_K8S_*`) for a family of rules named by data
    rule: str
    severity: Severity
    #: one line: what the rule refuses and why it matters
    what: str
    #: one line: what the user changes to make the finding go away
    fix: str
    #: False for rules no annotation or tenant entry may silence (see SUPPRESSION below)
    suppressible: bool = True

    @property
    def id(self) -> str:
        return f"{self.validator}/{self.rule}"

    @property
    def family(self) -> bool:
        return any(c in self.rule for c in "*?[")

    @property
    def name(self) -> str:
        """A friendly PascalCase name, never equal to the id (SARIF Multitool SARIF1001)."""
        words = [w for w in re.split(r"[^A-Za-z0-9]+", self.rule) if w]
        if self.family or not words:  # `policy/*`, `checkov/CKV*`: the validator says which family
            words = [self.validator, *words, "any"]
        return "".join(w[:1].upper() + w[1:] for w in words)

    @property
    def anchor(self) -> str:
        """The id of this rule's anchor in docs/rules.md: `capacity-quota-exceeded`."""
        return re.sub(r"[^a-z0-9]+", "-", self.id.lower()).strip("-")

    @property
    def doc(self) -> str:
        return f"{RULES_DOC}#{self.anchor}"

    def matches(self, validator: str, rule: str) -> bool:
        return validator == self.validator and (rule == self.rule or (self.family and shell_match(self.rule, rule)))


E, W = Severity.ERROR, Severity.WARNING

#: Rules that stay errors whatever an annotation says: a plaintext secret, a tenant reachable from
#: another tenant, a namespace without default-deny or without its guardrails, a tree that is not
#: what the data renders, a file that cannot be read, or a run that did not finish. Silencing any of
#: them would let one pull request weaken every tenant's isolation or hide that nothing was checked.
NEVER_SUPPRESSED = (
    "parse/*", "drift/*", "*/internal-error", "suppression/*",
    "isolation/cross-tenant-flow", "isolation/not-default-deny", "isolation/analysis-error",
    "policy/K8sNoInlineSecrets/*", "policy/K8sTenantOwnership/*", "policy/K8sTenantNamespaceGuardrails/*",
    "policy/K8sTenantServiceExposure/*", "policy/ConstraintTemplate/*",
    "refs/unknown-secret-store", "refs/plaintext-secret",
    # the gate itself: what Argo CD reads, the cache, an interrupted synth, the policy engine's own install
    "tree/*", "cache/*", "synth/*", "policy/gatekeeper-*", "policy/policy-conflict",
    "delivery/project-too-open", "delivery/tenant-app-project", "delivery/tenant-folder-namespace",
    "delivery/reads-unchecked-file", "delivery/source-not-directory",
    # without a preview no delivery rule runs at all: silencing these would switch the delivery gate off
    "delivery/unsupported-template", "delivery/unsupported-feature", "delivery/preview-failed",
    "policy/K8sTenantRbac/*", "policy/K8sSecretStoreScope/*", "policy/K8sAllowedWebhooks/*",
)

_STATIC: tuple[Rule, ...] = (
    # reading files -------------------------------------------------------------------------------
    Rule("parse", "yaml-syntax", E, "The file is not valid YAML, so none of its objects can be checked or applied.",
         "Fix the YAML at the reported line (indentation, quoting, a missing `:` or `]`)."),
    # data files and the fresh synth ---------------------------------------------------------------
    Rule("drift", "dist-changed", E, "A committed file under dist/ differs from what a fresh synth of the data writes.",
         "Run `genai-gitops synth` (or `make synth`) and commit dist/; never edit dist/ by hand."),
    Rule("drift", "dist-missing", E, "A fresh synth writes a file under dist/ that is not committed.",
         "Run `genai-gitops synth` and commit the new files in dist/."),
    Rule("drift", "dist-unexpected", E, "A committed file or app folder under dist/ is no longer written by the "
         "synth (a removed tenant or component).", "Run `genai-gitops synth` and commit the deletions in dist/."),
    Rule("drift", "argocd-changed", E, "A committed file under argocd/ differs from what a fresh synth writes.",
         "Run `genai-gitops synth` and commit argocd/."),
    Rule("drift", "argocd-missing", E, "A fresh synth writes a file under argocd/ that is not committed.",
         "Run `genai-gitops synth` and commit the new files in argocd/."),
    Rule("drift", "argocd-unexpected", E, "A committed file under argocd/ is no longer written by the synth.",
         "Run `genai-gitops synth` and commit the deletions in argocd/."),
    # schema --------------------------------------------------------------------------------------
    Rule("schema", "schema-invalid", E, "The object does not match the OpenAPI schema of its kind for the cluster's "
         "Kubernetes version: the API server would reject it.",
         "Correct the field the message names (type, required field, unknown field, enum value)."),
    Rule("schema", "schema-missing", E, "No schema is known for this apiVersion and kind (a typo, a removed API "
         "version, or a custom resource whose CRD the repository does not carry).",
         "Fix apiVersion/kind, move to the served API version, or add the CRD's schema."),
    Rule("schema", "schema-missing-kind", E, "The document has no apiVersion or kind (or they are not strings).",
         "Add `apiVersion:` and `kind:` as strings at the top of the document."),
    # references between objects -----------------------------------------------------------------
    Rule("refs", "dangling-service", E, "A Service's selector matches no pod template in its namespace: it has no "
         "endpoints.", "Make spec.selector match the workload's pod labels, or remove the Service."),
    Rule("refs", "dangling-ingress", E, "An Ingress routes to a Service (or port) that does not exist.",
         "Point the backend at an existing Service and one of its ports."),
    Rule("refs", "dangling-horizontalpodautoscaler", E, "A HorizontalPodAutoscaler scales a workload that does "
         "not exist.", "Fix spec.scaleTargetRef (kind, name) or remove the autoscaler."),
    Rule("refs", "dangling-networkpolicy", W, "A NetworkPolicy's podSelector selects no pod in its namespace.",
         "Fix the podSelector labels, or remove the policy."),
    Rule("refs", "dangling-networkpolicypeer-podselector", W, "A NetworkPolicy peer's podSelector matches no pod.",
         "Fix the peer's labels (and namespaceSelector) so it names existing pods."),
    Rule("refs", "dangling-servicemonitor", W, "A ServiceMonitor selects no Service (or no port of one).",
         "Fix spec.selector / spec.endpoints[].port to match an existing Service and port name."),
    Rule("refs", "dangling-pdb", W, "A PodDisruptionBudget selects no pod.", "Fix spec.selector, or remove the "
         "budget."),
    Rule("refs", "non-existent-service-account", E, "A pod template names a ServiceAccount that is not in the tree.",
         "Create the ServiceAccount in the same namespace, or fix serviceAccountName."),
    Rule("refs", "mismatching-selector", E, "A workload's selector does not match its own pod template's labels: "
         "the API server rejects it.", "Make spec.selector.matchLabels a subset of spec.template.metadata.labels."),
    Rule("refs", "invalid-target-ports", E, "A Service targetPort names or numbers a port no selected container "
         "declares.", "Use a containerPort number or name the selected containers declare."),
    Rule("refs", "liveness-port", E, "A liveness probe targets a port the container does not declare.",
         "Probe a declared containerPort (by name or number)."),
    Rule("refs", "readiness-port", E, "A readiness probe targets a port the container does not declare.",
         "Probe a declared containerPort (by name or number)."),
    Rule("refs", "startup-port", E, "A startup probe targets a port the container does not declare.",
         "Probe a declared containerPort (by name or number)."),
    Rule("refs", "missing-secret", E, "A pod reads a Secret that no object in the tree (Secret or ExternalSecret "
         "target) creates: the pod cannot start.", "Add the ExternalSecret that creates it, or fix the name."),
    Rule("refs", "missing-secret-key", E, "A pod reads a key the Secret (or ExternalSecret) does not provide.",
         "Add the key to the ExternalSecret's data, or fix the key name."),
    Rule("refs", "missing-configmap", E, "A pod reads a ConfigMap that is not in the tree.",
         "Add the ConfigMap in the same namespace, or fix the name."),
    Rule("refs", "missing-configmap-key", E, "A pod reads a key the ConfigMap does not have.",
         "Add the key to the ConfigMap, or fix the key name."),
    Rule("refs", "missing-pvc", E, "A pod mounts a PersistentVolumeClaim that is not in the tree.",
         "Add the claim (or a volumeClaimTemplate), or fix claimName."),
    Rule("refs", "missing-volume", E, "A container mounts a volume the pod does not define.",
         "Define the volume under spec.volumes, or fix volumeMounts[].name."),
    Rule("refs", "unknown-secret-store", E, "An ExternalSecret names a SecretStore that is not in its namespace "
         "(or a ClusterSecretStore that does not exist); a tenant may only use its own store.",
         "Use the tenant's own SecretStore; secrets of another tenant are never reachable."),
    # capacity -------------------------------------------------------------------------------------
    Rule("capacity", "quota-exceeded", E, "At its worst case (rollout surge, HPA max) a namespace asks for more than "
         "its ResourceQuota allows: the API server refuses pods.",
         "Raise the tenant's quota (tenants/<id>.yaml: quotas.*) or lower replicas/requests."),
    Rule("capacity", "quota-exceeded-at-hpa-max", W, "The namespace fits its quota until the autoscalers scale up; "
         "at HPA max the quota refuses new pods.", "Lower maxReplicas or raise the tenant's quota (quotas.*)."),
    Rule("capacity", "quota-requires-resources", E, "A ResourceQuota tracks cpu/memory but a container sets no "
         "request/limit and no LimitRange gives one: the pod is refused.", "Set the container's resources."),
    Rule("capacity", "limitrange-violation", E, "A container, pod or claim is outside its namespace's LimitRange "
         "(min, max or ratio): the LimitRanger refuses it.",
         "Change the requests/limits, or for tenants raise quotas.cpu / quotas.memory in tenants/<id>.yaml."),
    Rule("capacity", "gpu-without-gpu-pool", E, "A pod requests GPUs on a cluster that has no GPU node pool.",
         "Move the tenant to a GPU cluster, or set usage_mode/cpu_fallback so it needs no GPU."),
    Rule("capacity", "gpu-pod-not-scheduled-on-pool", E, "A GPU pod lacks the node selector or toleration of the "
         "cluster's GPU pool: it never schedules.", "Add the GPU pool's nodeSelector and toleration."),
    Rule("capacity", "invalid-quantity", E, "A resource quantity cannot be parsed.",
         "Write a Kubernetes quantity, e.g. 500m, 2, 16Gi."),
    # network isolation ---------------------------------------------------------------------------
    Rule("isolation", "cross-tenant-flow", E, "The NetworkPolicies allow traffic between two tenants' namespaces (or "
         "from any tenant added later).", "Remove the rule that opens the tenant namespace to other tenants."),
    Rule("isolation", "undeclared-flow", E, "The NetworkPolicies allow a flow the platform's traffic graph does not "
         "declare for this tenant.", "Narrow the policy, or declare the flow in the traffic graph (model/traffic.py)."),
    Rule("isolation", "missing-flow", E, "A flow the traffic graph declares is not allowed by any NetworkPolicy: "
         "the component breaks.", "Allow the flow in the tenant's NetworkPolicies (re-synth from the data)."),
    Rule("isolation", "not-default-deny", E, "A pod in a tenant namespace is selected by no NetworkPolicy for Ingress "
         "or Egress: everything reaches it.", "Keep the tenant's default-deny policy; label the pod like the others."),
    Rule("isolation", "analysis-error", E, "network-config-analyzer could not analyse the namespace's policies.",
         "Fix the NetworkPolicy the message names."),
    # delivery (Argo CD) --------------------------------------------------------------------------
    Rule("delivery", "unsupported-feature", E, "The ApplicationSets use a generator or ApplicationSet feature the "
         "offline preview does not support, so delivery cannot be checked.",
         "Use the generators the preview supports."),
    Rule("delivery", "unsupported-template", E, "An ApplicationSet uses a Go template construct or option beyond what "
         "`genai-gitops synth` writes (field paths, index, trimSuffix, missingkey=error): the offline preview "
         "cannot render it exactly, so delivery cannot be checked.",
         "Regenerate argocd/ with `genai-gitops synth` (it must equal a fresh synth anyway), or use only those."),
    Rule("delivery", "preview-failed", E, "The ApplicationSets cannot be rendered offline.",
         "Fix the ApplicationSet the message names (regenerate argocd/ with `genai-gitops synth`)."),
    Rule("delivery", "no-inventory", E, "The cluster inventory (clusters.yaml) is missing or invalid.",
         "Fix clusters.yaml."),
    Rule("delivery", "project-defined-twice", E, "Two AppProjects have the same name.", "Keep one definition."),
    Rule("delivery", "unclaimed-folder", E, "A dist/<cluster>/<app>/ folder is delivered by no Application.",
         "Re-synth, or remove the folder."),
    Rule("delivery", "folder-claimed-twice", E, "Two Applications deliver the same folder and would fight over "
         "its objects.", "Make the generators claim each folder once."),
    Rule("delivery", "missing-path", E, "An Application reads a path that does not exist in the repository.",
         "Fix source.path, or synthesise the folder."),
    Rule("delivery", "unknown-project", E, "An Application names an AppProject that is not defined.",
         "Use a defined project, or add it."),
    Rule("delivery", "source-not-permitted", E, "The Application's project does not permit its source repository.",
         "Add the repository to the project's sourceRepos, or fix the source."),
    Rule("delivery", "unknown-destination", E, "The Application's destination cluster is not in the inventory.",
         "Fix destination.name/server."),
    Rule("delivery", "destination-not-permitted", E, "The project does not permit the Application's destination.",
         "Add the destination to the project, or fix the Application."),
    Rule("delivery", "cluster-resource-not-permitted", E, "The project does not allow this cluster-scoped kind.",
         "Add the kind to clusterResourceWhitelist, or move the object."),
    Rule("delivery", "namespaced-resource-not-permitted", E, "The project does not allow this namespaced kind.",
         "Allow the kind in the project, or move the object."),
    Rule("delivery", "namespace-not-permitted", E, "The project does not allow objects in this namespace.",
         "Add the namespace to the project's destinations, or move the object."),
    Rule("delivery", "crd-not-provided", E, "An object needs a CRD group no Application on that cluster delivers.",
         "Deliver the add-on that provides the CRD to that cluster."),
    Rule("delivery", "sync-wave-order", E, "An Application needs a CRD or namespace another Application delivers in "
         "the same or a later sync wave.", "Give the consumer a later sync wave than the provider."),
    # Gatekeeper policies (rules named by the data; the constraints of policies/ are added one by one) -
    Rule("policy", "ConstraintTemplate/*", E, "A ConstraintTemplate cannot be compiled (or uses something the "
         "engine does not support): its constraints are not enforced.", "Fix the template's Rego or schema."),
    Rule("policy", "ExpansionTemplate", W, "An ExpansionTemplate cannot expand a workload into its pods.",
         "Fix the ExpansionTemplate the message names."),
    Rule("policy", "*", E, "A Gatekeeper constraint refuses the object (or the constraint itself is invalid).",
         "Change the object as the message says, or add an exemption with a reason to the constraint."),
    # checkov --------------------------------------------------------------------------------------
    Rule("checkov", "CKV*", E, "A checkov Kubernetes check failed; the message links checkov's guideline.",
         "Fix the object as the guideline says, or add a skip with a reason to policies/checkov-skips.yaml."),
    # hostile input (safeyaml: one reader for every file) -------------------------------------------
    Rule("parse", "yaml-tag", E, "The file uses a YAML tag (`!!binary`, `!!set`, `!!python/...`, a custom tag): only "
         "JSON values are read, as Kubernetes reads them.", "Write the value as a plain string, number, list or map."),
    Rule("parse", "yaml-ambiguous", E, "An unquoted value or key that Argo CD's YAML reader (sigs.k8s.io/yaml, go-yaml "
         "v2) reads otherwise than the check (`y`, `1:20`, `1e3`, `09`, an integer past 64 bits, a null key): the "
         "check would pass one value and Argo CD deploy another.", "Quote the value (`'y'`), or write it so both "
         "read it alike (`true`, `1000`)."),
    Rule("parse", "duplicate-key", E, "A mapping repeats a key: YAML readers disagree on which value wins, so the "
         "check and Argo CD could see different objects.", "Remove one of the two keys."),
    Rule("parse", "input-limit", E, "The file is over a size, nesting depth or alias-expansion limit (1 MiB, 100 "
         "levels, 100,000 nodes from aliases): a YAML bomb or a mistake.", "Split the file or drop the aliases."),
    Rule("parse", "encoding", E, "The file is not UTF-8 text (or holds NUL bytes).", "Save it as UTF-8 text."),
    # the tree Argo CD reads ------------------------------------------------------------------------
    Rule("tree", "tree-jsonnet", E, "A Jsonnet file under dist/ or argocd/: Argo CD would evaluate it, the check "
         "does not.", "Remove it; everything deployed is generated by `genai-gitops synth`."),
    Rule("tree", "tree-not-manifest", E, "A file that is not a .yaml/.yml/.json manifest (or not a regular file) "
         "under dist/ or argocd/.", "Remove it; dist/ and argocd/ hold only generated manifests."),
    Rule("tree", "tree-hidden", E, "A hidden file or folder under dist/ or argocd/: the check skips it.",
         "Remove it."),
    Rule("tree", "tree-symlink", E, "A symbolic link under dist/ or argocd/: Argo CD follows links the check "
         "does not.", "Replace it by the generated file (`genai-gitops synth`)."),
    Rule("tree", "tree-misplaced", E, "A manifest outside the folders Applications read (dist/<cluster>/<app>/, "
         "argocd/).", "Move the object into the data it is generated from, then synthesise."),
    Rule("tree", "tree-source-type", E, "A kustomization.yaml, Chart.yaml or similar file would make Argo CD render "
         "the folder as Kustomize or Helm, which the check does not.", "Remove it."),
    Rule("tree", "tree-nested-folder", E, "A folder inside an app folder: no Application reads it as written.",
         "Remove it; app folders are flat."),
    Rule("tree", "tree-unexpected-folder", E, "A folder where only files belong (argocd/ or a cluster's folder).",
         "Remove it."),
    Rule("tree", "tree-unknown-cluster", E, "dist/<name>/ names no cluster of clusters.yaml.",
         "Remove the folder, or add the cluster to clusters.yaml and synthesise."),
    Rule("tree", "tree-unclaimed-folder", E, "An app folder no generated Application deploys.",
         "Remove it, or add the data that generates it and synthesise."),
    Rule("cache", "cache-untrusted", E, "The result cache is tracked by git or could have been written by the change "
         "under review, so it is not used.", "Remove the cache from git (`git rm -r --cached .genai-gitops-cache`)."),
    Rule("synth", "interrupted-synth", E, "A synth was killed while swapping dist/ and argocd/: the tree may mix old "
         "and new output.", "Run `genai-gitops synth` again; it completes or rolls back the swap."),
    # tenant data reaching shared resources -----------------------------------------------------------
    Rule("refs", "plaintext-secret", E, "A credential is written in plain text (ConfigMap data, env value, "
         "args, labels, annotations, an AppProject description).",
         "Put it in the secret store and read it through an ExternalSecret."),
    Rule("refs", "endpoint-unresolved", E, "An in-cluster endpoint (env value, ConfigMap, secret template) names a "
         "Service or port that does not exist in the cluster's tree.", "Fix the host or port, or add the Service."),
    Rule("isolation", "shared-database-subnet", W, "A tenant without database_endpoints can reach a data subnet that "
         "holds another tenant's databases.", "List the tenant's own database addresses in database_endpoints."),
    Rule("schema", "schema-unchecked-provider", W, "An ExternalSecrets store uses a provider whose schema is not "
         "checked here (only aws is).", "Use the aws provider, or review the store by hand."),
    # what a stock EKS cluster lacks -----------------------------------------------------------------
    Rule("foundations", "missing-storage-class", E, "A PersistentVolumeClaim names a StorageClass no app of the "
         "cluster creates (and there is no default class): it stays Pending.",
         "Use the cluster's storage_class, or add the class to the cluster-config app."),
    Rule("foundations", "no-metrics-api", E, "HorizontalPodAutoscalers without metrics-server (or another metrics "
         "API) in the cluster's tree never scale.", "Deploy metrics-server through the add-ons app."),
    Rule("foundations", "no-gpu-device-plugin", E, "GPU pods or GPU node pools without the NVIDIA device plugin: "
         "nvidia.com/gpu is never allocatable.", "Deploy the NVIDIA device plugin through the add-ons app."),
    Rule("foundations", "retired-component", E, "A retired component ships (community ingress-nginx): no security "
         "fixes any more.", "Use the Gateway API through Envoy Gateway, as the platform's gateway does."),
    # Gatekeeper's own install and the policies themselves ---------------------------------------------
    Rule("policy", "gatekeeper-policy-missing", E, "A policy of policies/ is not deployed to a cluster that needs it.",
         "Synthesise; never delete a ConstraintTemplate or constraint from dist/ by hand."),
    Rule("policy", "gatekeeper-policy-weakened", E, "A deployed constraint is weaker than policies/ (dryrun/warn, "
         "narrower match, more exempt namespaces, changed parameters).", "Synthesise from policies/."),
    Rule("policy", "gatekeeper-config", E, "Gatekeeper's Config or install exempts namespaces or kinds the platform "
         "relies on.", "Keep the generated Config; exemptions belong in policies/ with a reason."),
    Rule("policy", "gatekeeper-install", E, "Gatekeeper's webhook would fail open or skip namespaces (failurePolicy, "
         "namespaceSelector, exempt namespaces in the chart values).", "Keep the generated add-on values."),
    Rule("policy", "policy-conflict", E, "Two ConstraintTemplates define one kind, or two constraints share a kind "
         "and name: Gatekeeper keeps only one.", "Rename or remove one of them."),
    # delivery invariants and sync phases -------------------------------------------------------------
    Rule("delivery", "project-too-open", E, "An AppProject allows more (sources, destinations, cluster-scoped kinds, "
         "roles) than the platform generates for it.", "Synthesise; widen a project only in the generator."),
    Rule("delivery", "tenant-app-project", E, "A tenant folder is deployed through a project other than the "
         "tenant's own.", "Deploy dist/<cluster>/tenant-<id> only through AppProject tenant-<id>."),
    Rule("delivery", "tenant-folder-namespace", E, "A tenant folder holds an object for another namespace (or a "
         "cluster-scoped one).", "Keep a tenant's objects in its own namespace."),
    Rule("delivery", "reads-unchecked-file", E, "An Application would make Argo CD read a file the check does not "
         "(Jsonnet, a hidden file, a symbolic link).", "Remove the file; keep the generated include/exclude."),
    Rule("delivery", "source-not-directory", E, "An Application renders its folder as Kustomize, Helm or a plugin, "
         "which the check does not.", "Keep the generated `spec.source.directory` (include '*.{yaml,yml,json}', "
         "exclude '.*')."),
    Rule("delivery", "hook-waits-for-unrelated", W, "A PostSync hook waits for every resource of its Application to "
         "be healthy, including unrelated ones.", "Give it its own Application, or make it a Job or CronJob that "
         "waits for the one thing it needs."),
    Rule("delivery", "applied-before-its-inputs", E, "A pod is applied in an earlier sync wave (or phase) than the "
         "Secret or ConfigMap it reads.", "Move it to the same wave as its inputs or later."),
    # inline suppression ---------------------------------------------------------------------------
    Rule("suppression", "missing-reason", E, "An ignore-check annotation or tenant suppression has an empty reason.",
         "Say why the finding does not apply, in the annotation's value or the entry's reason."),
    Rule("suppression", "unknown-rule", E, "An ignore-check annotation or tenant suppression names no known rule.",
         "Use an id from `genai-gitops rules list`, e.g. capacity/quota-exceeded-at-hpa-max."),
    Rule("suppression", "not-suppressible", E, "A suppression names a rule that may never be silenced (secrets, "
         "tenant isolation, drift, parse errors).", "Fix the finding instead; these rules protect every tenant."),
    Rule("suppression", "unused", W, "A suppression silences nothing: the rule no longer reports this object.",
         "Remove the annotation or entry."),
)

#: any validator: it crashed or could not start (exit code 2, never a finding about the manifests)
INTERNAL = Rule("*", "internal-error", E, "A validator crashed or could not start: the run is incomplete.",
                "Read the message; report a bug if it is not about your environment (e.g. a missing binary).",
                suppressible=False)


class RuleRegistry:
    """Rules by id, most specific first: exact rules, then policy constraints, then families."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        unique: dict[str, Rule] = {}
        for rule in rules:
            unique.setdefault(rule.id, rule)
        never = NEVER_SUPPRESSED
        self.rules: tuple[Rule, ...] = tuple(
            replace(r, suppressible=r.suppressible and not any(shell_match(p, r.id) for p in never))
            for r in unique.values())

    @classmethod
    def default(cls, policies: Path | None = None) -> RuleRegistry:
        """The static rules, with each constraint under `policies` (a policies/ folder) as its own rule."""
        return cls((*(policy_rules(policies) if policies is not None else ()), *_STATIC, INTERNAL))

    def __iter__(self) -> Iterator[Rule]:
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)

    def lookup(self, validator: str, rule: str) -> Rule | None:
        exact = next((r for r in self.rules if r.validator == validator and r.rule == rule), None)
        if exact is not None:
            return exact
        if rule == INTERNAL.rule:
            return replace(INTERNAL, validator=validator)
        families = [r for r in self.rules if r.family and r.matches(validator, rule)]
        # the longest pattern is the most specific (`ConstraintTemplate/*` before `*`)
        return max(families, key=lambda r: len(r.rule), default=None)

    def for_finding(self, finding: Finding) -> Rule:
        """The finding's rule; an unregistered one still gets a rule (named after it) so writers never fail."""
        found = self.lookup(finding.validator, finding.rule)
        if found is not None:
            return found
        return Rule(finding.validator, finding.rule, finding.severity, f"{finding.validator} check {finding.rule}.",
                    "See the finding's message.")

    def can_suppress(self, rule_id: str) -> bool:
        """Checked on the concrete id too: `policy/K8sNoInlineSecrets/x` is only known through `policy/*`."""
        rule = self.by_id(rule_id)
        return rule is not None and rule.suppressible and \
            not any(shell_match(p, rule_id) for p in NEVER_SUPPRESSED)

    def by_id(self, rule_id: str) -> Rule | None:
        validator, _, rule = rule_id.partition("/")
        return self.lookup(validator, rule) if rule else None

    def sorted(self) -> list[Rule]:
        return sorted(self.rules, key=lambda r: (_VALIDATOR_ORDER.get(r.validator, 99), r.validator, r.rule))


_VALIDATOR_ORDER = {name: i for i, name in enumerate(
    ("parse", "drift", "schema", "policy", "refs", "capacity", "checkov", "isolation", "delivery", "suppression",
     "*"))}


def policy_rules(policies: Path) -> list[Rule]:
    """One rule per constraint under a policies/ folder: `policy/<Kind>/<name>`, described by its template.

    Read as the policy validator reads it (the hardened YAML loader, the one walker over policy folders):
    an unreadable file is the validator's finding; the registry only describes what parses."""
    if not policies.is_dir():
        return []
    bundle = load_policy_bundle([policies])
    descriptions: dict[str, str] = {}
    for template in bundle.templates:
        spec = template.obj.get("spec")
        crd = spec.get("crd") if isinstance(spec, Mapping) else None
        crd_spec = crd.get("spec") if isinstance(crd, Mapping) else None
        names = crd_spec.get("names") if isinstance(crd_spec, Mapping) else None
        annotations = template.metadata.get("annotations")
        description = str((annotations or {}).get("description") or "").strip() \
            if isinstance(annotations, Mapping | None) else ""
        if isinstance(names, Mapping) and names.get("kind") and description:
            descriptions[str(names["kind"])] = " ".join(description.split())
    constraints: list[tuple[str, str, str, str]] = []
    for constraint in bundle.constraints:
        if constraint.name:
            spec = constraint.obj.get("spec")
            action = str((spec.get("enforcementAction") if isinstance(spec, Mapping) else None) or "deny")
            folder = os.path.relpath(os.path.dirname(constraint.file), policies.parent)
            constraints.append((constraint.kind, constraint.name, action, folder))
    rules = []
    for kind, name, action, folder in sorted(constraints):
        what = descriptions.get(kind, f"The Gatekeeper constraint {kind} {name} refuses the object.")
        severity = W if action in ("warn", "dryrun") else E
        rules.append(Rule("policy", f"{kind}/{name}", severity, what,
                          f"Change the object as the message says; an exemption is data with a reason in "
                          f"{folder}/ (excludedNamespaces or the constraint's parameters)."))
    return rules


def markdown(registry: RuleRegistry) -> str:
    """docs/rules.md: one heading per rule (its anchor is the rule's helpUri), grouped by validator."""
    out = ["# Rules", "",
           "Every rule `genai-gitops check` and `validate` can report. Generated by "
           "`genai-gitops rules list --output markdown > docs/rules.md`; a test keeps it in sync.", "",
           "Suppress a finding on one object with an annotation whose value says why: "
           "`ignore-check.genai-gitops.io/<validator>.<rule>: \"reason\"` (the rule id with `/` written as `.`, "
           "e.g. `ignore-check.genai-gitops.io/capacity.quota-exceeded-at-hpa-max`), or, for objects generated "
           "from a tenant file, with a `suppressions:` entry there (`rule`, optional `field`, `reason`). "
           "Suppressed findings stay in every report and are counted apart. Rules marked *never suppressed* "
           "protect every tenant and cannot be silenced.", ""]
    current = None
    for rule in registry.sorted():
        if rule.validator != current:
            current = rule.validator
            out += [f"## {'any validator' if current == '*' else current}", ""]
        flag = "" if rule.suppressible else "; never suppressed"
        # an explicit anchor: GitHub's own heading slug would drop the `/` and run the words together
        out += [f'<a id="{rule.anchor}"></a>', "", f"### {rule.id}", "",
                f"*{rule.severity.value}{flag}* — {rule.what}", "", f"**Fix:** {rule.fix}", ""]
    return "\n".join(out).rstrip("\n") + "\n"


def rows(registry: RuleRegistry) -> Sequence[tuple[str, ...]]:
    """(id, validator, severity, suppressible, what, fix, doc) per rule, for the text and JSON listings."""
    return [(r.id, r.validator, r.severity.value, "yes" if r.suppressible else "never", r.what, r.fix, r.doc)
            for r in registry.sorted()]
