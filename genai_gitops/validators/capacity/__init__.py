"""Do a namespace's workloads fit its ResourceQuota and LimitRange, and can its GPU pods reach GPU nodes?

The worst case is what the API server must admit at the busiest moment the manifests allow: every
HPA at maxReplicas, every Deployment mid-rollout with its surge pods, every container defaulted by
the namespace's LimitRange exactly as the LimitRanger admission plugin would. A quota that only
fails at HPA max is reported apart (`quota-exceeded-at-hpa-max`): the tenant works until load
arrives, then the HPA cannot scale, which is a different fix (lower maxReplicas or raise the quota)
from a quota that rejects the rollout today.

quantities  exact decimals, shown in human units (format_quantity)
limits      LimitRange defaults and bounds, as the LimitRanger admits containers
demand      what one workload asks for: per-pod totals, fewest and most pods (HPA, surge), claims
quota       the quota keys counted, and which workloads a scoped quota counts
gpu         GPU requests and whether a GPU node pool takes the pod
analysis    CapacityAnalysis: one target's findings and headroom rows
validator   CapacityValidator, the `capacity` validator
"""

from genai_gitops.validators.capacity.quantities import format_quantity
from genai_gitops.validators.capacity.validator import CapacityValidator

__all__ = ["CapacityValidator", "format_quantity"]
