"""Create a cluster: the env's module calls of the network and cluster modules, both modules scaffolded once.

Layout (bot/changes/terraform.py's convention, two modules a cluster):
    infra/<cloud>/modules/network/           the VPC (AWS: subnets over 3 zones, NAT; GCP: subnet, Cloud NAT)
    infra/<cloud>/modules/eks|gke/           the cluster and its node group or pool
    infra/<cloud>/envs/<env>/eks_<slug>.tf   `module "network_<slug>"` and `module "eks_<slug>"` (gke_ on GCP)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from bot.changes import locate
from bot.changes.change_text import inline_skips
from bot.changes.clusters.modules import module_files
from bot.changes.clusters.settings import ClusterCalls, OptionProblem, cluster_calls
from bot.changes.clusters.spec import NETWORK_MODULE, cluster_spec
from bot.changes.hcl_render import hcl_value
from bot.changes.layout import Layout, resource_region
from bot.changes.locate import Definition, TfDir
from bot.changes.provider_pins import ProviderChoice, choose, narrow
from bot.changes.scaffold import env_files, module_call
from bot.changes.version_constraints import Version
from bot.domain.models import ChangeSet, Cloud, FileChange, Refusal, ResourceRequest
from bot.domain.naming import slug
from bot.domain.repo_config import CONFIG_PATH, ConfigErrors, load_repo_config
from bot.ports import RepoReader

__all__ = ["propose"]

Installable = Callable[[str], Sequence[Version]]

_SAFE_SEGMENT = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def propose(repo: RepoReader, request: ResourceRequest, installable: Installable | None = None) -> ChangeSet | Refusal:
    """The files that create `request`'s cluster and its network, or why Olympus will not."""
    spec = cluster_spec(request.cloud, request.kind)
    if spec is None:
        return Refusal(message=f"{request.kind.value} is not a cluster.", hint="Ask for `/infra create cluster NAME`.")
    if request.action != "create":
        return Refusal(
            message=f"Olympus creates clusters but does not {request.action} them yet.",
            hint=f"Edit the module call in infra/{request.cloud.value}/envs/{request.env}/ in a pull request; "
            "the plan shows what that changes.",
        )
    if not _SAFE_SEGMENT.match(request.env):
        return Refusal(
            message=f"{request.env!r} is not an env name.",
            hint="Env names are lowercase letters, digits, - and _, like dev or prod-eu.",
        )
    layout = Layout(spec, request)
    env = locate.read_dir(repo, layout.env_dir)
    if isinstance(env, Refusal):
        return env
    network_dir = f"{layout.cloud_dir}/modules/{NETWORK_MODULE}"
    module_dirs = [locate.read_dir(repo, path) for path in (network_dir, layout.module_dir)]
    for module_dir in module_dirs:
        if isinstance(module_dir, Refusal):
            return module_dir
    network_tf, cluster_tf = (d for d in module_dirs if isinstance(d, TfDir))
    siblings = _sibling_envs(repo, layout)
    backend = load_repo_config(repo.read_text)
    if isinstance(backend, ConfigErrors):
        return Refusal(
            message="The repository configuration has mistakes:\n" + backend.render(),
            hint="Fix each one in .olympus.yaml, then ask again.",
            location=CONFIG_PATH,
        )
    source = spec.provider.source
    provider = _provider(layout, env, (network_tf, cluster_tf), siblings, installable, source)
    if isinstance(provider, Refusal):
        return provider
    region = resource_region(layout, env)
    if isinstance(region, Refusal):
        return region
    network_call = f"{NETWORK_MODULE}_{slug(request.name)}"
    calls = cluster_calls(request, network_call, region)
    if isinstance(calls, OptionProblem):
        return Refusal(message=calls.message, hint=calls.hint)
    existing = locate.module_call(env, layout.module_name)
    if existing is not None:
        return _already_there(layout, env, existing, calls, network_call, region)
    refused = _conflicts(layout, env, network_call)
    if refused is not None:
        return refused

    files: list[FileChange] = []
    if not env.exists:
        required = next((version for sibling in siblings if (version := locate.required_version(sibling))), None)
        stored = backend.backend if backend is not None else None
        files += env_files(request.cloud, request.env, layout.env_dir, region, provider, required, stored)
    for module, tf_dir, arguments in (
        (NETWORK_MODULE, network_tf, calls.network),
        (spec.module, cluster_tf, calls.cluster),
    ):
        if tf_dir.exists:
            missing = sorted({name for name, _value in arguments} - locate.declared_variables(tf_dir))
            if missing:
                return Refusal(
                    message=f"{tf_dir.path} exists but does not declare the variables Olympus passes: "
                    f"{', '.join(missing)}.",
                    hint="Olympus scaffolds a module only when it is missing: add those variables, or move it aside.",
                    location=tf_dir.files[0].path if tf_dir.files else tf_dir.path,
                )
        else:
            files += module_files(request.cloud, module, provider, tf_dir.path)
    network_block = module_call(network_call, f"../../modules/{NETWORK_MODULE}", calls.network)
    cluster_block = module_call(layout.module_name, layout.module_source, calls.cluster)
    files.append(FileChange(layout.call_path, network_block + "\n" + cluster_block))
    return ChangeSet(
        title=f"Create {spec.label} {request.name} in {request.env} ({region})",
        description=_description(layout, calls, provider, files, region),
        files=tuple(files),
    )


