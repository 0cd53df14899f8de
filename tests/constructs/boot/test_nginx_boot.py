"""nginx (Debian `nginx-light`) serves the generated Lago front-end config with the container's command.

The test copy changes only paths and the listen address: the image's web root, its two include files
(conf.d/gzip.conf and conf.d/csp.conf, shipped by getlago/front; minimal stand-ins here), the
ConfigMap mount and /tmp become test folders, and `listen 8080` becomes 127.0.0.1 on a free port.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bootlib import Processes, free_port, program, wait_until

from genai_gitops.model.traffic import PORTS
from genai_gitops_constructs.components.lago import FRONT_CONFIG_DIR

pytestmark = pytest.mark.boot


@pytest.fixture
def work() -> Iterator[Path]:
    """World-readable (nginx workers drop to `nobody` when the master runs as root)."""
    folder = Path(tempfile.mkdtemp(prefix="genai-nginx-boot-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def get(url: str) -> tuple[int, dict[str, str], str]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, dict(response.headers), response.read().decode()


def test_front_config_serves_the_app_and_the_runtime_config(central: Any, work: Path) -> None:
    nginx = program("nginx")
    data = central.get("ConfigMap", "lago-front-config").obj["data"]
    container = central.get("Deployment", "lago-front").obj["spec"]["template"]["spec"]["containers"][0]
    html, conf_d, config, tmp = work / "html", work / "conf.d", work / "config", work / "tmp"
    for folder in (html / "assets", conf_d, config, tmp):
        folder.mkdir(parents=True)
    (html / "index.html").write_text("<html>lago</html>")
    (html / "assets" / "app.js").write_text("console.log('lago')")
    (conf_d / "gzip.conf").write_text("gzip on;\n")
    (conf_d / "csp.conf").write_text('add_header X-Boot-Csp "on";\n')
    (config / "env-config.js").write_text(data["env-config.js"])
    port = free_port()
    text = data["nginx.conf"]
    swaps = {f"{FRONT_CONFIG_DIR}/": f"{config}/", "/etc/nginx/conf.d/": f"{conf_d}/",
             "/usr/share/nginx/html": str(html), "/tmp/": f"{tmp}/",
             f"listen {PORTS['lago-front']};": f"listen 127.0.0.1:{port};"}
    assert all(old in text for old in swaps), [old for old in swaps if old not in text]
    # one pass, so a replacement is never rewritten again
    text = re.sub("|".join(re.escape(old) for old in swaps), lambda m: swaps[m.group(0)], text)
    (config / "nginx.conf").write_text(text)
    for path in work.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)

    command = list(container["command"])
    assert command[:3] == ["nginx", "-c", f"{FRONT_CONFIG_DIR}/nginx.conf"]
    command[0], command[2] = nginx, str(config / "nginx.conf")
    checked = subprocess.run([nginx, "-t", "-c", command[2]], capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr
    processes = Processes(work)
    try:
        processes.start(command, log="nginx.log", env={"PATH": os.environ["PATH"]})
        base = f"http://127.0.0.1:{port}"
        wait_until(lambda: get(f"{base}/")[0] == 200, 20, "nginx serving", lambda: (work / "nginx.log").read_text())
        status, headers, body = get(f"{base}/env-config.js")
        assert status == 200 and body == data["env-config.js"] and headers["Cache-Control"] == "no-cache"
        status, headers, _ = get(f"{base}/assets/app.js")
        assert status == 200 and "immutable" in headers["Cache-Control"] and headers["X-Boot-Csp"] == "on"
        # client-side routes fall back to the app
        status, _, body = get(f"{base}/customers/42")
        assert status == 200 and body == "<html>lago</html>"
    finally:
        processes.stop_all()
