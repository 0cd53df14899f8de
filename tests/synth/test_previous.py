"""Unchanged files are hard-linked from the current dist/ into the staging tree (synth/previous.py).

Whatever path a file takes (linked or written), dist/ must come out with the same names, bytes and
modes as a synth into an empty folder; a file that is not exactly a fresh write (a symlink, a file
linked from elsewhere, other permission bits or owner, other bytes, below a symlinked folder) is
written, and whatever it pointed to is left alone.
"""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from genai_gitops.synth import synthesize
from genai_gitops.synth.previous import previous_tree
from genai_gitops.synth.swap import JOURNAL, KILL_AT_ENV, recover
from genai_gitops.synth.writer import write_app
from tests.conftest import REPO, copy_fixture_data

TENANT = "tenants/globex.yaml"
EDIT = ("requests_per_minute: 300", "requests_per_minute: 350")
FRESH_MODE = 0o666 & ~0o022

Tree = dict[str, tuple[str, int, bytes]]


def snapshot(root: Path) -> Tree:
    """Every name below `root`: its kind, permission bits and (for a file) bytes; symlinks are not followed."""
    out: Tree = {}
    for path in sorted(root.rglob("*")):
        st = path.lstat()
        kind = "dir" if stat.S_ISDIR(st.st_mode) else "file" if stat.S_ISREG(st.st_mode) else "other"
        body = path.read_bytes() if kind == "file" else b""
        out[str(path.relative_to(root))] = (kind, stat.S_IMODE(st.st_mode), body)
    return out


def inodes(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): p.lstat().st_ino for p in root.rglob("*") if p.is_file()}


def synth(root: Path) -> None:
    synthesize(root / "tenants", root / "clusters.yaml", root / "dist", policies_dir=root / "policies",
               argocd_dir=root / "argocd")


def edit(root: Path) -> None:
    tenant = root / TENANT
    text = tenant.read_text()
    assert EDIT[0] in text
    tenant.write_text(text.replace(*EDIT))


def leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith((".dist.", ".argocd.", JOURNAL)))