def _provider(
    layout: Layout,
    env: TfDir,
    module_dirs: tuple[TfDir, TfDir],
    siblings: list[TfDir],
    installable: Installable | None,
    source: str,
) -> ProviderChoice | Refusal:
    policy = layout.spec.provider
    versions = (lambda: installable(source)) if installable else None
    choice = choose(policy, env.parsed(), {sibling.path: sibling.parsed() for sibling in siblings}, versions)
    for module_dir in module_dirs:
        if isinstance(choice, Refusal):
            return choice
        if module_dir.exists:
            # Terraform also honours each module's own constraint: the version must suit them all.
            choice = narrow(choice, policy, module_dir.parsed())
    return choice


def _sibling_envs(repo: RepoReader, layout: Layout) -> list[TfDir]:
    """The other envs of the same cloud that Olympus can read (an unreadable one is not this request's business)."""
    siblings: list[TfDir] = []
    for path in locate.child_dirs(repo, layout.envs_dir):
        sibling = locate.read_dir(repo, path) if path != layout.env_dir else None
        if isinstance(sibling, TfDir) and sibling.exists:
            siblings.append(sibling)
    return siblings


def _conflicts(layout: Layout, env: TfDir, network_call: str) -> Refusal | None:
    """Why the new files would clash with the env: the call file taken, the network's call taken, the name taken."""
    request = layout.request
    if any(file.path == layout.call_path for file in env.files):
        return Refusal(
            message=f"{layout.call_path} already exists but does not call module {layout.module_name}.",
            hint="Rename or remove that file, or pick another name.",
            location=layout.call_path,
        )
    network = locate.module_call(env, network_call)
    if network is not None:
        return Refusal(
            message=f"module {network_call} already exists in {request.env} ({network.location}), without a cluster.",
            hint="Remove that module call, or pick another cluster name.",
            location=network.location,
        )
    found = locate.named(env, layout.spec.naming, request.name)
    if found:
        return Refusal(
            message=f"{request.name} is already defined in {request.env} by {found[0].address} "
            f"({found[0].location}), outside Olympus's module call.",
            hint="Manage it where it is, or pick another name.",
            location=found[0].location,
        )
    return None


