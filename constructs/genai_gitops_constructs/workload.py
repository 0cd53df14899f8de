"""The skeleton every workload repeats, written once: pod template, Deployment, StatefulSet, Job,
Services, PodDisruptionBudget and HorizontalPodAutoscaler.

A component says *what* runs, in typed specs (`Container`, `Pod`, `DeploymentSpec`, ...): images,
ports, environment, volumes, sizes. This module adds *how* every pod of the platform runs, so no
component can forget it:
- the pod and container securityContexts of one `SecurityProfile` (security.py: non-root, no
  privilege escalation, every capability dropped, RuntimeDefault seccomp, read-only root filesystem);
  a container may name its own profile, the pod's is the default;
- requests and limits on every container (`Resources` is a required field);
- no Kubernetes API token (no workload here calls the API; IRSA's token is a projected volume of its
  own) and no service-link variables (one set per Service in the namespace, each leaking an address);
- selectors from the immutable name+instance subset of the labels (meta.selector);
- Services that target container ports by name, so a port number changes in one place.

Every object is still one plain `k8s.Kube*` construct built from k8s structs, as before: one jsii
object per Kubernetes object, no cdk8s-plus helpers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from cdk8s_plus_28 import k8s
from constructs import Construct

from genai_gitops_constructs.meta import labels, object_meta, selector
from genai_gitops_constructs.security import (
    RESTRICTED,
    Resources,
    SecurityProfile,
    container_security_context,
    pod_security_context,
)
from genai_gitops_constructs.values import int_or_string, quantity

#: how a Deployment replaces its pods: RollingUpdate starts a new pod before it stops an old one (maxSurge 1,
#: maxUnavailable 0); Recreate stops the old pod first (a ReadWriteOnce volume, a singleton)
Strategy = Literal["RollingUpdate", "Recreate"]


@dataclass(frozen=True)
class Identity:
    """Who a workload's objects are (name, namespace, labels, the selector of its pods); its methods build
    them: `app.deployment(self, "deployment", DeploymentSpec(...))`, `app.service(self, "service", ports)`."""

    name: str
    namespace: str
    labels: dict[str, str]
    #: empty for a Job's or CronJob's pods (nothing selects them)
    selector: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, name: str, *, namespace: str, instance: str, component: str,
           tenant: str | None = None) -> Identity:
        """The standard labels (meta.labels) and the name+instance selector."""
        return cls(name, namespace, labels(name, instance=instance, component=component, tenant=tenant),
                   selector(name, instance))

    def metadata(self, name: str | None = None, annotations: Mapping[str, str] | None = None) -> k8s.ObjectMeta:
        return object_meta(name or self.name, self.namespace, self.labels,
                           dict(annotations) if annotations else None)

    # -- the objects of the workload (each one plain k8s construct) -----------------------------------------

    def deployment(self, scope: Construct, id: str, spec: DeploymentSpec) -> k8s.KubeDeployment:
        return k8s.KubeDeployment(scope, id, metadata=self.metadata(annotations=spec.annotations),
                                  spec=k8s.DeploymentSpec(
            replicas=spec.replicas, selector=k8s.LabelSelector(match_labels=self.selector),
            revision_history_limit=spec.revision_history_limit, strategy=_strategy(spec.strategy),
            template=spec.pod.render(self)))

    def stateful_set(self, scope: Construct, id: str, spec: StatefulSetSpec) -> k8s.KubeStatefulSet:
        return k8s.KubeStatefulSet(scope, id, metadata=self.metadata(), spec=k8s.StatefulSetSpec(
            service_name=spec.service_name or headless_name(self.name), replicas=spec.replicas,
            selector=k8s.LabelSelector(match_labels=self.selector),
            pod_management_policy=spec.pod_management_policy,
            update_strategy=(k8s.StatefulSetUpdateStrategy(type=spec.update_strategy)
                             if spec.update_strategy else None),
            revision_history_limit=spec.revision_history_limit,
            template=spec.pod.render(self),
            volume_claim_templates=[k8s.KubePersistentVolumeClaimProps(
                metadata=k8s.ObjectMeta(name=claim.name, labels=self.labels), spec=claim.spec())
                for claim in spec.claims]))

    def job(self, scope: Construct, id: str, spec: JobSpec) -> k8s.KubeJob:
        return k8s.KubeJob(scope, id, metadata=self.metadata(annotations=spec.annotations), spec=k8s.JobSpec(
            backoff_limit=spec.backoff_limit, active_deadline_seconds=spec.active_deadline_seconds,
            template=spec.pod.render(self)))

    def volume_claim(self, scope: Construct, id: str, claim: VolumeClaim) -> k8s.KubePersistentVolumeClaim:
        """A claim of its own (a Deployment's volume); `claim.name` is the object's name."""
        return k8s.KubePersistentVolumeClaim(scope, id, metadata=self.metadata(claim.name), spec=claim.spec())

    def service(self, scope: Construct, id: str, ports: Sequence[Port]) -> k8s.KubeService:
        """ClusterIP Service `name` over the pods."""
        return k8s.KubeService(scope, id, metadata=self.metadata(), spec=k8s.ServiceSpec(
            type="ClusterIP", selector=self.selector, ports=[p.service_port() for p in ports]))

    def headless_service(self, scope: Construct, id: str, ports: Sequence[Port], *, publish_not_ready: bool = False,
                         target_ports: bool = True) -> k8s.KubeService:
        """Headless Service `<name>-headless`: stable DNS names for a StatefulSet's pods.

        `publish_not_ready`: names resolve before the pods are ready (peers that find each other at boot).
        `target_ports` False leaves targetPort out (it then equals the port).
        """
        return k8s.KubeService(scope, id, metadata=self.metadata(headless_name(self.name)), spec=k8s.ServiceSpec(
            cluster_ip="None", selector=self.selector, publish_not_ready_addresses=publish_not_ready or None,
            ports=[p.service_port(target=target_ports) for p in ports]))

    def disruption_budget(self, scope: Construct, id: str, *, min_available: int | None = None,
                          max_unavailable: int | None = None, evict_unhealthy: bool = False
                          ) -> k8s.KubePodDisruptionBudget:
        """Exactly one of `min_available` and `max_unavailable`; `evict_unhealthy`: drains may evict pods
        that never became ready (AlwaysAllow)."""
        if (min_available is None) == (max_unavailable is None):
            raise ValueError(f"PodDisruptionBudget {self.name}: set exactly one of min_available and max_unavailable")
        return k8s.KubePodDisruptionBudget(scope, id, metadata=self.metadata(), spec=k8s.PodDisruptionBudgetSpec(
            min_available=int_or_string(min_available) if min_available is not None else None,
            max_unavailable=int_or_string(max_unavailable) if max_unavailable is not None else None,
            selector=k8s.LabelSelector(match_labels=self.selector),
            unhealthy_pod_eviction_policy="AlwaysAllow" if evict_unhealthy else None))

    def autoscaler(self, scope: Construct, id: str, *, min_replicas: int, max_replicas: int,
                   cpu_utilization: int) -> k8s.KubeHorizontalPodAutoscalerV2:
        """Scales Deployment `name` on CPU utilisation (its DeploymentSpec leaves `replicas` None)."""
        return k8s.KubeHorizontalPodAutoscalerV2(scope, id, metadata=self.metadata(),
                                                 spec=k8s.HorizontalPodAutoscalerSpecV2(
            scale_target_ref=k8s.CrossVersionObjectReferenceV2(api_version="apps/v1", kind="Deployment",
                                                               name=self.name),
            min_replicas=min_replicas, max_replicas=max_replicas,
            metrics=[k8s.MetricSpecV2(type="Resource", resource=k8s.ResourceMetricSourceV2(
                name="cpu", target=k8s.MetricTargetV2(type="Utilization", average_utilization=cpu_utilization)))]))


@dataclass(frozen=True)
class Port:
    """A named container port and the Service port in front of it (which targets it by name)."""

    name: str
    number: int
    #: the Service's port when it is not the container's (Open WebUI: 80 in front of 8080)
    service_number: int | None = None
    app_protocol: str | None = None
    #: written out only when set (Kubernetes defaults to TCP)
    protocol: str | None = None

    def container_port(self) -> k8s.ContainerPort:
        return k8s.ContainerPort(name=self.name, container_port=self.number, protocol=self.protocol)

    def service_port(self, *, target: bool = True) -> k8s.ServicePort:
        return k8s.ServicePort(name=self.name, port=self.service_number or self.number, protocol=self.protocol,
                               app_protocol=self.app_protocol,
                               target_port=int_or_string(self.name) if target else None)


@dataclass(frozen=True)
class Container:
    """One container. Its securityContext comes from `profile`, or from the pod's when None."""

    name: str
    image: str
    resources: Resources
    command: Sequence[str] | None = None
    args: Sequence[str] | None = None
    ports: Sequence[Port] = ()
    env: Sequence[k8s.EnvVar] = ()
    mounts: Sequence[k8s.VolumeMount] = ()
    startup_probe: k8s.Probe | None = None
    readiness_probe: k8s.Probe | None = None
    liveness_probe: k8s.Probe | None = None
    lifecycle: k8s.Lifecycle | None = None
    image_pull_policy: str | None = None
    profile: SecurityProfile | None = None

    def render(self, pod_profile: SecurityProfile = RESTRICTED) -> k8s.Container:
        return k8s.Container(
            name=self.name, image=self.image, image_pull_policy=self.image_pull_policy,
            command=list(self.command) if self.command is not None else None,
            args=list(self.args) if self.args is not None else None,
            ports=[p.container_port() for p in self.ports] or None,
            env=list(self.env) or None,
            resources=self.resources.render(),
            security_context=container_security_context(self.profile or pod_profile),
            volume_mounts=list(self.mounts) or None,
            startup_probe=self.startup_probe, readiness_probe=self.readiness_probe,
            liveness_probe=self.liveness_probe, lifecycle=self.lifecycle)


@dataclass(frozen=True)
class Pod:
    """A pod template: containers, volumes and placement; the secure defaults are added on render."""

    containers: Sequence[Container]
    #: the pod's securityContext, and every container's unless it names its own
    profile: SecurityProfile = RESTRICTED
    volumes: Sequence[k8s.Volume] = ()
    init_containers: Sequence[Container] = ()
    #: the component's own ServiceAccount (IRSA); None: the namespace's default, which has no rights
    service_account: str | None = None
    termination_grace_period: int | None = None
    #: prefer one pod per node: losing a node then costs one replica, not all of them
    spread_over_nodes: bool = False
    topology_spread: Sequence[k8s.TopologySpreadConstraint] | None = None
    node_selector: Mapping[str, str] | None = None
    #: passed through as given (an empty list is written as one)
    tolerations: Sequence[k8s.Toleration] | None = None
    restart_policy: str | None = None
    #: pod-template annotations (a config checksum that rolls the pods when the config changes)
    annotations: Mapping[str, str] | None = None

    def render(self, app: Identity) -> k8s.PodTemplateSpec:
        spec = k8s.PodSpec(
            service_account_name=self.service_account,
            automount_service_account_token=False,
            enable_service_links=False,
            security_context=pod_security_context(self.profile),
            restart_policy=self.restart_policy,
            termination_grace_period_seconds=self.termination_grace_period,
            init_containers=[c.render(self.profile) for c in self.init_containers] or None,
            containers=[c.render(self.profile) for c in self.containers],
            volumes=list(self.volumes) or None,
            affinity=spread_over_nodes(app.selector) if self.spread_over_nodes else None,
            topology_spread_constraints=list(self.topology_spread) if self.topology_spread is not None else None,
            node_selector=dict(self.node_selector) if self.node_selector is not None else None,
            tolerations=list(self.tolerations) if self.tolerations is not None else None)
        return k8s.PodTemplateSpec(metadata=k8s.ObjectMeta(
            labels=app.labels, annotations=dict(self.annotations) if self.annotations else None), spec=spec)


def spread_over_nodes(pods: Mapping[str, str]) -> k8s.Affinity:
    """Prefer one pod per node (soft: a small cluster still schedules every replica)."""
    return k8s.Affinity(pod_anti_affinity=k8s.PodAntiAffinity(
        preferred_during_scheduling_ignored_during_execution=[k8s.WeightedPodAffinityTerm(
            weight=100, pod_affinity_term=k8s.PodAffinityTerm(
                topology_key="kubernetes.io/hostname", label_selector=k8s.LabelSelector(match_labels=dict(pods))))]))


# -- the specs of the workload objects ------------------------------------------------------------------


@dataclass(frozen=True)
class DeploymentSpec:
    pod: Pod
    #: None: a HorizontalPodAutoscaler owns the count (a value here would be reset on every Argo CD sync)
    replicas: int | None = 1
    #: None: Kubernetes' default (25% surge, 25% unavailable)
    strategy: Strategy | None = "RollingUpdate"
    revision_history_limit: int | None = None
    #: annotations of the Deployment itself (an Argo CD sync wave)
    annotations: Mapping[str, str] | None = None


def _strategy(kind: Strategy | None) -> k8s.DeploymentStrategy | None:
    if kind == "RollingUpdate":
        return k8s.DeploymentStrategy(type=kind, rolling_update=k8s.RollingUpdateDeployment(
            max_surge=int_or_string(1), max_unavailable=int_or_string(0)))
    if kind == "Recreate":
        return k8s.DeploymentStrategy(type=kind)
    if kind is None:
        return None
    raise ValueError(f"unknown Deployment strategy {kind!r}; use 'RollingUpdate', 'Recreate' or None")


@dataclass(frozen=True)
class VolumeClaim:
    """A ReadWriteOnce PersistentVolumeClaim: one per pod in a StatefulSet, or one of its own."""

    name: str
    size: str
    storage_class: str

    def spec(self) -> k8s.PersistentVolumeClaimSpec:
        return k8s.PersistentVolumeClaimSpec(
            access_modes=["ReadWriteOnce"], storage_class_name=self.storage_class,
            resources=k8s.ResourceRequirements(requests={"storage": quantity(self.size)}))


@dataclass(frozen=True)
class StatefulSetSpec:
    pod: Pod
    #: volumeClaimTemplates; containers mount them by name
    claims: Sequence[VolumeClaim]
    replicas: int = 1
    #: the headless Service that names the pods; None: `<name>-headless` (headless_service's default)
    service_name: str | None = None
    pod_management_policy: str | None = None
    update_strategy: str | None = None
    revision_history_limit: int | None = None


@dataclass(frozen=True)
class JobSpec:
    pod: Pod
    backoff_limit: int
    active_deadline_seconds: int
    annotations: Mapping[str, str] | None = None


def headless_name(name: str) -> str:
    """The headless Service of workload `name` (and so the domain of its pods' names)."""
    return f"{name}-headless"


# -- small pieces several components share -------------------------------------------------------------------


def secret_env(name: str, secret: str, key: str | None = None) -> k8s.EnvVar:
    """An environment variable from key `key` (default: `name`) of Secret `secret`."""
    return k8s.EnvVar(name=name, value_from=k8s.EnvVarSource(
        secret_key_ref=k8s.SecretKeySelector(name=secret, key=key or name)))


def toleration(key: str, value: str | None, effect: str) -> k8s.Toleration:
    """Tolerate taint `key` (with `value` when it has one: Equal, else Exists) for `effect`."""
    return k8s.Toleration(key=key, operator="Equal" if value else "Exists", value=value or None, effect=effect)


def config_volume(name: str, config_map: str, default_mode: int | None = None) -> k8s.Volume:
    return k8s.Volume(name=name, config_map=k8s.ConfigMapVolumeSource(name=config_map, default_mode=default_mode))


#: a metrics exporter sidecar's own size (it serves one scrape at a time)
EXPORTER_RESOURCES = Resources("50m", "64Mi", "200m", "128Mi")


def exporter(image: str, env: Sequence[k8s.EnvVar], port: int, health_path: str) -> Container:
    """A Prometheus exporter sidecar `exporter` on port `metrics`, probed on `health_path` every 30 s."""
    probe = k8s.Probe(http_get=k8s.HttpGetAction(path=health_path, port=int_or_string("metrics")), period_seconds=30)
    return Container(name="exporter", image=image, env=env, ports=(Port("metrics", port),),
                     resources=EXPORTER_RESOURCES, readiness_probe=probe, liveness_probe=probe)
