"""Boot tests share the synthesised example output of tests/constructs/conftest.py."""

from __future__ import annotations

from typing import Any

import pytest
from bootlib import processes  # noqa: F401 (a fixture)


@pytest.fixture(scope="module")
def central(example_dist: Any) -> Any:
    return example_dist.app("central-prod", "central")
