"""Request → ChangeSet for Kubernetes clusters: EKS or GKE with the network each needs, as Terraform modules."""

from __future__ import annotations

from bot.changes.clusters.generator import propose
from bot.changes.clusters.spec import cluster_spec

__all__ = ["cluster_spec", "propose"]
