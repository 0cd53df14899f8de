"""DeliveryValidator: the delivery checks as a validator, computed once per repository and
inventory and handed out per target."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from genai_gitops import pools
from genai_gitops.cache import digest, digest_json
from genai_gitops.manifests import Resource
from genai_gitops.model.errors import ModelError
from genai_gitops.model.loader import load_inventory
from genai_gitops.report.finding import Finding
from genai_gitops.validators.base import Target, Validator
from genai_gitops.validators.delivery.check import DeliveryCheck
from genai_gitops.validators.delivery.findings import NAME, Located, file_finding
from genai_gitops.validators.registry import ValidatorOptions


class DeliveryValidator(Validator):
    """The delivery checks as a validator: computed once per repository and inventory, handed out per
    target."""

    name = NAME
    options_used = ("repo_root", "clusters_file", "cache", "read_folders")
    #: its cache context is the digest of the findings themselves (below), whatever they were computed from
    data_used = ()

    def __init__(self, options: ValidatorOptions) -> None:
        self.repo_root = options.repo_root
        self.clusters_file = options.clusters_file
        self.cache = options.cache
        self.read_folders = options.read_folders
        self._checks: dict[tuple[str, str], DeliveryCheck] = {}
        self._memo: dict[tuple[str, str], list[Located]] = {}
        #: runs begun in a forked child (`begin`), by the same key as `_memo`
        self._children: dict[tuple[str, str], pools.ForkedCall[list[Located]]] = {}

    def begin(self, targets: Sequence[Target]) -> bool:
        """Each repository's run (what `cache_context` needs: the findings) in a forked child, while the runner
        does the other validators' work; `validate` takes its answer, or runs in this process when the child
        gave none (the same findings, or the same error)."""
        for target in targets:
            setup = self._setup(target)
            if isinstance(setup, tuple):
                key, check = setup
                if key not in self._memo and key not in self._children:
                    self._children[key] = pools.ForkedCall(check.run)
        return bool(self._children)

    def cache_context(self, target: Target) -> str:
        """The digest of the target's findings themselves. What they depend on beyond the target's own
        folders is most of the repository (argocd/, the inventory, dist/'s folders, the AppProjects,
        and other clusters' folders: CRD scopes are global, providers on a shared destination count),
        so a digest of those inputs would change with any edit and have `check` load every cluster.
        The findings are cheap to compute with the cache (no parse of an unchanged folder), exact,
        and unchanged for a cluster an edit does not concern: that cluster is then never loaded."""
        try:
            found = list(self.validate(target))
        except Exception as exc:  # no key to reuse: the runner validates, and reports the error itself
            return digest(NAME, "failed", type(exc).__name__, str(exc))
        return digest(NAME, digest_json([f.to_dict() for f in found]))

    def validate(self, target: Target) -> Iterator[Finding]:
        setup = self._setup(target)
        if setup is None:
            return  # ad-hoc manifests, not a repository with argocd/ and dist/: nothing to deliver
        if isinstance(setup, Finding):
            yield setup
            return
        key, check = setup
        if key not in self._memo:
            child = self._children.pop(key, None)
            answer = child.result() if child is not None else None
            self._memo[key] = answer if answer is not None else check.run()
        first = min((c.name for c in check.inventory.clusters), default=None)
        mine = target.cluster.name if target.cluster is not None else None
        for located in self._memo[key]:
            if mine is None or located.cluster == mine or (located.cluster is None and mine == first):
                yield located.finding

    def _setup(self, target: Target) -> tuple[tuple[str, str], DeliveryCheck] | Finding | None:
        """The check of the target's repository and inventory (one per both), or why there is none."""
        root = self.repo_root or find_repo_root(target.resources)
        if root is None:
            return None
        inventory = target.inventory
        if inventory is None:
            path = self.clusters_file or root / "clusters.yaml"
            try:
                inventory = load_inventory(path)
            except (ModelError, OSError) as exc:
                return file_finding(str(path), rule="no-inventory",
                                    message=f"delivery checks need the cluster inventory: {exc}")
        key = (str(root.resolve()), digest(inventory.model_dump_json()))
        if key not in self._checks:
            self._checks[key] = DeliveryCheck(root, inventory, cache=self.cache, folders=self.read_folders)
        return key, self._checks[key]


def find_repo_root(resources: Sequence[Resource]) -> Path | None:
    """The repository a target's files come from: the nearest folder above them holding argocd/ and dist/."""
    for res in resources[:1]:
        for folder in Path(res.file).parents:
            if (folder / "argocd").is_dir() and (folder / "dist").is_dir():
                return folder
    return None
