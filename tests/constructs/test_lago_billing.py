"""The billing sync against a fake Lago API: created once, unchanged when run again, removed tenants terminated."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest


class FakeLago:
    """The /api/v1 routes the sync uses (lago-api v1.48.1), state in memory, every call recorded."""

    def __init__(self) -> None:
        self.metrics: dict[str, dict[str, Any]] = {}
        self.plans: dict[str, dict[str, Any]] = {}
        self.customers: dict[str, dict[str, Any]] = {}
        self.subscriptions: dict[str, dict[str, Any]] = {}
        self.terminated: list[str] = []
        self.calls: list[tuple[str, str]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _reply(self, status: int, body: Any = None) -> None:
                data = json.dumps(body or {}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _route(self, method: str) -> None:
                url = urlsplit(self.path)
                fake.calls.append((method, url.path))
                if url.path == "/health":
                    return self._reply(200, {"status": "ok"})
                if self.headers.get("Authorization") != "Bearer lago-key":
                    return self._reply(401)
                parts = [unquote(p) for p in url.path.removeprefix("/api/v1/").split("/")]
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length)) if length else {}
                kind = parts[0]
                key = parts[1] if len(parts) > 1 else None
                if kind == "billable_metrics":
                    if method == "GET":
                        found = fake.metrics.get(key or "")
                        return self._reply(200, {"billable_metric": found}) if found else self._reply(404)
                    metric = {**body["billable_metric"], "lago_id": "bm-" + body["billable_metric"]["code"]}
                    fake.metrics[metric["code"]] = metric
                    return self._reply(200, {"billable_metric": metric})
                if kind == "plans":
                    if method == "GET":
                        found = fake.plans.get(key or "")
                        return self._reply(200, {"plan": found}) if found else self._reply(404)
                    if len(parts) == 3 and parts[2] == "charges":
                        charge = body["charge"]
                        fake.plans[key or ""]["charges"].append(
                            {"lago_id": "ch-new", "lago_billable_metric_id": charge["billable_metric_id"]})
                        return self._reply(200, {"charge": charge})
                    plan = body["plan"]
                    fake.plans[plan["code"]] = {**plan, "charges": [
                        {"lago_id": "ch-1", "lago_billable_metric_id": c["billable_metric_id"]}
                        for c in plan.pop("charges", [])]}
                    return self._reply(200, {"plan": fake.plans[plan["code"]]})
                if kind == "customers":
                    if method == "GET":
                        found = fake.customers.get(key or "")
                        return self._reply(200, {"customer": found}) if found else self._reply(404)
                    customer = body["customer"]
                    fake.customers[customer["external_id"]] = customer
                    return self._reply(200, {"customer": customer})
                if kind == "subscriptions":
                    if method == "GET" and key:
                        found = fake.subscriptions.get(key)
                        return self._reply(200, {"subscription": found}) if found else self._reply(404)
                    if method == "GET":
                        page = int(parse_qs(url.query).get("page", ["1"])[0])
                        listed = list(fake.subscriptions.values()) if page == 1 else []
                        return self._reply(200, {"subscriptions": listed, "meta": {"next_page": None}})
                    if method == "DELETE":
                        fake.terminated.append(key or "")
                        fake.subscriptions.pop(key or "")
                        return self._reply(200, {})
                    subscription = {**body["subscription"], "status": "active"}
                    fake.subscriptions[subscription["external_id"]] = subscription
                    return self._reply(200, {"subscription": subscription})
                return self._reply(404)

            def do_GET(self) -> None:
                self._route("GET")

            def do_POST(self) -> None:
                self._route("POST")

            def do_PUT(self) -> None:
                self._route("PUT")

            def do_DELETE(self) -> None:
                self._route("DELETE")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def writes(self) -> list[tuple[str, str]]:
        return [c for c in self.calls if c[0] != "GET"]


@pytest.fixture
def fake() -> Any:
    lago = FakeLago()
    yield lago
    lago.server.shutdown()
    lago.server.server_close()


def run(tmp_path: Path, fake: FakeLago, billing: dict[str, Any], script: str) -> str:
    (tmp_path / "billing_sync.py").write_text(script)
    (tmp_path / "billing.json").write_text(json.dumps(billing))
    env = {"LAGO_URL": fake.url, "LAGO_API_KEY": "lago-key", "BILLING_FILE": str(tmp_path / "billing.json"),
           "READY_TIMEOUT": "10"}
    done = subprocess.run([sys.executable, str(tmp_path / "billing_sync.py")], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_billing_objects_match_what_litellm_sends(example_dist: Any, fake: FakeLago, tmp_path: Path) -> None:
    central = example_dist.app("central-prod", "central")
    files = central.get("ConfigMap", "lago-billing-sync").obj["data"]
    billing, script = json.loads(files["billing.json"]), files["billing_sync.py"]
    litellm_env = central.pod("litellm").env()
    tenants = [t for t in example_dist.platform.tenants if t.environment.value == "prod"]

    out = run(tmp_path, fake, billing, script)
    # the metric LiteLLM's events land on: their code, summing their cost property
    metric = fake.metrics[litellm_env["LAGO_API_EVENT_CODE"]]
    assert metric["aggregation_type"] == "sum_agg" and metric["field_name"] == "response_cost"
    # LAGO_API_CHARGE_BY=team_id: events carry external_subscription_id = team id = tenant id
    assert litellm_env["LAGO_API_CHARGE_BY"] == "team_id"
    assert {t.id: (t.billing.lago_customer_id, t.billing.plan) for t in tenants} == {
        sid: (s["external_customer_id"], s["plan_code"]) for sid, s in fake.subscriptions.items()}
    assert set(fake.customers) == {t.billing.lago_customer_id for t in tenants}
    for plan in fake.plans.values():
        assert [c["lago_billable_metric_id"] for c in plan["charges"]] == [metric["lago_id"]]
    assert "created" in out

    # again: nothing to change, nothing written
    before = len(fake.writes())
    assert run(tmp_path, fake, billing, script) == ""
    assert len(fake.writes()) == before

    # a tenant leaves tenants/ and another changes plan: terminated (customer kept) and moved
    gone, moved = billing["subscriptions"][0], billing["subscriptions"][-1]
    billing["subscriptions"] = billing["subscriptions"][1:]
    moved["plan_code"] = billing["plans"][0]["code"] if moved["plan_code"] != billing["plans"][0]["code"] \
        else billing["plans"][-1]["code"]
    out = run(tmp_path, fake, billing, script)
    assert fake.terminated == [gone["external_id"]]
    assert f"subscription {gone['external_id']}: terminated (tenant removed)" in out
    assert gone["external_customer_id"] in fake.customers
    assert fake.subscriptions[moved["external_id"]]["plan_code"] == moved["plan_code"]
