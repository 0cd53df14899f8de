"""Billing wired end to end: Lago's billable metric, plans, customers and subscriptions from the tenant files.

LiteLLM's Lago callback (litellm/integrations/lago.py, 1.106.2) sends one event per request with
`code = LAGO_API_EVENT_CODE` (`llm_usage`), `external_subscription_id = team_id` (LAGO_API_CHARGE_BY) and
`properties.response_cost` in USD. So the objects Lago needs are:

- the billable metric `llm_usage`: sum of `response_cost`;
- one plan per `billing.plan` code: monthly, no fixed fee, one standard charge on the metric at 1 USD per
  unit (usage billed at provider cost; prices beyond that are set in Lago's UI and kept by later runs);
- one customer per `billing.lago_customer_id` (POST /customers is an upsert by external id);
- one subscription per tenant with `external_id = tenant id` (= the LiteLLM team id), on its plan.

`lago-billing-sync`, a CronJob, applies them through Lago's REST API (routes and parameters of lago-api
v1.48.1: config/routes.rb, app/controllers/api/v1/*) with the organisation's API key. It is idempotent:
it reads first and creates or updates only what differs. A tenant removed from tenants/ has its
subscription terminated (DELETE /subscriptions/<id>), never its customer deleted: invoices stay. It
depends on Lago's API alone, so it blocks no sync wave; the next run retries whatever failed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cdk8s_plus_28 import k8s
from constructs import Construct

from genai_gitops.model.cluster import ClusterSpec
from genai_gitops.model.tenant import TenantSpec
from genai_gitops.model.traffic import LAGO_BILLING_SYNC, PLATFORM_NAMESPACE, PORTS, service_host
from genai_gitops_constructs.components.sync_job import ScriptCronJobProps, script_cronjob
from genai_gitops_constructs.meta import labels

#: what LiteLLM sends as the event code (litellm.py: LAGO_API_EVENT_CODE)
EVENT_CODE = "llm_usage"
#: LiteLLM's event property holding the request's cost in USD
COST_FIELD = "response_cost"
SCHEDULE = "*/10 * * * *"


def desired_state(tenants: Sequence[TenantSpec]) -> dict[str, Any]:
    """What Lago must hold for these tenants (the sync's input, rendered into a ConfigMap)."""
    ordered = sorted(tenants, key=lambda t: t.id)
    return {
        "billable_metric": {"name": "LLM usage (USD at provider cost)", "code": EVENT_CODE,
                            "aggregation_type": "sum_agg", "field_name": COST_FIELD,
                            "description": "Sum of LiteLLM's response_cost per request"},
        "plans": [{"code": code, "name": f"GenAI {code}", "interval": "monthly", "amount_cents": 0,
                   "amount_currency": "USD", "pay_in_advance": False}
                  for code in sorted({t.billing.plan for t in ordered})],
        "customers": [{"external_id": cid, "name": next(t.name for t in ordered if t.billing.lago_customer_id == cid),
                       "currency": "USD"}
                      for cid in sorted({t.billing.lago_customer_id for t in ordered})],
        "subscriptions": [{"external_id": t.id, "external_customer_id": t.billing.lago_customer_id,
                           "plan_code": t.billing.plan, "name": t.name} for t in ordered],
    }


# Standard library only: it runs in the LiteLLM image (python3), the one Python image of the stack.
BILLING_SYNC_SCRIPT = '''"""Reconcile Lago's billable metric, plans, customers and subscriptions with billing.json."""
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

BASE = os.environ["LAGO_URL"].rstrip("/") + "/api/v1"
HEADERS = {"Authorization": "Bearer " + os.environ["LAGO_API_KEY"], "Content-Type": "application/json"}


def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(BASE + path, data=data, method=method, headers=HEADERS)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read().decode(errors="replace")
            return response.status, json.loads(text) if text else {}
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")[:500]


def must(what, status, body, ok=(200,)):
    if status not in ok:
        sys.exit(f"{what}: Lago answered {status}: {body}")
    return body


def wait_until_ready(seconds):
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(BASE.rsplit("/api/v1", 1)[0] + "/health", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            sys.exit(f"Lago at {BASE} was not ready within {seconds}s")
        time.sleep(3)


def quoted(value):
    return urllib.parse.quote(value, safe="")


def main():
    with open(os.environ.get("BILLING_FILE", "/sync/billing.json"), encoding="utf-8") as handle:
        want = json.load(handle)
    wait_until_ready(int(os.environ.get("READY_TIMEOUT", "240")))

    metric = want["billable_metric"]
    status, body = call("GET", "/billable_metrics/" + quoted(metric["code"]))
    if status == 404:
        body = must("billable metric", *call("POST", "/billable_metrics", {"billable_metric": metric}))
        print(f"billable metric {metric['code']}: created")
    else:
        current = must("billable metric", status, body)["billable_metric"]
        if any(current.get(k) != v for k, v in metric.items()):
            body = must("billable metric", *call("PUT", "/billable_metrics/" + quoted(metric["code"]),
                                                 {"billable_metric": metric}))
            print(f"billable metric {metric['code']}: updated")
    metric_id = body["billable_metric"]["lago_id"]

    usage_charge = {"billable_metric_id": metric_id, "charge_model": "standard", "properties": {"amount": "1"}}
    for plan in want["plans"]:
        status, body = call("GET", "/plans/" + quoted(plan["code"]))
        if status == 404:
            must(f"plan {plan['code']}", *call("POST", "/plans",
                                               {"plan": {**plan, "charges": [usage_charge]}}))
            print(f"plan {plan['code']}: created")
            continue
        current = must(f"plan {plan['code']}", status, body)["plan"]
        # prices set in Lago's UI are kept: only a missing usage charge is added (plans/charges#create)
        if not any(c.get("lago_billable_metric_id") == metric_id for c in current.get("charges", [])):
            must(f"plan {plan['code']}", *call("POST", "/plans/" + quoted(plan["code"]) + "/charges",
                                               {"charge": usage_charge}))
            print(f"plan {plan['code']}: usage charge added")

    for customer in want["customers"]:
        status, body = call("GET", "/customers/" + quoted(customer["external_id"]))
        current = body.get("customer", {}) if status == 200 else {}
        if status == 404 or any(current.get(k) != v for k, v in customer.items()):
            must(f"customer {customer['external_id']}", *call("POST", "/customers", {"customer": customer}))
            print(f"customer {customer['external_id']}: {'created' if status == 404 else 'updated'}")

    wanted = {s["external_id"] for s in want["subscriptions"]}
    for subscription in want["subscriptions"]:
        sid = subscription["external_id"]
        status, body = call("GET", "/subscriptions/" + quoted(sid))
        if status == 200 and body["subscription"].get("plan_code") == subscription["plan_code"]:
            continue
        if status not in (200, 404):
            must(f"subscription {sid}", status, body)
        # a new external id subscribes; an existing one on another plan is up- or downgraded by Lago
        must(f"subscription {sid}", *call("POST", "/subscriptions", {"subscription": subscription}))
        print(f"subscription {sid}: {'created' if status == 404 else 'moved to plan ' + subscription['plan_code']}")

    # tenants removed from tenants/: terminate their subscriptions on our plans (the customer stays)
    plans = {p["code"] for p in want["plans"]} | set(os.environ.get("RETIRED_PLANS", "").split()) - {""}
    page = 1
    stale = []
    while page:
        # the index lists active subscriptions unless asked otherwise (SubscriptionIndex)
        body = must("subscriptions", *call("GET", f"/subscriptions?per_page=100&page={page}"))
        stale += [s["external_id"] for s in body.get("subscriptions", [])
                  if s.get("plan_code") in plans and s["external_id"] not in wanted]
        page = body.get("meta", {}).get("next_page")
    for sid in stale:
        must(f"subscription {sid}", *call("DELETE", "/subscriptions/" + quoted(sid)))
        print(f"subscription {sid}: terminated (tenant removed)")


if __name__ == "__main__":
    main()
'''


@dataclass(frozen=True)
class LagoBillingProps:
    cluster: ClusterSpec
    tenants: Sequence[TenantSpec]
    #: the Secret and key holding the organisation's API key (lago.py's ExternalSecret)
    api_key_secret: str = "lago"  # noqa: S105 (a Secret name, not a value)
    api_key_key: str = "LAGO_ORG_API_KEY"


class LagoBillingSync(Construct):
    """ConfigMap (billing.json, billing_sync.py) and the `lago-billing-sync` CronJob."""

    def __init__(self, scope: Construct, id: str, props: LagoBillingProps) -> None:
        super().__init__(scope, id)
        from genai_gitops_constructs.components.litellm import LITELLM_PROFILE

        ns = PLATFORM_NAMESPACE
        meta = labels(LAGO_BILLING_SYNC, instance=props.cluster.name, component="billing")
        billing_json = json.dumps(desired_state(props.tenants), indent=2, sort_keys=True) + "\n"
        files = k8s.KubeConfigMap(self, "files", metadata=k8s.ObjectMeta(name=LAGO_BILLING_SYNC, namespace=ns,
                                                                          labels=meta),
                                  data={"billing.json": billing_json, "billing_sync.py": BILLING_SYNC_SCRIPT})
        env = [k8s.EnvVar(name="LAGO_URL", value=f"http://{service_host('lago-api')}:{PORTS['lago-api']}"),
               k8s.EnvVar(name="BILLING_FILE", value="/sync/billing.json"),
               k8s.EnvVar(name="READY_TIMEOUT", value="240"),
               k8s.EnvVar(name="LAGO_API_KEY", value_from=k8s.EnvVarSource(secret_key_ref=k8s.SecretKeySelector(
                   name=props.api_key_secret, key=props.api_key_key)))]
        script_cronjob(self, "cronjob", ScriptCronJobProps(
            name=LAGO_BILLING_SYNC, namespace=ns, labels=meta, container="billing-sync", script="billing_sync.py",
            config_map=files.name, env=env, schedule=SCHEDULE, active_deadline_seconds=540,
            checksum_annotation="checksum/billing", checksum=hashlib.sha256(billing_json.encode()).hexdigest(),
            profile=LITELLM_PROFILE))
