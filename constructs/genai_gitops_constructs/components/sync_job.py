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

from genai_gitops_constructs.security import Resources, SecurityProfile, writable
from genai_gitops_constructs.versions import image
from genai_gitops_constructs.workload import Container, Identity, Pod, config_volume

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
    pod = Pod(
        restart_policy="Never", profile=props.profile,
        containers=[Container(
            name=props.container, image=image("litellm"), command=["python3", f"{SYNC_DIR}/{props.script}"],
            env=props.env, resources=Resources("50m", "64Mi", "200m", "128Mi"),
            mounts=[k8s.VolumeMount(name="sync", mount_path=SYNC_DIR, read_only=True), tmp_mount])],
        volumes=[config_volume("sync", props.config_map), tmp_volume],
        annotations={props.checksum_annotation: props.checksum})
    app = Identity(props.name, props.namespace, props.labels)
    return k8s.KubeCronJob(scope, id, metadata=app.metadata(), spec=k8s.CronJobSpec(
        schedule=props.schedule, concurrency_policy="Forbid",
        successful_jobs_history_limit=1, failed_jobs_history_limit=3,
        job_template=k8s.JobTemplateSpec(spec=k8s.JobSpec(
            # the script waits for its API itself (READY_TIMEOUT); the next schedule retries anyway
            backoff_limit=2, active_deadline_seconds=props.active_deadline_seconds,
            template=pod.render(app)))))