@pytest.fixture(scope="module", autouse=True)
def usual_umask():
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.fixture(scope="module")
def synthesized_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture data synthesised into an empty folder (read-only: copy it)."""
    root = copy_fixture_data(tmp_path_factory.mktemp("base"))
    shutil.copytree(REPO / "policies", root / "policies")
    synth(root)
    return root


@pytest.fixture(scope="module")
def edited_tree(tmp_path_factory: pytest.TempPathFactory) -> Tree:
    """dist/ of the edited data, synthesised into an empty folder: what every re-synth must give."""
    root = copy_fixture_data(tmp_path_factory.mktemp("edited"))
    shutil.copytree(REPO / "policies", root / "policies")
    edit(root)
    synth(root)
    return snapshot(root / "dist")


def copy_repo(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, symlinks=True)
    return target


# --- a real re-synth ----------------------------------------------------------------------------------


def test_a_resynth_links_unchanged_files_and_writes_changed_ones(synthesized_repo: Path, edited_tree: Tree,
                                                                 tmp_path: Path) -> None:
    root = copy_repo(synthesized_repo, tmp_path / "repo")
    before_bytes = {name: body for name, (kind, _, body) in snapshot(root / "dist").items() if kind == "file"}
    before = inodes(root / "dist")
    edit(root)
    synth(root)
    assert snapshot(root / "dist") == edited_tree
    after = inodes(root / "dist")
    unchanged = sorted(n for n in after if before_bytes.get(n) == edited_tree[n][2])
    changed = sorted(n for n in after if n not in unchanged)
    assert changed and len(unchanged) > 10 * len(changed), (len(changed), len(unchanged))
    assert all(n.startswith("customer-us-1/") or n.startswith("central-prod/") for n in changed), changed
    assert {n: after[n] for n in unchanged} == {n: before[n] for n in unchanged}  # the same inodes: linked
    assert set(after[n] for n in changed).isdisjoint(before.values())  # changed files: new inodes
    # the old tree is gone: every file has one name again, and no staging or old folder is left
    assert {(root / "dist" / n).lstat().st_nlink for n in after} == {1}
    assert leftovers(root) == []


def test_a_synth_into_a_repository_without_dist_writes_everything(synthesized_repo: Path, tmp_path: Path) -> None:
    root = copy_repo(synthesized_repo, tmp_path / "repo")
    expected = snapshot(root / "dist")
    shutil.rmtree(root / "dist")
    synth(root)
    assert snapshot(root / "dist") == expected and leftovers(root) == []


def test_files_that_are_not_a_fresh_write_are_rewritten_and_left_alone(synthesized_repo: Path,
                                                                       tmp_path: Path) -> None:
    """One synth over a dist/ with every kind of file that must not be linked; the output is what a synth
    into an empty folder gives, and nothing outside dist/ is linked or changed."""
    root = copy_repo(synthesized_repo, tmp_path / "repo")
    expected = snapshot(root / "dist")
    dist, outside = root / "dist", tmp_path / "outside"
    outside.mkdir()
    app = sorted(p for p in (dist / "customer-eu-1/tenant-acme").iterdir())
    symlinked, hardlinked, private, executable, edited = app[:5]
    # a symlink to an identical file outside dist/
    target = outside / "target.yaml"
    shutil.copy(symlinked, target)
    symlinked.unlink()
    symlinked.symlink_to(target)
    # a file hard-linked from outside dist/
    os.link(hardlinked, outside / "second-name.yaml")
    # other permission bits, and other bytes of the same size
    private.chmod(0o600)
    executable.chmod(0o755)
    body = edited.read_bytes()
    edited.write_bytes(body[:-2] + b"#\n")
    edited_ino = edited.stat().st_ino
    # a FIFO where a file was (must neither block nor be linked)
    fifo = dist / "customer-eu-1/tenant-initech" / sorted(os.listdir(dist / "customer-eu-1/tenant-initech"))[0]
    fifo.unlink()
    os.mkfifo(fifo)
    # an app folder that is a symlink to an identical folder outside dist/
    folder = dist / "customer-us-1/tenant-globex"
    shutil.copytree(folder, outside / "globex")
    shutil.rmtree(folder)
    folder.symlink_to(outside / "globex")
    outside_before = {p.name: (p.lstat().st_ino, p.read_bytes()) for p in (outside / "globex").iterdir()}
    target_before = (target.stat().st_ino, target.read_bytes())
    synth(root)
    assert snapshot(dist) == expected and leftovers(root) == []
    # nothing outside was linked into dist/ or changed
    assert (target.stat().st_ino, target.read_bytes()) == target_before and target.stat().st_nlink == 1
    assert (outside / "second-name.yaml").stat().st_nlink == 1
    assert hardlinked.stat().st_ino != (outside / "second-name.yaml").stat().st_ino
    assert edited.stat().st_ino != edited_ino
    assert {p.name: (p.lstat().st_ino, p.read_bytes()) for p in (outside / "globex").iterdir()} == outside_before
    assert {p.lstat().st_nlink for p in (outside / "globex").iterdir()} == {1}
    dist_inodes = set(inodes(dist).values())
    assert dist_inodes.isdisjoint({ino for ino, _ in outside_before.values()} | {target_before[0]})


def killed_synth(root: Path, point: str) -> None:
    env = {**os.environ, KILL_AT_ENV: point, "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "constructs")])}
    done = subprocess.run([sys.executable, "-m", "genai_gitops", "synth", "--quiet", "--cache-dir", ""], cwd=root,
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == -signal.SIGKILL, done.stderr


@pytest.mark.parametrize(("point", "result"), [("staged", "old"), ("rename-1", "new")])
def test_a_synth_killed_mid_swap_is_recovered_to_a_correct_tree(point: str, result: str, synthesized_repo: Path,
                                                                 edited_tree: Tree, tmp_path: Path) -> None:
    root = copy_repo(synthesized_repo, tmp_path / "repo")
    old_tree = snapshot(root / "dist")
    edit(root)
    killed_synth(root, point)
    # killed with the staged tree full of links: the current files have two names until recovery
    assert leftovers(root)
    assert recover(root, [root / "dist", root / "argocd"])
    assert snapshot(root / "dist") == (edited_tree if result == "new" else old_tree)
    assert leftovers(root) == []
    assert {p.lstat().st_nlink for p in (root / "dist").rglob("*") if p.is_file()} == {1}
    synth(root)  # and the next synth still links (or writes) to the right tree
    assert snapshot(root / "dist") == edited_tree and leftovers(root) == []


# --- the link decision on hand-made folders -----------------------------------------------------------


@pytest.fixture()
def folders(tmp_path: Path) -> tuple[Path, Path]:
    current, staged = tmp_path / "dist", tmp_path / "staged"
    (current / "app").mkdir(parents=True)
    (staged / "app").mkdir(parents=True)
    (current / "app/a.yaml").write_bytes(b"kind: A\n")
    return current, staged


def place(current: Path, staged: Path, name: str, data: bytes) -> bool:
    with previous_tree(current, staged) as tree, tree.folder("app") as before:
        assert before is not None
        return before.link(name, data, staged / "app" / name)


def test_an_identical_file_is_linked(folders: tuple[Path, Path]) -> None:
    current, staged = folders
    assert place(current, staged, "a.yaml", b"kind: A\n")
    assert (staged / "app/a.yaml").stat().st_ino == (current / "app/a.yaml").stat().st_ino


def as_symlink(path: Path, outside: Path) -> None:
    path.rename(outside)
    path.symlink_to(outside)


def as_second_name(path: Path, outside: Path) -> None:
    os.link(path, outside)


def as_fifo(path: Path, outside: Path) -> None:
    path.unlink()
    os.mkfifo(path)


@pytest.mark.parametrize("change", [as_symlink, as_second_name, as_fifo,
                                    lambda path, _: path.chmod(0o600), lambda path, _: path.chmod(0o755),
                                    lambda path, _: path.chmod(0o4644)],
                         ids=["symlink", "hard-linked-from-outside", "fifo", "0600", "0755", "setuid"])
def test_a_file_that_is_not_a_fresh_write_is_not_linked(folders: tuple[Path, Path], tmp_path: Path,
                                                        change) -> None:
    current, staged = folders
    outside = tmp_path / "outside.yaml"
    change(current / "app/a.yaml", outside)
    before = outside.lstat() if outside.exists() else None
    assert not place(current, staged, "a.yaml", b"kind: A\n")
    assert not (staged / "app/a.yaml").exists() and not (staged / "app/a.yaml").is_symlink()
    if before is not None:  # the file outside dist/ keeps its names and bytes
        assert (outside.lstat().st_ino, outside.lstat().st_nlink) == (before.st_ino, before.st_nlink)
        assert outside.read_bytes() == b"kind: A\n"


@pytest.mark.parametrize("data", [b"kind: B\n", b"kind: A\n\n", b"kind: A", b""])
def test_other_bytes_are_not_linked(folders: tuple[Path, Path], data: bytes) -> None:
    current, staged = folders
    assert not place(current, staged, "a.yaml", data)
    assert not (staged / "app/a.yaml").exists()


@pytest.mark.parametrize("name", ["../app/a.yaml", "app/a.yaml", "..", ".", ""])
def test_a_name_that_is_not_one_plain_component_is_never_looked_up(folders: tuple[Path, Path], name: str) -> None:
    current, staged = folders
    with previous_tree(current, staged) as tree, tree.folder("app") as before:
        assert before is not None and not before.link(name, b"kind: A\n", staged / "app/x.yaml")
    with previous_tree(current / "app", staged) as tree, tree.folder("..") as up:
        assert up is None


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="chown needs root")
def test_a_file_of_another_owner_or_group_is_not_linked(folders: tuple[Path, Path]) -> None:
    current, staged = folders
    os.chown(current / "app/a.yaml", 65534, -1)
    assert not place(current, staged, "a.yaml", b"kind: A\n")
    os.chown(current / "app/a.yaml", 0, 65534)
    assert not place(current, staged, "a.yaml", b"kind: A\n")


def test_the_mode_of_a_fresh_write_follows_the_umask(folders: tuple[Path, Path]) -> None:
    current, staged = folders
    old = os.umask(0o077)
    try:
        with previous_tree(current, staged) as tree:
            assert tree.fresh[2] == 0o600
        assert not place(current, staged, "a.yaml", b"kind: A\n")  # 0o644 is not what a write gives now
        (current / "app/a.yaml").chmod(0o600)
        assert place(current, staged, "a.yaml", b"kind: A\n")
    finally:
        os.umask(old)
    assert os.listdir(staged) == ["app"]  # the probe file is gone


def test_a_name_replaced_between_the_read_and_the_link_is_written(folders: tuple[Path, Path], tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The race: after the compare, someone puts a symlink (or another file) in place of the name."""
    current, staged = folders
    outside = tmp_path / "secret.yaml"
    outside.write_bytes(b"secret\n")
    real_link = os.link

    def link_after_a_swap(src, dst, **kwargs):
        (current / "app/a.yaml").unlink()
        real_link(outside, current / "app/a.yaml")  # another inode, now with two names
        return real_link(src, dst, **kwargs)

    monkeypatch.setattr(os, "link", link_after_a_swap)
    assert not place(current, staged, "a.yaml", b"kind: A\n")
    monkeypatch.undo()
    assert not (staged / "app/a.yaml").exists()  # the wrong link was removed; write_app writes the file
    assert outside.read_bytes() == b"secret\n" and outside.stat().st_nlink == 2  # outside + current name


