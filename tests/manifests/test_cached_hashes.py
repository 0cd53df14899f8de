"""A folder's files are hashed once for its key and its digest: both equal the straightforward ones."""

from __future__ import annotations

import os
from pathlib import Path

from genai_gitops import cache_keys
from genai_gitops.manifests.cached import folder_digest, load_folders


def test_key_and_digest_equal_the_plain_functions(tmp_path: Path) -> None:
    root = tmp_path / "dist"
    for cluster, app, files in [("c1", "a", {"b.yaml": "kind: B\n", "a.yaml": "kind: A\n", "z.json": "{}"}),
                                ("c1", "b", {"same.yaml": "kind: A\n"}), ("c2", "a", {"x.yml": ""})]:
        (root / cluster / app).mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            (root / cluster / app / name).write_text(text)
    (root / "c1/a/notes.txt").write_text("not a manifest")
    (root / "c1/a/.hidden").mkdir()
    (root / "c1/a/.hidden/k.yaml").write_text("kind: K\n")
    os.symlink("b.yaml", root / "c1/a/link.yaml")
    folders = load_folders([root])
    assert [f.path for f in folders] == [str(root / p) for p in ("c1/a", "c1/a/.hidden", "c1/b", "c2/a")]
    for folder in folders:
        assert folder.key == cache_keys.folder(path=folder.path, files=folder.files, others=folder.others)
        assert folder.digest == folder_digest([(os.path.basename(n), b) for n, b in folder.files],
                                              [(os.path.basename(n), m) for n, m in folder.others])
    # the same content in another folder: another key (the path is in it), the same digest
    assert folders[0].files and folders[2].key != folders[3].key
    assert folders[2].digest == folder_digest([("same.yaml", b"kind: A\n")])
