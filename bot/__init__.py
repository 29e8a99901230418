"""Olympus: a GitOps pull-request bot that turns /infra requests into reviewed, gated Terraform changes."""

__version__ = "0.1.0"
