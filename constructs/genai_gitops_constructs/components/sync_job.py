"""A CronJob that runs one Python script from a ConfigMap against a platform API.

The LiteLLM team sync and the Lago billing sync share this shape: the script and the desired state
(JSON) are mounted read-only from a ConfigMap, the pod runs the LiteLLM image's Python as its non-root
user with a read-only root and a small /tmp, and a checksum of the desired state rolls the template
when a tenant file changes. A CronJob (not a PostSync hook) so it never waits for unrelated workloads
and re-applies the tenant files on schedule.
"""

from __future__ import annotations

from dataclasses import dataclass

from cdk8s_plus_28 import k8s
from constructs import Construct

from genai_gitops_constructs.security import (
    Resources,
    SecurityProfile,
    container_security_context,
    pod_security_context,
    writable,
)
from genai_gitops_constructs.versions import image

#: where the ConfigMap (script and desired state) is mounted
SYNC_DIR = "/sync"


@dataclass(frozen=True)
class ScriptCronJobProps:
    name: str
    namespace: str
    labels: dict[str, str]
    #: the container's name and the script's file name in the ConfigMap
    container: str
    script: str
    config_map: str
    env: list[k8s.EnvVar]
    schedule: str
    #: seconds a run may take (below the schedule's period, so runs never pile up)
    active_deadline_seconds: int
    #: the pod-template annotation holding the desired state's checksum (`checksum/<what>`)
    checksum_annotation: str
    checksum: str
    profile: SecurityProfile


def script_cronjob(scope: Construct, id: str, props: ScriptCronJobProps) -> k8s.KubeCronJob:
    tmp_volume, tmp_mount = writable("tmp", "/tmp", "16Mi")  # noqa: S108 (an emptyDir)
    pod = k8s.PodSpec(
        restart_policy="Never",
        containers=[k8s.Container(
            name=props.container, image=image("litellm"), command=["python3", f"{SYNC_DIR}/{props.script}"],
            env=props.env, resources=Resources("50m", "64Mi", "200m", "128Mi").render(),
            security_context=container_security_context(props.profile),
            volume_mounts=[k8s.VolumeMount(name="sync", mount_path=SYNC_DIR, read_only=True), tmp_mount])],
        volumes=[k8s.Volume(name="sync", config_map=k8s.ConfigMapVolumeSource(name=props.config_map)), tmp_volume],
        security_context=pod_security_context(props.profile),
        automount_service_account_token=False, enable_service_links=False)
    return k8s.KubeCronJob(scope, id, metadata=k8s.ObjectMeta(
        name=props.name, namespace=props.namespace, labels=props.labels), spec=k8s.CronJobSpec(
        schedule=props.schedule, concurrency_policy="Forbid",
        successful_jobs_history_limit=1, failed_jobs_history_limit=3,
        job_template=k8s.JobTemplateSpec(spec=k8s.JobSpec(
            # the script waits for its API itself (READY_TIMEOUT); the next schedule retries anyway
            backoff_limit=2, active_deadline_seconds=props.active_deadline_seconds,
            template=k8s.PodTemplateSpec(
                metadata=k8s.ObjectMeta(labels=props.labels,
                                        annotations={props.checksum_annotation: props.checksum}),
                spec=pod)))))
