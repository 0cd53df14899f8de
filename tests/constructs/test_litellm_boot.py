"""The proof: the real LiteLLM proxy boots from the config.yaml we deploy and serves every model.

The config is read from the synthesised ConfigMap (what Argo CD applies), not from the renderer.
Only what needs the cluster's network changes in the test copy, and the test proves that nothing
else did:

- every upstream's endpoint points at a local OpenAI-compatible stub. `openai/` and `hosted_vllm/`
  keep their provider (only `api_base` changes). Anthropic's Messages API and Bedrock's SigV4 API
  cannot be served by an OpenAI-compatible stub, so their deployments are routed through `openai/`
  with the same model id for the test only (the production entry is asserted separately below);
- callbacks that send to Langfuse, Lago and the OTel collector are dropped (Prometheus stays);
- no database (`database_url`) and no Redis (the cache and the coordination Redis): the no-DB path
  still authenticates the master key, which is all the test needs.

The proxy runs with the Deployment's own arguments and plain environment (ports, config path and the
Prometheus directory swapped for local ones), secrets from test values.
"""

from __future__ import annotations

import copy
import json
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
LITELLM = REPO / ".venv-litellm" / "bin" / "litellm"
MASTER_KEY = "sk-boot-test-master-key"
#: test values for the Secret keys the Deployment reads (never real credentials)
TEST_SECRETS = {
    "LITELLM_MASTER_KEY": MASTER_KEY,
    "LITELLM_SALT_KEY": "sk-boot-test-salt-key",
    "OPENAI_API_KEY": "sk-stub-openai",
    "ANTHROPIC_API_KEY": "sk-stub-anthropic",
    "VLLM_API_KEY": "stub-vllm-key",
    "LANGFUSE_PUBLIC_KEY": "pk-stub",
    "LANGFUSE_SECRET_KEY": "sk-stub",
    "LAGO_API_KEY": "stub-lago",
    "REDIS_PASSWORD": "stub-redis",
}
#: Secret keys deliberately left unset: DATABASE_URL alone makes the proxy set up a database
NOT_SET = {"DATABASE_URL"}
#: the test-only key for Bedrock deployments once they are routed through the stub
BEDROCK_STUB_KEY = "sk-stub-bedrock"
STARTUP_TIMEOUT = 90.0


def _has_prometheus_client() -> bool:
    """The images ship prometheus_client; `litellm[proxy]` alone does not (requirements/litellm.lock)."""
    python = LITELLM.parent / "python"
    return python.exists() and subprocess.run([str(python), "-c", "import prometheus_client"],
                                              capture_output=True, timeout=60).returncode == 0


PROMETHEUS = _has_prometheus_client() if LITELLM.exists() else False
#: the only places where the test copy may differ from the production config
ALLOWED_CHANGES = {
    "litellm_settings.callbacks", "litellm_settings.success_callback", "litellm_settings.failure_callback",
    "litellm_settings.cache", "litellm_settings.cache_params", "general_settings.database_url",
    "general_settings.coordination_redis",
}


# -- a local OpenAI-compatible provider -------------------------------------------------------------

