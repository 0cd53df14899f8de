"""The refs validator's name and rule ids: kube-linter's names where kube-linter has the check."""

VALIDATOR = "refs"

DANGLING_SERVICE = "dangling-service"
DANGLING_INGRESS = "dangling-ingress"
DANGLING_HPA = "dangling-horizontalpodautoscaler"
DANGLING_NETWORKPOLICY = "dangling-networkpolicy"
DANGLING_NETWORKPOLICY_PEER = "dangling-networkpolicypeer-podselector"
DANGLING_SERVICEMONITOR = "dangling-servicemonitor"
DANGLING_PDB = "dangling-pdb"
NON_EXISTENT_SERVICE_ACCOUNT = "non-existent-service-account"
MISMATCHING_SELECTOR = "mismatching-selector"
INVALID_TARGET_PORTS = "invalid-target-ports"
PROBE_PORT_RULES = {"livenessProbe": "liveness-port", "readinessProbe": "readiness-port",
                    "startupProbe": "startup-port"}
# rule ids, not credentials: S105 mistakes them for passwords
MISSING_SECRET = "missing-secret"  # noqa: S105
MISSING_SECRET_KEY = "missing-secret-key"  # noqa: S105
MISSING_CONFIGMAP = "missing-configmap"
MISSING_CONFIGMAP_KEY = "missing-configmap-key"
UNKNOWN_SECRET_STORE = "unknown-secret-store"  # noqa: S105
MISSING_PVC = "missing-pvc"
MISSING_VOLUME = "missing-volume"
