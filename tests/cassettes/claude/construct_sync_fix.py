"""Write fix_sync_image_tag.yaml: Claude's answers for a failed Argo CD sync after a merge moved an image to a tag
the registry does not have, in the Messages API's exact response shapes (tests/fixes/test_sync_fix.py replays it).

No Anthropic endpoint is reachable where it was made, so the answers are constructed, not recorded: a first try that
points the Application at another namespace (the patch rules refuse it), a second that writes the image as one
string (the chart's values schema refuses it, so helm fails to render and the loop sends it back), then the fix: the
tag the merge replaced. The files proposed are tests/fixes/sync_fix_repo.py's texts, so the cassette follows them.

Run: python tests/cassettes/claude/construct_sync_fix.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml
from construct_fix_corpus import Turn, interaction

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent / "fixes"))
import sync_fix_repo as repo  # noqa: E402 - found through the path above

HEADER = (
    "# constructed: written for Olympus's tests in the Messages API's response shapes\n"
    "# (https://docs.anthropic.com/en/api/messages) by tests/cassettes/claude/construct_sync_fix.py, not recorded:\n"
    "# a refused Application edit, a values fix helm cannot render, then the verified values fix.\n"
    "# Requests are matched on method and path only, so their bodies here are placeholders. Re-record against the\n"
    "# API: ANTHROPIC_API_KEY=... pytest --record-mode=all tests/fixes/test_sync_fix.py\n"
)
CASE = 40  # ids of their own, apart from the corpus's


def values_fix(cause: str, content: str, text: str) -> Turn:
    return Turn(text, "propose_fix", {"root_cause": cause, "files": [{"path": repo.VALUES, "content": content}]})


TURNS = [
    Turn(
        "The Deployment cannot pull its image after the merge. Perhaps it is deployed to the wrong place.",
        "propose_fix",
        {
            "root_cause": "The Application deploys into a namespace whose pull secret lacks access to the image.",
            "files": [{"path": repo.APPLICATION_PATH, "content": repo.MOVED_APPLICATION}],
        },
    ),
    values_fix(
        "The merge set image.tag to 1.5.0, which the registry does not have (manifest unknown).",
        repo.IMAGE_AS_STRING,
        "The Application may not change. I will pin the image the merge replaced, in the values file.",
    ),
    values_fix(
        "The merge moved image.tag from 1.4.2 to 1.5.0, a tag the registry does not have (manifest unknown), so "
        "the pods cannot pull it: the fix pins the image back to 1.4.2, the tag that ran before the merge.",
        repo.FIXED,
        "The chart's schema wants image as an object with repository and tag; only the tag changes.",
    ),
]


def document() -> str:
    tokens = 2600
    interactions = []
    for number, turn in enumerate(TURNS, start=1):
        interactions.append(interaction(CASE, number, turn, tokens))
        tokens += 350 + len(json.dumps(turn.arguments)) // 4  # the conversation so far is sent again
    return HEADER + yaml.safe_dump({"interactions": interactions, "version": 1}, sort_keys=False, width=120)


if __name__ == "__main__":
    (HERE / "fix_sync_image_tag.yaml").write_text(document())
    print("fix_sync_image_tag.yaml")