class StubProvider:
    """/v1/models and /v1/chat/completions on 127.0.0.1; remembers every request it answered."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _reply(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                if self.path.rstrip("/").endswith("/v1/models"):
                    self._reply(200, {"object": "list", "data": [{"id": "stub", "object": "model"}]})
                else:
                    self._reply(404, {"error": {"message": f"no route {self.path}"}})

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
                if not self.path.rstrip("/").endswith("/chat/completions"):
                    self._reply(404, {"error": {"message": f"no route {self.path}"}})
                    return
                stub.requests.append({"path": self.path, "authorization": self.headers.get("Authorization"),
                                      "model": body.get("model"), "messages": body.get("messages")})
                self._reply(200, {
                    "id": "chatcmpl-stub", "object": "chat.completion", "created": int(time.time()),
                    "model": body.get("model"),
                    "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": f"stub answer from {body.get('model')}"}}],
                    "usage": {"prompt_tokens": 5, "completion_tokens": 4, "total_tokens": 9},
                })

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> StubProvider:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


# -- the test copy of the production config -------------------------------------------------------

def make_test_copy(production: dict[str, Any], stub_url: str) -> tuple[dict[str, Any], dict[str, tuple[str, str]]]:
    """The config with provider endpoints on the stub and no network callbacks, DB or Redis.

    Also returns, per deployment id, what the stub must see: (upstream model, API key).
    """
    config = copy.deepcopy(production)
    expected: dict[str, tuple[str, str]] = {}
    for entry in config["model_list"]:
        params = entry["litellm_params"]
        provider, _, upstream = params["model"].partition("/")
        if provider in ("openai", "hosted_vllm"):
            params["api_base"] = stub_url
            key_env = params["api_key"].removeprefix("os.environ/")
            expected[entry["model_info"]["id"]] = (upstream, TEST_SECRETS[key_env])
        elif provider == "anthropic":
            entry["litellm_params"] = {"model": f"openai/{upstream}", "api_base": stub_url,
                                       "api_key": params["api_key"]}
            expected[entry["model_info"]["id"]] = (upstream, TEST_SECRETS["ANTHROPIC_API_KEY"])
        elif provider == "bedrock":
            entry["litellm_params"] = {"model": f"openai/{upstream}", "api_base": stub_url,
                                       "api_key": BEDROCK_STUB_KEY}
            expected[entry["model_info"]["id"]] = (upstream, BEDROCK_STUB_KEY)
        else:
            raise AssertionError(f"no stub mapping for provider {provider!r}; extend test_copy")
    settings = config["litellm_settings"]
    settings["callbacks"] = [c for c in settings["callbacks"] if c == "prometheus" and PROMETHEUS]
    for key in ("success_callback", "failure_callback", "cache", "cache_params"):
        settings.pop(key, None)
    for key in ("database_url", "coordination_redis"):
        config["general_settings"].pop(key, None)
    return config, expected


def changed_paths(a: Any, b: Any, path: str = "") -> set[str]:
    """Dotted paths where two configs differ (model_list entries by model_info.id)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out: set[str] = set()
        for key in a.keys() | b.keys():
            sub = f"{path}.{key}" if path else str(key)
            if key not in a or key not in b:
                out.add(sub)
            else:
                out |= changed_paths(a[key], b[key], sub)
        return out
    return set() if a == b else {path}


# -- running the proxy ------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http(method: str, url: str, body: dict[str, Any] | None = None, key: str | None = MASTER_KEY,
         timeout: float = 30) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            text = response.read().decode()
            status = response.status
    except urllib.error.HTTPError as error:
        text, status = error.read().decode(errors="replace"), error.code
    try:
        return status, json.loads(text)
    except json.JSONDecodeError:
        return status, text


def stop(process: subprocess.Popen[bytes]) -> None:
    """End the proxy's whole session: the uvicorn workers and the metrics server are its children."""
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        try:
            process.wait(timeout=wait)
            break
        except subprocess.TimeoutExpired:
            continue
    if process.poll() is None:
        process.kill()
        process.wait(timeout=5)


class Proxy:
    def __init__(self, process: subprocess.Popen[bytes], log: Path, base: str, metrics: str) -> None:
        self.process, self.log, self.base, self.metrics = process, log, base, metrics

    def tail(self, lines: int = 60) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


@pytest.fixture(scope="module")
def deployment(example_dist: Any) -> dict[str, Any]:
    return example_dist.app("central-prod", "central").get("Deployment", "litellm").obj


@pytest.fixture(scope="module")
def production_config(example_dist: Any) -> dict[str, Any]:
    config_map = example_dist.app("central-prod", "central").get("ConfigMap", "litellm-config")
    return yaml.safe_load(config_map.obj["data"]["config.yaml"])


