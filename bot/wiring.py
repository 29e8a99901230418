"""Builds the local loop's adapters (git, store, Terraform, scanners, emulator) from the CLI's options."""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from bot.adapters.local_aws import LocalAws
from bot.adapters.localgit import LocalGit
from bot.adapters.rego import RegoEngine
from bot.adapters.terraform import TerraformCli
from bot.domain.interpretation import ModelLimits
from bot.model_ports import LanguageModel
from bot.ports import Scanner, Store
from bot.services.context import DEFAULT_KUBE_VERSION, SANDBOX_LOCKS, AppCheckers, Loop
from bot.services.stopwatch import Stopwatch


def default_actor() -> str:
    """Who is running the command: OLYMPUS_ACTOR, else the login name."""
    return os.environ.get("OLYMPUS_ACTOR") or getpass.getuser()


def cache_dir() -> Path:
    """Per-user cache for unpacked providers, plugin caches and provisioned tools (XDG_CACHE_HOME honored)."""
    from bot.adapters.tool_paths import user_cache

    return user_cache(os.environ)


def standard_scanners() -> list[Scanner]:
    """Checkov and Trivy: every door scans with both."""
    from bot.adapters.checkov import CheckovScanner
    from bot.adapters.trivy import TrivyScanner

    return [CheckovScanner(), TrivyScanner()]


def scanners_named(names: tuple[str, ...]) -> list[Scanner]:
    """The scanners of the App's OLYMPUS_SCANNERS, in its order (bot.settings.SCANNER_NAMES)."""
    from bot.adapters.checkov import CheckovScanner
    from bot.adapters.trivy import TrivyScanner

    known: dict[str, Callable[[], Scanner]] = {"checkov": CheckovScanner, "trivy": TrivyScanner}
    return [known[name]() for name in names]


def app_checkers(environ: Mapping[str, str], scanner_names: Sequence[str] = ("checkov", "trivy")) -> AppCheckers:
    """What plans Helm and Argo CD changes: helm, kubernetes-validate at OLYMPUS_KUBE_VERSION, the CRD schemas of
    OLYMPUS_CRD_SCHEMAS (unset: not checked, and every plan says so), and the manifest scanners of those names."""
    from bot.adapters.helm import HelmCli
    from bot.adapters.kube_schemas import CRD_SCHEMAS_SETTING, CrdSchemas, KubernetesSchemas
    from bot.adapters.manifest_scan import manifest_scanners_named
    from bot.errors import UserError

    setting = environ.get(CRD_SCHEMAS_SETTING, "").strip()
    schemas = Path(setting).expanduser() if setting else None
    if schemas is not None and not schemas.is_dir():
        raise UserError(
            "crd-schemas-missing",
            f"{CRD_SCHEMAS_SETTING} is {setting}, which is not a folder",
            "point it at a folder of CRD JSON schemas laid out as datree's CRDs-catalog is "
            "(<group>/<kind>_<version>.json), or unset it to plan without CRD schema validation",
        )
    return AppCheckers(
        renderer=HelmCli(),
        kubernetes=KubernetesSchemas(),
        crds=CrdSchemas(schemas),
        scanners=list(manifest_scanners_named(scanner_names)),
        kube_version=environ.get("OLYMPUS_KUBE_VERSION", "").strip() or DEFAULT_KUBE_VERSION,
    )


