"""Issue 11, hole 10: a tenant's own images are trusted per repository prefix it declares, never per
registry host; its MCP images must come from one of them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from genai_gitops.cli import main
from genai_gitops.model import ModelError, load_platform
from genai_gitops.model.images import full_repository

FIXTURES = Path(__file__).parents[1] / "invariants" / "fixtures"
MCP_IMAGE = "    image: ghcr.io/alpha-corp/mcp-search:2.0.0"
REPOSITORIES = "image_repositories: [ghcr.io/alpha-corp/]"


@pytest.fixture()
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(FIXTURES, tmp_path / "data")
    monkeypatch.chdir(tmp_path / "data")  # problems name files relative to the working directory
    return tmp_path / "data"


def edit(data: Path, old: str, new: str) -> None:
    path = data / "tenants" / "alpha.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems(data: Path) -> list[str]:
    with pytest.raises(ModelError) as info:
        load_platform(data / "tenants", data / "clusters.yaml")
    return [str(p) for p in info.value.problems]


def test_fixture_loads(data: Path) -> None:
    alpha = next(t for t in load_platform(data / "tenants", data / "clusters.yaml").tenants if t.id == "alpha")
    assert alpha.image_repositories == ["ghcr.io/alpha-corp/"]


def test_mcp_image_from_an_untrusted_organisation_is_refused(data: Path) -> None:
    edit(data, MCP_IMAGE, "    image: docker.io/evil/cryptominer:1.0")
    assert problems(data) == [
        "tenants/alpha.yaml: image_repositories: mcp_servers[0].image 'docker.io/evil/cryptominer:1.0' (repository "
        "docker.io/evil/cryptominer) is under none of the tenant's image_repositories ['ghcr.io/alpha-corp/']; add "
        "the prefix of the repository the tenant publishes it under (e.g. 'ghcr.io/<organisation>/') or use an "
        "image from one"]


def test_look_alike_organisation_is_not_under_the_prefix(data: Path) -> None:
    edit(data, MCP_IMAGE, "    image: ghcr.io/alpha-corp-evil/mcp-search:2.0.0")
    assert len(problems(data)) == 1


def test_mcp_servers_need_declared_repositories(data: Path) -> None:
    edit(data, REPOSITORIES, "")
    assert problems(data) == [
        "tenants/alpha.yaml: image_repositories: mcp_servers[0].image 'ghcr.io/alpha-corp/mcp-search:2.0.0' "
        "(repository ghcr.io/alpha-corp/mcp-search) is under none of the tenant's image_repositories []; add the "
        "prefix of the repository the tenant publishes it under (e.g. 'ghcr.io/<organisation>/') or use an image "
        "from one"]


@pytest.mark.parametrize(("value", "expected"), [
    ("ghcr.io/", "tenants/alpha.yaml: image_repositories[0]: 'ghcr.io/' is not a repository prefix; write the "
                 "registry host and at least one lower-case path component, e.g. 'ghcr.io/acme-corp/' or "
                 "'docker.io/acme/' (a whole registry host is never trusted)"),
    ("docker.io/", "tenants/alpha.yaml: image_repositories[0]: 'docker.io/' is not a repository prefix; write the "
                   "registry host and at least one lower-case path component, e.g. 'ghcr.io/acme-corp/' or "
                   "'docker.io/acme/' (a whole registry host is never trusted)"),
    ("ghcr.io/alpha-corp", "tenants/alpha.yaml: image_repositories[0]: 'ghcr.io/alpha-corp' must end with '/' (a "
                           "prefix: every image under it is trusted), e.g. 'ghcr.io/alpha-corp/'"),
    ("ghcr.io/alpha-*/", "tenants/alpha.yaml: image_repositories[0]: 'ghcr.io/alpha-*/' has a wildcard; list each "
                         "repository prefix literally, e.g. 'ghcr.io/acme-corp/'"),
    ("alpha-corp/", "tenants/alpha.yaml: image_repositories[0]: 'alpha-corp/' is not a repository prefix; write the "
                    "registry host and at least one lower-case path component, e.g. 'ghcr.io/acme-corp/' or "
                    "'docker.io/acme/' (a whole registry host is never trusted)"),
])
def test_repository_prefix_grammar(data: Path, value: str, expected: str) -> None:
    edit(data, REPOSITORIES, f"image_repositories: [\"{value}\", ghcr.io/alpha-corp/]")
    assert problems(data) == [expected]


def test_check_reports_the_untrusted_image_without_a_traceback(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(data, MCP_IMAGE, "    image: docker.io/evil/cryptominer:1.0")
    code = main(["check", "--repo", str(data), "--no-drift", "--no-cache", "--skip", "checkov"])
    captured = capsys.readouterr()
    assert code == 1  # invalid data is a finding, not a usage error
    assert "tenants/alpha.yaml\n" in captured.out
    assert ("[data/invalid-data]  image_repositories: mcp_servers[0].image 'docker.io/evil/cryptominer:1.0'"
            in captured.out)
    assert "Traceback" not in captured.out + captured.err


@pytest.mark.parametrize(("image", "repository"), [
    ("postgres:18.1", "docker.io/library/postgres"),
    ("evil/cryptominer:1.0", "docker.io/evil/cryptominer"),
    ("GHCR.IO/alpha-corp/mcp:1.0@sha256:" + "a" * 64, "ghcr.io/alpha-corp/mcp"),
    ("localhost:5000/tools/mcp:1", "localhost:5000/tools/mcp"),
])
def test_full_repository_reads_images_as_the_runtime_does(image: str, repository: str) -> None:
    assert full_repository(image) == repository