def _already_there(
    layout: Layout, env: TfDir, existing: Definition, calls: ClusterCalls, network_call: str, region: str
) -> ChangeSet | Refusal:
    spec, request = layout.spec, layout.request
    name_attribute = existing.block.attributes.get(spec.name_argument)
    existing_name = name_attribute.string() if name_attribute else None
    if existing_name != request.name:
        return Refusal(
            message=f"module {layout.module_name} already exists for {existing_name or 'something else'}, "
            f"not {request.name}.",
            hint="Names that differ only in punctuation share a module name; pick a name that differs in letters.",
            location=existing.location,
        )
    network = locate.module_call(env, network_call)
    differences = _differences(existing, calls.requested_cluster)
    if network is not None:
        differences += _differences(network, calls.requested_network)
    if differences:
        return Refusal(
            message=f"{spec.label} {request.name} already exists in {request.env} with different settings: "
            + "; ".join(differences)
            + ".",
            hint=f"To change it, edit {existing.path} in a pull request; the plan shows what that changes.",
            location=existing.location,
        )
    return ChangeSet(
        title=f"Create {spec.label} {request.name} in {request.env} ({region})",
        description=f"Nothing changed: {spec.label} `{request.name}` already exists in env `{request.env}` with the "
        f"requested settings ({existing.location}). No files were written.\n",
        unchanged=True,
    )


def _differences(definition: Definition, requested: tuple[tuple[str, object], ...]) -> list[str]:
    differences = []
    for argument, wanted in requested:
        attribute = definition.block.attributes.get(argument)
        found = attribute.value if attribute is not None and attribute.is_literal else None
        if found != wanted:
            shown = attribute.expr if attribute is not None else "(not set)"
            differences.append(f"{argument} = {shown}, not {hcl_value(wanted)}")
    return differences


_SECURITY = {
    Cloud.AWS: (
        "API server endpoint private only (no public endpoint); Kubernetes secrets envelope-encrypted with a KMS key "
        "of the cluster's own (yearly rotation).",
        "Every control-plane log type (api, audit, authenticator, controllerManager, scheduler) on, kept 365 days "
        "in a log group encrypted with that key.",
        "Nodes in private subnets only; their launch template requires IMDSv2 (hop limit 1) and encrypts the root "
        "volume; the cluster and node roles carry only the managed policies EKS requires.",
        "VPC flow logs (all traffic) to an encrypted log group; the default security group allows nothing; no "
        "subnet gives instances public addresses.",
    ),
    Cloud.GCP: (
        "Private nodes and a private endpoint, reachable only from the VPC's range (master authorized networks).",
        "Workload Identity, shielded nodes (secure boot, integrity monitoring), Calico network policy, Binary "
        "Authorization, the REGULAR release channel with auto-upgrade and auto-repair.",
        "No legacy ABAC, no basic auth, no client certificate; legacy metadata endpoints off (GKE_METADATA).",
        "Nodes run as a service account of their own with only the logging, monitoring and Artifact Registry "
        "reader roles; subnet flow logs on; Cloud NAT for egress.",
    ),
}


def _description(
    layout: Layout, calls: ClusterCalls, provider: ProviderChoice, files: Sequence[FileChange], region: str
) -> str:
    spec, request = layout.spec, layout.request
    modules_dir = f"{layout.cloud_dir}/modules/"
    lines = [
        f"Creates {spec.label} `{request.name}` in env `{request.env}` ({region}) and the network it runs in, "
        f"requested through Olympus: two module calls in `{layout.call_path}` to the shared modules "
        f"`{modules_dir}{NETWORK_MODULE}` and `{layout.module_dir}`.",
        "",
        "**Secure by default**",
        *(f"- {line}" for line in _SECURITY[request.cloud]),
        "",
        "**Settings**",
        *(f"- {note}" for note in calls.notes),
        "",
        f"**Provider:** {provider.describe()}.",
    ]
    skips = [skip for change in files if change.path.endswith("/main.tf") for skip in inline_skips(change.content)]
    if skips:
        lines += ["", "**Checks skipped inline, with their reasons**"]
        lines += [f"- `{check_id}`: {reason}" for check_id, reason in skips]
    lines += ["", "**Files**"]
    for change in files:
        if change.path.startswith(modules_dir):
            purpose = "shared module, scaffolded because it was missing; Olympus never overwrites it"
        elif change.path == layout.call_path:
            purpose = "the module calls for this cluster and its network"
        else:
            purpose = "new env file"
        lines.append(f"- `{change.path}` — {purpose}")
    return "\n".join(lines) + "\n"
