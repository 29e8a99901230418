"""A GitHub REST test double that checks every request and response against GitHub's OpenAPI description."""

from .fake import FakeGitHub
from .openapi import GitHubOpenAPI
from .server import RecordedRequest
from .state import CheckRun, Comment, FakeRepo, Issue, PullRequest, Reaction, Review

__all__ = [
    "CheckRun",
    "Comment",
    "FakeGitHub",
    "FakeRepo",
    "GitHubOpenAPI",
    "Issue",
    "PullRequest",
    "Reaction",
    "RecordedRequest",
    "Review",
]