def build_local_loop(
    repo: Path | LocalGit,
    *,
    actor: str | None = None,
    sandbox: LocalAws | None = None,
    emulated_cloud: bool = False,
    database_url: str | None = None,
    say: Callable[[str], None] = print,
    stopwatch: Stopwatch | None = None,
) -> Loop:
    """The CLI's loop over a repository (its path, or the one already open); a bad OLYMPUS_DATABASE_URL or
    OLYMPUS_TERRAFORM is a UserError saying how to fix it."""
    from bot.adapters.record_key import local_record_key
    from bot.adapters.sqlstore import SqlStore, StoreOpenError
    from bot.adapters.terraform import TerraformError
    from bot.errors import UserError

    git = repo if isinstance(repo, LocalGit) else LocalGit.open(repo)
    git.state_dir.mkdir(parents=True, exist_ok=True)
    setting = database_url or os.environ.get("OLYMPUS_DATABASE_URL")
    url = setting or f"sqlite:///{git.state_dir / 'olympus.db'}"
    key = local_record_key()
    try:
        store = SqlStore.open(url, record_key=key)
    except StoreOpenError as error:
        where = "OLYMPUS_DATABASE_URL: " if setting else ""
        raise UserError(error.reference, where + error.message, error.hint) from None
    try:
        terraform = TerraformCli.locate()
    except TerraformError as error:
        raise UserError(
            "terraform-not-found",
            str(error),
            "unset OLYMPUS_TERRAFORM to use terraform or tofu on PATH (or the embedded Terraform)",
        ) from None
    from bot.services.parallelism import parallel_plan_from

    own_state = sandbox is not None and not emulated_cloud
    parallel_plan = parallel_plan_from(os.environ)
    return Loop(
        git=git,
        state_dir=git.state_dir,
        repo_id=git.root.name + (SANDBOX_LOCKS if own_state else ""),
        store=store,
        record_key=key,
        terraform=terraform,
        scanners=standard_scanners(),
        actor=actor or default_actor(),
        cache_dir=cache_dir(),
        sandbox=sandbox,
        emulated_cloud=emulated_cloud,
        say=say,
        stopwatch=stopwatch or Stopwatch(),
        parallel_plan=parallel_plan,
        apps=app_checkers(os.environ),
        policies=RegoEngine(),
    )


def build_app_context(
    *,
    app_id: int,
    private_key_pem: str,
    api_url: str,
    store: Store,
    data_dir: Path,
    sandbox: LocalAws | None = None,
    seconds_between_writes: float | None = None,
    retrying: Any = None,
    timeout: int | None = None,
    scanners: tuple[str, ...] = ("checkov", "trivy"),
    max_attempts: int = 5,
    parallel_plan: int | None = None,
    model: LanguageModel | None = None,
    model_limits: ModelLimits | None = None,
    mention: str | None = None,
    github_app: Any = None,
) -> Any:
    """The GitHub App's handlers' dependencies: a CodeHost per installation, a Loop per repository.

    `timeout` bounds each GitHub call (PyGithub's 15 s by default); `scanners` names the scanners every plan runs
    (none: plans say they were not scanned); `max_attempts` is the worker's, after which a failure is told;
    `parallel_plan` is how many projects of one job run Terraform at once (default: the cores). `model` reads
    requests in plain words (a LanguageModel; None: they are answered with how to set one up), within
    `model_limits` (ModelLimits; default: the default model's); `mention` is the App's slug ("@olympus ...");
    `github_app` is the GitHubApp to act as (default: one made from app_id, the key and the other settings).
    """
    from github import Consts

    from bot.adapters.github import GitHubApp, load_private_key
    from bot.services.github_events import AppContext
    from bot.services.parallelism import default_parallel_plan

    github_app = github_app or GitHubApp(
        app_id,
        load_private_key(value=private_key_pem),
        api_url,
        seconds_between_writes=seconds_between_writes,
        retrying=retrying,
        timeout=timeout or Consts.DEFAULT_TIMEOUT,
    )
    terraform = TerraformCli.locate()
    cache = cache_dir()
    apps = app_checkers(os.environ, scanners)

    def loop_for(repo: str, actor: str) -> Loop:
        state_dir = data_dir / "repos" / repo.replace("/", "--")
        state_dir.mkdir(parents=True, exist_ok=True)
        return Loop(
            # Every record the loop writes names its repository, for the dashboard's readers of it.
            store=store.for_repo(repo),
            terraform=terraform,
            scanners=scanners_named(scanners),
            unscanned=not scanners,
            actor=actor,
            cache_dir=cache,
            state_dir=state_dir,
            repo_id=repo,
            sandbox=sandbox,
            say=lambda line: None,
            parallel_plan=parallel_plan or default_parallel_plan(),
            apps=apps,
            policies=RegoEngine(),
        )

    context = AppContext(
        codehost_for=lambda installation_id: github_app.codehost(installation_id),
        loop_for=loop_for,
        max_attempts=max_attempts,
        model=model,
    )
    if model_limits is not None:
        context.model_limits = model_limits
    if mention is not None:
        context.mention = mention
    return context


