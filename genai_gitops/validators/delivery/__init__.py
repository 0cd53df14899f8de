"""Delivery: will Argo CD actually deliver every rendered folder, and accept what each one holds?

The ApplicationSets in argocd/ are previewed offline (genai_gitops.argocd.preview); then:

- folders: every `dist/<cluster>/<app>/` is claimed by exactly one Application (`unclaimed-folder`,
  `folder-claimed-twice`), and every Application's path exists (`missing-path`);
- AppProjects (argocd/ for the platform, dist/*/projects/ for tenants; `unknown-project`): each
  Application's source (`source-not-permitted`) and destination (`destination-not-permitted`,
  `unknown-destination`), and each object in its folder, are checked the way Argo CD checks them
  (`cluster-resource-not-permitted`, `namespaced-resource-not-permitted`, `namespace-not-permitted`);
  Applications shipped as objects (the add-ons) get the project, source and destination checks too;
- invariants (invariants.py): AppProjects no wider than the platform generates them
  (`project-too-open`), tenant folders delivered through their own project (`tenant-app-project`),
  guard rails only in the tenant's namespace (`tenant-folder-namespace`);
- sync phases inside an Application (sync_phases.py): a PostSync hook that waits for unrelated
  workloads (`hook-waits-for-unrelated`), a pod started before the Secret or ConfigMap it reads
  (`applied-before-its-inputs`);
- ordering: an object whose CRD or Namespace another Application delivers must sit in a strictly
  later sync wave than that Application (`sync-wave-order`); a CRD group nothing delivers is
  `crd-not-provided`. Note that Argo CD honours waves between Applications only when a parent
  Application syncs them (app of apps) and only with the Application health check restored in
  argocd-cm; for ApplicationSet-generated apps the wave states intent, and this rule keeps the
  intent consistent.

Findings are computed once per repository and handed out per target: a cluster target gets the
findings of its own folders, plus (for the first inventory cluster) those belonging to no cluster.

Incremental with the run's cache: objects are parsed through the parse cache `check` fills (the
folders of every Application not in the cache in one batch, on both cores when there are many); per
Application, the facts the repository-wide rules need (facts.AppFacts) and the findings about
its objects are kept by its folders' content, all Applications' records in one cache entry (one
load per run; after an edit only the new or changed records are written, to a small entry beside
it), and the preview by argocd/ and what it read. Only changed folders are parsed. An Application's
own files are not read again when `check` hands over the Folders it read (ValidatorOptions.read_folders)
and one holds exactly the files Argo CD reads there (reading.SharedFolders); such a folder is not
listed again for the rules on what Argo CD reads either. `cache_context` digests a target's findings
themselves: exact whatever they depend on (a cluster's findings depend on other clusters' folders
too: CRD scopes, what syncs first on a shared destination), and a cluster whose findings did not
change is answered from the cache without its folders being parsed.

Modules, in the order the check uses them:

validator      DeliveryValidator, the `delivery` validator: one DeliveryCheck per repository and inventory
check          DeliveryCheck: reads, caches and runs the rules below
preview_cache  the Argo CD preview, kept while nothing it read from the working tree changed
reading        the folders an Application reads, parsed through the run's parse cache
facts          AppFacts: what the repository-wide rules need of one Application (cached per content)
app_cache      the per-Application record (facts and object findings) and its cache entry
repository     which sources are this repository's folders, which cluster a file belongs to
clusters       destinations: the inventory's cluster secrets and Argo CD's own cluster
projects       AppProjects: where they live, what each permits (Argo CD's matching)
scopes         namespaced or not: Kubernetes kinds, then the CRDs the Applications ship
applications   AppView and the Application spec fields the rules read
findings       NAME, Located, and where a finding points
folders        unclaimed-folder, folder-claimed-twice
app_rules      the rules on one Application and on each object it delivers
invariants     project-too-open, tenant-app-project, tenant-folder-namespace
sync_phases    hook-waits-for-unrelated, applied-before-its-inputs
waves          sync-wave-order, crd-not-provided
"""

from genai_gitops.validators.delivery.app_cache import APPS_NAMESPACE
from genai_gitops.validators.delivery.check import DeliveryCheck
from genai_gitops.validators.delivery.validator import DeliveryValidator, find_repo_root

__all__ = ["APPS_NAMESPACE", "DeliveryCheck", "DeliveryValidator", "find_repo_root"]
