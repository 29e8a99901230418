"""Rendered Helm manifests compared per Kubernetes object, and the diff as pull-request markdown."""

from bot.domain.manifests.canonical import REDACTED
from bot.domain.manifests.comment import manifest_diff_lines, render_manifest_comment
from bot.domain.manifests.diff import KindCounts, ManifestDiff, ObjectChange, Status, diff_manifests, diff_renders
from bot.domain.manifests.loading import ParseMemo
from bot.domain.manifests.objects import ManifestObject, ObjectKey, Render, RenderProblem, parse_render

__all__ = [
    "REDACTED",
    "KindCounts",
    "ManifestDiff",
    "ManifestObject",
    "ObjectChange",
    "ObjectKey",
    "ParseMemo",
    "Render",
    "RenderProblem",
    "Status",
    "diff_manifests",
    "diff_renders",
    "manifest_diff_lines",
    "parse_render",
    "render_manifest_comment",
]
