"""The central PostgreSQL connection budget: bounded pools, and their sum against max_connections."""

from __future__ import annotations

import pytest

from genai_gitops_constructs.components import db_budget
from genai_gitops_constructs.components.db_budget import PoolClaim, check_connection_budget, connection_total
from genai_gitops_constructs.components.lago import LagoProps
from genai_gitops_constructs.components.lago import pool_claims as lago_claims
from genai_gitops_constructs.components.langfuse import LangfuseProps
from genai_gitops_constructs.components.langfuse import pool_claims as langfuse_claims


def test_a_budget_that_fits_passes_and_one_that_does_not_names_every_client() -> None:
    claims = [PoolClaim("a", 5, 10, "pool 5"), PoolClaim("b", 20, 2, "pool 10 x 2")]
    assert connection_total(claims) == 90
    check_connection_budget(claims, 90 + db_budget.SUPERUSER_RESERVED)
    with pytest.raises(ValueError) as error:
        check_connection_budget(claims, 90)
    message = str(error.value)
    assert message.startswith("PostgreSQL max_connections=90 is below what the clients' pools can open at full "
                              "scale (93, 3 reserved for the superuser):")
    assert "  a: 5 x 10 = 50 (pool 5)\n  b: 20 x 2 = 40 (pool 10 x 2)" in message
    assert "Raise PostgresProps.max_connections" in message


def test_lago_counts_both_database_pools_per_process(example_dist) -> None:
    props = LagoProps(cluster=example_dist.platform.inventory.clusters[0], api_replicas=3, web_concurrency=2,
                      rails_max_threads=4, worker_replicas=1, sidekiq_concurrency=6)
    claims = {c.client: c for c in lago_claims(props)}
    assert (claims["lago-api"].per_pod, claims["lago-api"].max_pods) == (4 * 2 * 2, 3)
    assert (claims["lago-worker"].per_pod, claims["lago-worker"].max_pods) == (6 * 2, 1)


def test_langfuse_bounds_prisma_in_its_database_url(example_dist) -> None:
    central = example_dist.app("central-prod", "central")
    template = central.get("ExternalSecret", "langfuse").obj["spec"]["target"]["template"]["data"]["DATABASE_URL"]
    limit = LangfuseProps.__dataclass_fields__["db_connection_limit"].default
    assert template.endswith(f"/langfuse?connection_limit={limit}")
    props = LangfuseProps(cluster=example_dist.platform.inventory.clusters[0], clickhouse=None,  # type: ignore[arg-type]
                          web_max_replicas=4, worker_replicas=3, db_connection_limit=7)
    assert [(c.per_pod, c.max_pods) for c in langfuse_claims(props)] == [(7, 4), (7, 3)]


def test_lago_api_pool_matches_its_threads(example_dist) -> None:
    api = example_dist.app("central-prod", "central").pod("lago-api")
    env = api.env()
    assert env["DATABASE_POOL"] == env["RAILS_MAX_THREADS"]
