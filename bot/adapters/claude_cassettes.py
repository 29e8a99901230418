"""Each evaluation case's Claude exchange replayed from, or recorded to, a vcrpy cassette DIR/<case id>.yaml.

Replay goes through the real SDK: vcrpy answers its HTTP requests from the cassette, in order, matched on method
and path only (a request's body holds the system prompt and the tool list, which change with Olympus; the
answers are what is replayed). A case that needs an answer its cassette does not hold is not run ("no
recording"), and one whose cassette holds answers the run never asked for is noted: the recording and Olympus
disagree about the conversation.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

from bot.domain.interpretation import ModelLimits, ModelReply
from bot.errors import UserError
from bot.model_ports import CaseAnswers, LanguageModel, ModelError, ToolSpec

__all__ = ["CassetteAnswers", "require_vcrpy"]

# Only these response headers are kept in a recording: the rest name the account (organization id) or change on
# every call (rate limits, dates).
_KEPT_HEADERS: Final = ("content-type", "request-id")
_SECRET_HEADERS: Final = ["x-api-key", "authorization", "anthropic-organization-id", "cookie"]


def require_vcrpy() -> None:
    """A UserError (eval-needs-vcrpy) unless vcrpy can be imported."""
    try:
        import vcr  # noqa: F401
    except ImportError:
        raise UserError(
            "eval-needs-vcrpy",
            "--replay and --record read and write vcrpy cassettes, and vcrpy is not installed",
            "install it: pip install 'olympus-bot[eval]' (or pip install vcrpy)",
        ) from None


class CassetteAnswers:
    """AnswersPerCase from directory/<case id>.yaml: replayed (record False) or recorded from the live model."""

    def __init__(self, directory: Path, model: LanguageModel, *, record: bool) -> None:
        self._directory = directory
        self._model = model
        self._record = record

    @contextmanager
    def for_case(self, case_id: str) -> Iterator[CaseAnswers]:
        import vcr

        path = self._directory / f"{case_id}.yaml"
        if not self._record and not path.is_file():
            answering = CaseAnswers(self._model)
            answering.model = _Unrecorded(answering, f"no recording: {path} does not exist")
            yield answering
            return
        recorder = vcr.VCR(
            record_mode="all" if self._record else "none",
            match_on=("method", "path"),
            filter_headers=_SECRET_HEADERS,
            before_record_response=_kept_headers,
            decode_compressed_response=True,
        )
        with recorder.use_cassette(str(path)) as cassette:
            answering = CaseAnswers(self._model)
            if not self._record:
                answering.model = _Replayed(self._model, cassette, answering)
            yield answering
        if self._record:
            if path.is_file():
                _mark_recorded(path, self._model.backend)
            return
        unplayed = len(cassette) - cassette.play_count
        if unplayed and not answering.mismatch:
            answering.mismatch = (
                f"the recording holds {len(cassette)} answers and the run asked for {cassette.play_count}: "
                "Olympus ended the conversation sooner than the recorded model did"
            )


class _Replayed:
    """The model, answering from a cassette; asked once more than the cassette holds, it says so instead of letting
    the SDK retry a request vcrpy will never answer."""

    def __init__(self, model: LanguageModel, cassette: Any, answering: CaseAnswers) -> None:
        self._model, self._cassette, self._answering = model, cassette, answering

    @property
    def backend(self) -> str:
        return self._model.backend

    def reply(
        self, *, system: str, tools: Sequence[ToolSpec], messages: Sequence[dict[str, Any]], limits: ModelLimits
    ) -> ModelReply:
        held = len(self._cassette)
        if self._cassette.play_count >= held:
            self._answering.mismatch = (
                f"the run asked for answer {held + 1} and the recording holds {held}: Olympus continued the "
                "conversation past where the recorded model ended it"
            )
            raise ModelError("the recording holds no further answer")
        return self._model.reply(system=system, tools=tools, messages=messages, limits=limits)


class _Unrecorded:
    """A model for a case without a cassette: asked, it marks the case as not run."""

    def __init__(self, answering: CaseAnswers, why: str) -> None:
        self._answering, self._why = answering, why

    @property
    def backend(self) -> str:
        return "replay"

    def reply(
        self, *, system: str, tools: Sequence[ToolSpec], messages: Sequence[dict[str, Any]], limits: ModelLimits
    ) -> ModelReply:
        self._answering.missing = self._why
        raise ModelError(self._why)


def _kept_headers(response: dict[str, Any]) -> dict[str, Any]:
    headers = response.get("headers", {})
    response["headers"] = {name: value for name, value in headers.items() if name.lower() in _KEPT_HEADERS}
    return response


def _mark_recorded(path: Path, backend: str) -> None:
    """The cassette's first line says it was recorded, when and from where, as the constructed ones say they were
    written by hand."""
    text = path.read_text(encoding="utf-8")
    if text.startswith("# recorded:"):
        return
    day = datetime.datetime.now(datetime.UTC).date().isoformat()
    header = f"# recorded: {day} from the {backend} backend by `olympus eval nl --record`\n"
    path.write_text(header + text, encoding="utf-8")