def test_write_app_gives_the_same_folder_linked_or_written(folders: tuple[Path, Path], tmp_path: Path) -> None:
    current, staged = folders
    (current / "app/b.yaml").write_bytes(b"kind: B\n")
    (current / "app/c.yaml").write_bytes(b"kind: old\n")
    files = [("a.yaml", "kind: A\n"), ("b.yaml", "kind: B\n"), ("c.yaml", "kind: C\n"), ("d.yaml", "kind: D\n")]
    with previous_tree(current, staged) as tree, tree.folder("app") as before:
        assert write_app(staged / "app", files, before) == 4
    write_app(tmp_path / "plain", files)
    assert snapshot(staged / "app") == snapshot(tmp_path / "plain")
    linked = {p.name for p in (staged / "app").iterdir() if p.stat().st_nlink == 2}
    assert linked == {"a.yaml", "b.yaml"}
    assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in (staged / "app").iterdir()} == dict.fromkeys(
        ("a.yaml", "b.yaml", "c.yaml", "d.yaml"), FRESH_MODE)


def test_no_current_folder_or_a_symlinked_one_links_nothing(tmp_path: Path) -> None:
    staged = tmp_path / "staged"
    staged.mkdir()
    with previous_tree(tmp_path / "missing", staged) as tree:
        assert not tree.enabled
    (tmp_path / "real/app").mkdir(parents=True)
    (tmp_path / "dist").symlink_to(tmp_path / "real")
    with previous_tree(tmp_path / "dist", staged) as tree:
        assert not tree.enabled  # dist/ itself a symlink
    with previous_tree(tmp_path / "real", staged) as tree:
        (tmp_path / "real/linked").symlink_to(tmp_path / "real/app")
        with tree.folder("linked") as linked, tree.folder("app") as app:
            assert linked is None and app is not None