def build_mcp_ports(
    github_app: Any,
    loop_for: Callable[[str, str], Loop],
    api_url: str,
    timeout: int,
    model: LanguageModel | None = None,
    limits: ModelLimits | None = None,
    syncer: Any = None,
) -> Any:
    """What /mcp asks of GitHub and of the App (McpGatewayPorts), acting as `github_app` (a GitHubApp); with `model`,
    the gateway of those who may propose offers interpret_request, the interpreter every door uses; with `syncer`
    (an ApplicationSyncer), get_application_status asks that Argo CD."""
    from functools import lru_cache

    from bot.adapters.claude import DEFAULT_MODEL
    from bot.adapters.github.identity import login_of_token
    from bot.adapters.github.repo_reader import GitHubRepoReader
    from bot.adapters.health_probes import local_probes
    from bot.domain.mcp_access import Access
    from bot.entrypoints.mcp_http import McpGatewayPorts
    from bot.services.mcp_interpret import gateway_interpreter
    from bot.services.tool_sources import repository_sources
    from bot.tools.endpoint import build_endpoint

    installation_of = lru_cache(maxsize=1024)(github_app.installation_of)
    probes = local_probes({**os.environ, "GITHUB_API_URL": api_url})

    def permission_of(repo: str, login: str) -> str:
        return str(github_app.codehost(installation_of(repo)).permission_of(repo, login))

    def endpoint_for(access: Access) -> Any:
        codehost = github_app.codehost(installation_of(access.repo))
        reader = GitHubRepoReader(codehost, access.repo, codehost.default_branch(access.repo))
        loop = loop_for(access.repo, access.login)
        sources = repository_sources(
            loop, reader, probes, plans=False, syncer=syncer, repo_url=repository_url(api_url, access.repo)
        )

        offered = None
        if model is not None and not access.read_only:
            offered = gateway_interpreter(
                loop, reader, sources, model, limits or ModelLimits(DEFAULT_MODEL), login=access.login, repo=access.repo
            )
        return build_endpoint(reader, sources, read_only=access.read_only, interpret=offered)

    return McpGatewayPorts(
        login_of=lambda token: login_of_token(api_url, token, timeout=timeout),
        permission_of=permission_of,
        endpoint_for=endpoint_for,
    )


def repository_url(api_url: str, repo: str) -> str:
    """The clone URL of `repo` on the GitHub whose REST API is at `api_url` (GitHub.com's, or a GHES's /api/v3)."""
    base = api_url.rstrip("/")
    web = "https://github.com" if base == "https://api.github.com" else base.removesuffix("/api/v3")
    return f"{web}/{repo}.git"


def build_argocd_syncer(server: str | None, token_file: Path | None, *, timeout: float = 15.0) -> Any:
    """The ApplicationSyncer (ArgoCdClient) for OLYMPUS_ARGOCD_SERVER with the token in OLYMPUS_ARGOCD_TOKEN_FILE, or
    None when either is unset (the sync after merge is then not configured); an unreadable token is a UserError."""
    if not server or token_file is None:
        return None
    from bot.adapters.argocd import ArgoCdClient, read_token_file

    return ArgoCdClient(server, read_token_file(token_file), timeout=timeout)
