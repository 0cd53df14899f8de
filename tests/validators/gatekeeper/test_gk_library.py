"""Compatibility with gator over the public gatekeeper-library's own suites.

The library is not vendored: set GATEKEEPER_LIBRARY to its `library/` folder to run this
(see bench/gatekeeper_library.py for how to get it).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from genai_gitops.validators.gatekeeper.suite import SuiteRunner, summarise

LIBRARY = os.environ.get("GATEKEEPER_LIBRARY", "")


@pytest.mark.skipif(not LIBRARY or not Path(LIBRARY).is_dir(), reason="GATEKEEPER_LIBRARY not set")
def test_gatekeeper_library_suites_pass() -> None:
    results = SuiteRunner().run_paths([LIBRARY])
    passed, failed, _ = summarise(results)
    failures = [f"{r.suite} {r.test}/{r.case}: {r.message}" for r in results if not r.passed]
    assert passed >= 268, failures
    assert failed == 0, failures
