"""What looks like a credential and what does not: a corpus with the exact label of each."""

from __future__ import annotations

import base64

import pytest

from genai_gitops.secretscan import joined_kind, keyword_kind, secret_kind


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


POSITIVE = [
    # provider formats (detect-secrets' plugins, then the thin layer)
    ("sk-proj-abcdefghijklmnop", "", "an OpenAI/LiteLLM key"),
    ("sk-ant-api03-Xk2pQ9vL4mN7wR1tY8sB3dF6", "", "an OpenAI/LiteLLM key"),
    ("sk-lf-0f1e2d3c-4b5a-6978", "", "a Langfuse key"),
    ("AKIAIOSFODNN7EXAMPLE", "", "an AWS access key id"),
    ("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "", "an AWS secret access key"),
    ("sk_live_4eC39HqLyjWDarjtT1zdp7dc", "", "a Stripe key"),
    ("rk_test_51HqLyjWDarjtT1zdp7dcXYZ", "", "a Stripe key"),
    ("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "", "a Stripe key"),
    ("AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY", "", "a Google API key"),
    ("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", "", "a Google OAuth secret"),
    ("hf_AbCdEfGhIjKlMnOpQrStUvWxYz12345678", "", "a Hugging Face token"),
    ("ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789", "", "a GitHub token"),
    ("glpat-xYz12AbC34dEf56GhI78", "", "a GitLab token"),
    ("xoxb-123456789012-abcdefghijkl", "", "a Slack token"),
    ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", "",
     "a JWT"),
    ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----", "",
     "a private key"),
    # credentials inside URLs and connection strings
    ("postgresql://webui:s3cret@db.internal:5432/webui", "", "a password in a URL"),
    ("admin:hunter22@redis.internal:6379", "", "a password in a URL"),
    ("https://db.example.com/x?user=a&password=hunter22", "", "a password in a URL query"),
    ("https://bucket.s3.amazonaws.com/k?X-Amz-Signature=0a1b2c3d4e5f", "", "a password in a URL query"),
    ("Server=db;Database=app;User Id=app;Password=Sup3rS3cret!;", "", "a password in a connection string"),
    ("DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=abc123def456==", "",
     "a password in a connection string"),
    # encoded: a key behind base64 (what `!!binary` carried), twice, and Basic-auth pairs
    (b64("sk-proj-A1b2C3d4E5f6G7h8I9j0"), "", "a base64-encoded OpenAI/LiteLLM key"),
    (b64(b64("sk-proj-A1b2C3d4E5f6G7h8I9j0")), "", "a base64-encoded base64-encoded OpenAI/LiteLLM key"),
    (b64("ci-bot:Q3pP8xLm2Vn7"), "", "a base64-encoded user:password pair"),
    (b"sk-proj-A1b2C3d4E5f6G7h8I9j0".hex(), "", "a hex-encoded OpenAI/LiteLLM key"),
    ("sk%2Dproj%2DA1b2C3d4E5f6G7h8I9j0", "", "a URL-encoded OpenAI/LiteLLM key"),
    # entropy (detect-secrets' limits)
    ("Q3pP8xLm2Vn7Rt4Ws9Yk6Bj3Hf5Gd1Ac", "", "a high-entropy string (a key or token?)"),
    ("9f86d081884c7d659a2feaa0c55ad015", "client_id", "a high-entropy hex string (a key or token?)"),
    ("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "tenant_id",
     "a high-entropy hex string (a key or token?)"),
]

NEGATIVE = [
    ("ghcr.io/acme/app@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "image"),
    ("sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "digest"),
    ("3f8a6c1d9e2b4f7a0c5d8e1b3f6a9c2d5e8b1f4a", "revision"),
    ("https://github.com/example-org/genai-gitops.git", "repo_url"),
    ("https://login.microsoftonline.com/8c3f2b1e-0000-4000-8000-000000000001/v2.0", "issuer_url"),
    ("redis://redis.tenant-acme.svc:6379/0", "url"),
    ("git@github.com:example-org/genai-gitops.git", "repo"),
    ("open-webui-globex", "client_id"),
    ("0oa1b2c3d4e5f6g7h8i9", "client_id"),
    ("kbyuFDidLLm280LIwVFiazOqjO3ty8KH", "client_id"),
    ("123456789012-abc123def456ghi789jkl012mno345pq.apps.googleusercontent.com", "client_id"),
    ("550e8400-e29b-41d4-a716-446655440000", "tenant_id"),
    ("444455556666", "account_id"),
    ("arn:aws:iam::444455556666:role/genai-acme-irsa", "role_arn"),
    ("arn:aws:secretsmanager:eu-west-1:123456789012:secret:genai/tenants/acme/oidc-AbCdEf", "arn"),
    ("genai/tenants/acme/litellm", "key"),
    ("customer-eu-1.eks.example.com", "server"),
    ("central-prod-langfuse-210987654321", "bucket"),
    ("docker.io/ollama/ollama:0.5.7", "image"),
    ("10.20.240.0/24", "cidr"),
    ("password", "secretKey"),
    ("os.environ/LITELLM_MASTER_KEY", "master_key"),
    (b64("-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUJ\n-----END CERTIFICATE-----\n"), "caBundle"),
    ("abcdefghijklmnopqrstuvwxyz0123456789", "sequence"),
]


@pytest.mark.parametrize(("value", "field", "label"), POSITIVE)
def test_looks_like_a_secret(value: str, field: str, label: str) -> None:
    assert secret_kind(value, field) == label


@pytest.mark.parametrize(("value", "field"), NEGATIVE)
def test_legitimate_values_are_not_secrets(value: str, field: str) -> None:
    assert secret_kind(value, field) is None


def test_long_values_are_scanned_line_by_line() -> None:
    config = "\n".join(f"  rule_{i}: sum(rate(requests_total{{tenant=\"t{i}\"}}[5m]))" for i in range(400))
    assert secret_kind(config, "config.yaml") is None
    leaked = config + "\n  database: postgres://app:Sup3rS3cret@db:5432/app\n"
    assert secret_kind(leaked, "config.yaml") == "a password in a URL"
    blob = b64("x" * 2000 + " token=" + "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789")
    assert secret_kind(blob, "bundle") == "a base64-encoded GitHub token"


def test_a_key_split_across_fields() -> None:
    assert joined_kind(["sk-proj-", "A1b2C3d4E5f6G7h8I9j0"]) == "an OpenAI/LiteLLM key"
    assert joined_kind(["AKIA", "IOSFODNN7EXAMPLE"]) == "an AWS access key id"
    assert joined_kind(["acme", "globex"]) is None
    assert joined_kind(["sk-proj-A1b2C3d4E5f6G7h8I9j0"]) is None  # one value: secret_kind's job


def test_keyword_pairs() -> None:
    assert keyword_kind("DB_PASSWORD", "hunter22") == "a password or key"
    assert keyword_kind("DB_PASSWORD", "$(DB_PASSWORD_FROM_SECRET)") is None
    assert keyword_kind("LOG_LEVEL", "debug-verbose") is None
    assert keyword_kind("TOKEN_TTL", "3600") is None
