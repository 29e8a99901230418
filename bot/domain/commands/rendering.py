"""Commands back to text: the canonical `/infra ...` line parse() reads back, and the MCP tool call of a change."""

from __future__ import annotations

from bot.domain.commands.apps import app_tool_call, render_app_command
from bot.domain.commands.kinds import KIND_RULES
from bot.domain.commands.types import (
    PREFIX,
    Apply,
    ApprovePolicies,
    Ask,
    ChangeCommand,
    Command,
    Create,
    CreateApp,
    Destroy,
    Diagnose,
    FixDrift,
    Help,
    Import,
    Plan,
    RunsTerraform,
    SetValues,
    StateRm,
    Status,
    Sync,
    Unlock,
    Update,
    UpgradeChart,
)
from bot.domain.commands.wording import quote_word
from bot.domain.models import Cloud, ResourceKind, ResourceRequest

__all__ = ["quote_word", "render_command", "to_tool_call"]


def render_command(cmd: Command) -> str:
    """The canonical `/infra ...` line for a command, every setting spelled out; parse() reads it back."""
    if isinstance(cmd, Create | Update | Destroy):
        request = cmd.request
        user_keys = {option: user for user, option in KIND_RULES[request.kind].option_keys.items()}
        settings = [f"{user_keys.get(key, key)}={value}" for key, value in request.options]
        words = [PREFIX, request.action, request.kind.value, request.name]
        # An update reads as what it changes, then where: `/infra update function resize memory=512 env=dev`.
        words += settings if isinstance(cmd, Update) else []
        if request.kind is ResourceKind.BUCKET or request.cloud is not Cloud.AWS:
            words.append(f"cloud={request.cloud.value}")
        if isinstance(cmd, Create):
            words.append(f"region={request.region}")
        words.append(f"env={request.env}")
        words += [] if isinstance(cmd, Update) else settings
        return " ".join(words)
    if isinstance(cmd, CreateApp | SetValues | UpgradeChart | Sync):
        return render_app_command(cmd)
    if isinstance(cmd, Plan | Apply | Import | StateRm):
        return " ".join([PREFIX, *_run_words(cmd)])
    if isinstance(cmd, Unlock):
        return f"{PREFIX} unlock"
    if isinstance(cmd, ApprovePolicies):
        return f"{PREFIX} approve_policies" + (f" --policy-set {cmd.policy_set}" if cmd.policy_set else "")
    if isinstance(cmd, Status):
        return f"{PREFIX} status"
    if isinstance(cmd, FixDrift):
        return f"{PREFIX} fix drift" + (f" {cmd.way}" if cmd.way else "")
    if isinstance(cmd, Diagnose):
        return f"{PREFIX} diagnose" + (f" -p {quote_word(cmd.project)}" if cmd.project else "")
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


def to_tool_call(cmd: ChangeCommand) -> tuple[str, dict[str, object]]:
    """The MCP tool and its arguments that carry out a change command."""
    if isinstance(cmd, CreateApp | SetValues | UpgradeChart):
        return app_tool_call(cmd)
    request = cmd.request
    if isinstance(cmd, Update):
        return "update_resource", {
            "cloud": request.cloud.value,
            "kind": request.kind.value,
            "name": request.name,
            "env": request.env,
            **{key: _tool_value(key, value) for key, value in request.options},
        }
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
    if request.kind is ResourceKind.CLUSTER:
        return _cluster_call(request)
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


def _cluster_call(request: ResourceRequest) -> tuple[str, dict[str, object]]:
    arguments: dict[str, object] = {
        "name": request.name,
        "node_type": request.option("node_type"),
        "node_min": int(request.option("node_min")),
        "node_max": int(request.option("node_max")),
        "cidr": request.option("cidr"),
        "region": request.region,
        "env": request.env,
    }
    if request.cloud is Cloud.GCP:
        return "create_gke_cluster", arguments
    return "create_eks_cluster", {**arguments, "kubernetes_version": request.option("kubernetes_version")}


def _tool_value(key: str, value: str) -> object:
    """An option as the tools type it: versioning a boolean, memory and timeout whole numbers, the rest text."""
    if key == "versioning":
        return value == "on"
    return int(value) if key in ("memory_mb", "timeout_s", "node_min", "node_max") else value
