"""Findings and the writers that present them."""

from genai_gitops.report.finding import Finding, Severity

__all__ = ["Finding", "Severity"]
