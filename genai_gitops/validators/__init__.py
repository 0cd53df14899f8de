"""Validators: each takes the resources of one target and yields Findings of one shared type."""