@pytest.fixture(scope="module")
def booted(deployment: dict[str, Any], production_config: dict[str, Any],
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Proxy, StubProvider, dict, dict, float]]:
    if not LITELLM.exists():
        pytest.skip(f"{LITELLM} is missing: run `make .venv-litellm/.installed` (CI installs it)")
    work = tmp_path_factory.mktemp("litellm-boot")
    with StubProvider() as stub:
        config, expected = make_test_copy(production_config, stub.url)
        config_file = work / "config.yaml"
        config_file.write_text(yaml.safe_dump(config, sort_keys=False))

        container = deployment["spec"]["template"]["spec"]["containers"][0]
        port, metrics_port = free_port(), free_port()
        swap = {"--config": str(config_file), "--port": str(port), "--prometheus_metrics_port": str(metrics_port)}
        args = list(container["args"])
        for index, arg in enumerate(args[:-1]):
            if arg in swap:
                args[index + 1] = swap[arg]
        if not PROMETHEUS:  # the separate metrics server imports prometheus_client at start
            at = args.index("--prometheus_metrics_port")
            del args[at:at + 2]
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(work), "TMPDIR": str(work),
               "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
        env |= {v["name"]: v["value"] for v in container["env"] if "value" in v}
        env["HOME"] = str(work)  # the Deployment's HOME is an emptyDir; here the test's work folder
        env["PROMETHEUS_MULTIPROC_DIR"] = str(work / "prometheus")
        env |= TEST_SECRETS
        log = work / "litellm.log"
        started = time.monotonic()
        with log.open("wb") as out:
            process = subprocess.Popen([str(LITELLM), *args, "--host", "127.0.0.1"], env=env, cwd=work,
                                       stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        proxy = Proxy(process, log, f"http://127.0.0.1:{port}", f"http://127.0.0.1:{metrics_port}")
        try:
            while True:
                if process.poll() is not None:
                    pytest.fail(f"litellm exited with {process.returncode} before it was live:\n{proxy.tail()}")
                try:
                    if http("GET", f"{proxy.base}/health/liveliness", key=None, timeout=2)[0] == 200:
                        break
                except OSError:
                    pass
                if time.monotonic() - started > STARTUP_TIMEOUT:
                    pytest.fail(f"litellm not live within {STARTUP_TIMEOUT:.0f}s:\n{proxy.tail()}")
                time.sleep(0.25)
            startup = time.monotonic() - started
            print(f"\nlitellm live after {startup:.1f}s")
            yield proxy, stub, config, expected, startup
        finally:
            stop(process)


def test_test_copy_changes_only_the_network_parts(production_config: dict[str, Any]) -> None:
    config, _ = make_test_copy(production_config, "http://127.0.0.1:9/v1")
    by_id = {e["model_info"]["id"]: e for e in config["model_list"]}
    for entry in production_config["model_list"]:
        copied = by_id[entry["model_info"]["id"]]
        assert copied["model_name"] == entry["model_name"]
        assert copied["model_info"] == entry["model_info"]
        provider, _, upstream = entry["litellm_params"]["model"].partition("/")
        changed = changed_paths(entry["litellm_params"], copied["litellm_params"])
        if provider in ("openai", "hosted_vllm"):  # the same provider code path, only the endpoint moved
            assert changed <= {"api_base"}, (entry, changed)
        else:  # same upstream model id, through the OpenAI-compatible client
            assert copied["litellm_params"]["model"] == f"openai/{upstream}"
    rest_prod = {k: v for k, v in production_config.items() if k != "model_list"}
    rest_test = {k: v for k, v in config.items() if k != "model_list"}
    assert changed_paths(rest_prod, rest_test) <= ALLOWED_CHANGES
    assert config["litellm_settings"]["callbacks"] == (["prometheus"] if PROMETHEUS else [])


def test_proxy_lists_exactly_the_configured_models(booted: tuple) -> None:
    proxy, _, config, _, startup = booted
    status, body = http("GET", f"{proxy.base}/v1/models")
    assert status == 200, body
    assert sorted({m["id"] for m in body["data"]}) == sorted({e["model_name"] for e in config["model_list"]})
    assert startup < STARTUP_TIMEOUT


def test_every_model_answers_through_the_stub(booted: tuple) -> None:
    proxy, stub, config, expected, _ = booted
    for name in sorted({e["model_name"] for e in config["model_list"]}):
        before = len(stub.requests)
        status, body = http("POST", f"{proxy.base}/v1/chat/completions",
                            {"model": name, "messages": [{"role": "user", "content": f"hello {name}"}]})
        assert status == 200, (name, body, proxy.tail(20))
        assert body["choices"][0]["message"]["content"].startswith("stub answer from")
        seen = stub.requests[before:]
        assert len(seen) == 1, (name, seen)
        candidates = {expected[e["model_info"]["id"]] for e in config["model_list"] if e["model_name"] == name}
        # the upstream model id and the provider key LiteLLM sent are those of one of the name's deployments
        assert (seen[0]["model"], seen[0]["authorization"].removeprefix("Bearer ")) in candidates
        assert seen[0]["messages"][-1]["content"] == f"hello {name}"


def test_requests_without_the_key_are_refused(booted: tuple) -> None:
    proxy, _, _, _, _ = booted
    status, _ = http("GET", f"{proxy.base}/v1/models", key=None)
    assert status != 200
    status, _ = http("GET", f"{proxy.base}/v1/models", key="sk-not-the-master-key")
    assert status != 200


def test_metrics_are_served_on_their_own_port_without_a_key(booted: tuple) -> None:
    if not PROMETHEUS:
        pytest.skip("prometheus_client is not in .venv-litellm (requirements/litellm.lock); the images ship it")
    proxy, _, _, _, _ = booted
    with urllib.request.urlopen(f"{proxy.metrics}/metrics", timeout=10) as response:
        assert response.status == 200
