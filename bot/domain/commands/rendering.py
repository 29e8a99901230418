"""Commands back to text: the canonical `/infra ...` line parse() reads back, and the MCP tool call of a change."""

from __future__ import annotations

from bot.domain.commands.kinds import KIND_RULES
from bot.domain.commands.types import (
    PREFIX,
    Apply,
    Ask,
    Command,
    Create,
    Destroy,
    Help,
    Import,
    Plan,
    RunsTerraform,
    StateRm,
    Status,
    Unlock,
)
from bot.domain.models import Cloud, ResourceKind

__all__ = ["quote_word", "render_command", "to_tool_call"]


def quote_word(word: str) -> str:
    """A word as the tokenizer reads it back: bare when it can be, else in quotes (`"dir with space"`)."""
    if word and not any(char.isspace() or char in "'\"" for char in word):
        return word
    if '"' not in word:
        return f'"{word}"'
    if "'" not in word:
        return f"'{word}'"
    # Both quotes: adjacent quoted parts join into one word, as in a shell ('a"b' + "'" + 'c').
    return '"\'"'.join(f"'{part}'" for part in word.split("'"))


def render_command(cmd: Command) -> str:
    """The canonical `/infra ...` line for a command, every setting spelled out; parse() reads it back."""
    if isinstance(cmd, Create | Destroy):
        request = cmd.request
        words = [PREFIX, request.action, request.kind.value, request.name]
        if request.kind is ResourceKind.BUCKET or request.cloud is not Cloud.AWS:
            words.append(f"cloud={request.cloud.value}")
        if isinstance(cmd, Create):
            words.append(f"region={request.region}")
        words.append(f"env={request.env}")
        user_keys = {option: user for user, option in KIND_RULES[request.kind].option_keys.items()}
        words += [f"{user_keys.get(key, key)}={value}" for key, value in request.options]
        return " ".join(words)
    if isinstance(cmd, Plan | Apply | Import | StateRm):
        return " ".join([PREFIX, *_run_words(cmd)])
    if isinstance(cmd, Unlock):
        return f"{PREFIX} unlock"
    if isinstance(cmd, Status):
        return f"{PREFIX} status"
    if isinstance(cmd, Ask):
        return f"{PREFIX} ask {cmd.text}"
    if isinstance(cmd, Help) and cmd.topic:
        return f"{PREFIX} help {cmd.topic}"
    return f"{PREFIX} help"


def _run_words(cmd: RunsTerraform) -> list[str]:
    if isinstance(cmd, Import):
        words = ["import", quote_word(cmd.address), quote_word(cmd.id)]
    elif isinstance(cmd, StateRm):
        words = ["state", "rm", *map(quote_word, cmd.addresses)]
    else:
        words = ["plan" if isinstance(cmd, Plan) else "apply"]
    if cmd.project is not None:
        words += ["-p", quote_word(cmd.project)]
    if cmd.dir is not None:
        words += ["-d", quote_word(cmd.dir)]
    if cmd.workspace is not None:
        words += ["-w", quote_word(cmd.workspace)]
    if cmd.verbose:
        words.append("--verbose")
    if cmd.extra_args:
        words += ["--", *map(quote_word, cmd.extra_args)]
    return words


def to_tool_call(cmd: Create | Destroy) -> tuple[str, dict[str, object]]:
    """The MCP tool and its arguments that carry out a create or destroy command."""
    request = cmd.request
    if isinstance(cmd, Destroy):
        return "destroy_resource", {
            "cloud": request.cloud.value,
            "kind": request.kind.value,
            "name": request.name,
            "env": request.env,
        }
    base: dict[str, object] = {"name": request.name}
    if request.kind is ResourceKind.BUCKET:
        versioning = request.option("versioning", "on") == "on"
        if request.cloud is Cloud.GCP:
            return "create_gcs_bucket", {
                **base,
                "location": request.region,
                "env": request.env,
                "versioning": versioning,
            }
        return "create_s3_bucket", {**base, "region": request.region, "env": request.env, "versioning": versioning}
    if request.kind is ResourceKind.INSTANCE:
        return "create_ec2_instance", {
            **base,
            "instance_type": request.option("instance_type"),
            "region": request.region,
            "env": request.env,
        }
    return "create_lambda_function", {
        **base,
        "runtime": request.option("runtime"),
        "region": request.region,
        "env": request.env,
        "memory_mb": int(request.option("memory_mb")),
        "timeout_s": int(request.option("timeout_s")),
    }
