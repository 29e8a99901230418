"""GitHub's REST OpenAPI description, loaded once, and the checks the double runs on every request and response."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openapi_core import OpenAPI
from openapi_core.configurations import Config
from openapi_core.templating.paths.exceptions import OperationNotFound, PathNotFound
from openapi_core.templating.responses.exceptions import ResponseNotFound
from openapi_core.testing import MockRequest, MockResponse

SPEC_RELATIVE_PATH = Path("github-rest-openapi") / "api.github.com.json"
# The description's only server; openapi-core matches request URLs against it, so every check is phrased there.
SPEC_HOST = "https://api.github.com"


@dataclass(frozen=True)
class RequestProblem:
    """Why GitHub would refuse a request: `kind` is "path" (unknown method or path) or "input" (query or body)."""

    kind: str
    message: str


LABEL_OPERATIONS = ("post", "put")
LABELS_PATH = "/repos/{owner}/{repo}/issues/{issue_number}/labels"
CONTENTS_PATH = "/repos/{owner}/{repo}/contents/{path}"
INSTALLATIONS_PATH = "/app/installations"


def repair_description(document: dict[str, Any]) -> None:
    """Fix the four places where the description's schemas say less than its own text and GitHub's behaviour."""
    _allow_null_in_nullable_enums(document)
    # "You can also pass an array of labels directly" (the operation's own text), and PyGithub's add_to_labels and
    # set_labels do: the schema lists only the {"labels": [...]} form.
    for method in LABEL_OPERATIONS:
        body = document["paths"][LABELS_PATH][method]["requestBody"]["content"]["application/json"]["schema"]
        body["oneOf"].append({"type": "array", "items": {"type": "string"}})
    # A directory listing is an array; openapi-core reads the discriminator's `type` property before trying the
    # oneOf branches and so refuses every array. The oneOf alone still tells the four shapes apart.
    response = document["paths"][CONTENTS_PATH]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    response.pop("discriminator", None)
    # GET /app/installations inlines the `installation` schema with its account's anyOf (a user or an enterprise)
    # turned into allOf, so an account would have to be both; the component it copies says anyOf.
    listed = document["paths"][INSTALLATIONS_PATH]["get"]["responses"]["200"]["content"]["application/json"]
    account = listed["schema"]["items"]["properties"]["account"]
    if "allOf" in account:
        account["anyOf"] = account.pop("allOf")


def _allow_null_in_nullable_enums(node: Any) -> None:
    # GitHub's description marks fields such as check_run.conclusion `nullable: true` with an `enum` that lacks
    # null; OpenAPI 3.0.3 says the enum must then list null itself, and openapi-core follows the letter, so a real
    # `"conclusion": null` would be refused. Add the null the authors meant.
    if isinstance(node, dict):
        if node.get("nullable") is True and isinstance(node.get("enum"), list) and None not in node["enum"]:
            node["enum"].append(None)
        for value in node.values():
            _allow_null_in_nullable_enums(value)
    elif isinstance(node, list):
        for value in node:
            _allow_null_in_nullable_enums(value)


def _message(error: Exception) -> str:
    cause = error.__cause__
    errors = getattr(cause, "schema_errors", None) or getattr(error, "schema_errors", None) or []
    details = [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in errors]
    text = f"{type(error).__name__}: {error}"
    if details and "\n" not in text and len(text) < 200:
        text += " (" + "; ".join(details) + ")"
    elif details:
        text = f"{type(error).__name__}: " + "; ".join(details)
    return text[:2000]


class GitHubOpenAPI:
    """The parsed description plus openapi-core's validators; build it once per test session (see plugin.py)."""

    def __init__(self, document: dict[str, Any], load_seconds: float = 0.0) -> None:
        repair_description(document)
        self.document = document
        self.load_seconds = load_seconds
        # The description itself is trusted (a published artifact); validating it would cost seconds per session.
        self._api = OpenAPI.from_dict(document, config=Config(spec_validator_cls=None))
        self.examples: dict[str, Any] = document["components"]["examples"]

    @classmethod
    def load(cls, fixtures_dir: Path) -> GitHubOpenAPI:
        started = time.perf_counter()
        document = json.loads((fixtures_dir / SPEC_RELATIVE_PATH).read_text(encoding="utf-8"))
        return cls(document, load_seconds=time.perf_counter() - started)

    def example(self, name: str) -> Any:
        """A deep copy of a named example from `components/examples`, to build responses from."""
        return json.loads(json.dumps(self.examples[name]["value"]))

    @staticmethod
    def _request(method: str, path: str, query: Mapping[str, str], body: bytes | None, content_type: str) -> Any:
        return MockRequest(SPEC_HOST, method.lower(), path, args=dict(query), data=body, content_type=content_type)

    def check_request(
        self, method: str, path: str, query: Mapping[str, str], body: bytes | None, content_type: str
    ) -> RequestProblem | None:
        """None when GitHub's description accepts the request; `path` must have its parameters percent-encoded."""
        try:
            self._api.validate_request(self._request(method, path, query, body, content_type))
        except (PathNotFound, OperationNotFound) as error:
            return RequestProblem("path", _message(error))
        except Exception as error:  # openapi-core raises one class per kind of mismatch; all are the caller's fault
            return RequestProblem("input", _message(error))
        return None

    def check_response(
        self, method: str, path: str, query: Mapping[str, str], status: int, body: bytes, content_type: str
    ) -> str | None:
        """None when the description accepts the response to a request that `check_request` accepted."""
        request = self._request(method, path, query, None, "")
        response = MockResponse(body, status_code=status, content_type=content_type or "application/json")
        try:
            self._api.validate_response(request, response)
        except ResponseNotFound as error:
            # GitHub answers 401/404/5xx on any endpoint whether or not the description lists them.
            return None if status >= 400 else _message(error)
        except Exception as error:
            return _message(error)
        return None
