"""The GitHub App's settings (environment or `.env`), validated at start-up into one frozen Settings value."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import ByteSize, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.adapters.secret_masking import mask_secret_text
from bot.adapters.store_engine import StoreOpenError, parse_store_url
from bot.domain.drift_schedule import DEFAULT_DRIFT_INTERVAL, parse_interval
from bot.domain.mcp_access import McpMode
from bot.domain.plain_requests import DEFAULT_MENTION
from bot.domain.webhooks import MAX_PAYLOAD_BYTES
from bot.errors import UserError
from bot.services.parallelism import PARALLEL_PLAN_HINT, default_parallel_plan

ENV_PREFIX = "OLYMPUS_"
DEFAULT_DATABASE_URL = "sqlite:///./olympus.db"
DEFAULT_GITHUB_API_URL = "https://api.github.com"
DEFAULT_GITHUB_WEB_URL = "https://github.com"
DEFAULT_WEBHOOK_MAX_INFLIGHT = 16
DEFAULT_WEBHOOK_MAX_INFLIGHT_BYTES = 64 * 1024 * 1024
# GitHub gives up on a delivery that is not answered within 10 seconds, so a body still arriving after that
# is not GitHub's. https://docs.github.com/en/webhooks/using-webhooks/best-practices-for-using-webhooks
DEFAULT_WEBHOOK_READ_TIMEOUT = 10.0
SCANNER_NAMES = ("checkov", "trivy")
DEFAULT_SCANNERS = ",".join(SCANNER_NAMES)
NO_SCANNERS = "none"
# How long the sync after merge waits for an application to be Synced and Healthy before it reports what it saw.
DEFAULT_SYNC_TIMEOUT = 300.0

# What each setting is for, so an error can say how to fix it, not only that something is wrong.
_HINTS = {
    "webhook_secret": "set it to the webhook secret entered when the GitHub App was created (environment or .env)",
    "app_id": "set it to the App ID shown on the GitHub App's settings page (a positive integer)",
    "private_key_file": "point it at the .pem file downloaded from the GitHub App's settings page",
    "private_key": "set it to the contents of the GitHub App's .pem private key, or use OLYMPUS_PRIVATE_KEY_FILE",
    "database_url": "use sqlite:///path/to/olympus.db, or postgresql+psycopg://user:password@host:5432/olympus",
    "github_api_url": "use https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise Server",
    "github_web_url": "use https://github.com, or https://HOST for GitHub Enterprise Server (where people sign in)",
    "oauth_client_id": "set it to the Client ID shown on the GitHub App's settings page (Iv23..., or Iv1....)",
    "oauth_client_secret": "generate a client secret on the GitHub App's settings page and set it here",
    "public_url": "the App's public base URL as browsers reach it, such as https://olympus.example.com",
    "data_dir": "point it at a writable directory for checkouts, plan files and reports",
    "aws_emulator_url": "leave it unset for real AWS, or use the http://127.0.0.1:PORT of a local AWS emulator",
    "webhook_max_inflight": f"a whole number of request bodies, 1 or more (default {DEFAULT_WEBHOOK_MAX_INFLIGHT})",
    "webhook_max_inflight_bytes": (
        f"a size such as 64MiB or a number of bytes, at least GitHub's {MAX_PAYLOAD_BYTES}-byte payload cap"
    ),
    "webhook_read_timeout": f"a number of seconds above 0 (default {DEFAULT_WEBHOOK_READ_TIMEOUT:g})",
    "github_timeout": "a whole number of seconds, 1 or more, that one GitHub API call may take (default 15)",
    "github_seconds_between_writes": "a number of seconds, 0 or more, between two writes to GitHub (default 1)",
    "github_retry_first_delay": "a number of seconds, 0 or more: the first wait before retrying a GitHub call (1)",
    "job_lease_seconds": "a number of seconds above 0 a worker holds a job before another may take it (60)",
    "job_max_attempts": "a whole number of attempts per job, 1 or more (default 5)",
    "job_retry_first_delay": "a number of seconds, 0 or more, before a failed job's first retry (default 10)",
    "parallel_plan": PARALLEL_PLAN_HINT,
    "app_slug": "the App's name in its URL (github.com/apps/SLUG): lowercase letters, digits and hyphens",
    "mcp_http": "off (the default), read-only (only the state tools) or propose (the change tools too)",
    "mcp_allowed_origins": "a comma-separated list of origins such as https://inspector.example.com, or none",
    "argocd_server": "the Argo CD server's base URL, such as https://argocd.example.com (unset: no sync after merge)",
    "argocd_token_file": "point it at a file holding an Argo CD account's API token (argocd account generate-token)",
    "argocd_sync_timeout": f"seconds above 0 to wait for a synced app to be healthy ({DEFAULT_SYNC_TIMEOUT:g})",
    "drift_interval": f"a duration such as 24h, 6h or 30m (10m at least), or off (default {DEFAULT_DRIFT_INTERVAL})",
    "scanners": f"a comma-separated list of {', '.join(SCANNER_NAMES)}, or none (default {DEFAULT_SCANNERS})",
}


class Settings(BaseSettings):
    """Everything `olympus serve` reads; secrets are SecretStr, so they print as '**********'."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=".env",
        env_file_encoding="utf-8",
        # An empty variable (common in compose files and .env templates) means "not set".
        env_ignore_empty=True,
        extra="ignore",
        frozen=True,
    )

    webhook_secret: SecretStr
    app_id: int | None = Field(default=None, gt=0)
    private_key_file: Path | None = None
    private_key: SecretStr | None = None
    database_url: str = DEFAULT_DATABASE_URL
    github_api_url: str = DEFAULT_GITHUB_API_URL
    # The dashboard at /dashboard (docs/dashboard.md): people sign in with GitHub through the App's OAuth client
    # (its client id and a client secret) on the GitHub at github_web_url. Without both, /dashboard says so.
    github_web_url: str = DEFAULT_GITHUB_WEB_URL
    oauth_client_id: str | None = None
    oauth_client_secret: SecretStr | None = None
    # Where browsers reach the App, when a proxy in front changes the scheme or host it sees (the OAuth callback's).
    public_url: str | None = None
    # Where checkouts, plan files and reports are kept (they must survive until the apply).
    data_dir: Path = Path("olympus-data")
    # Sandbox only: plan and apply against a local AWS emulator (moto's server) instead of real AWS.
    aws_emulator_url: str | None = None
    # The webhook endpoint's shedding (bot/entrypoints/webhook_intake.py): how many request bodies may be read at
    # once before their signature is checked, how many bytes they may hold together, and how long one may take.
    webhook_max_inflight: int = Field(default=DEFAULT_WEBHOOK_MAX_INFLIGHT, ge=1)
    webhook_max_inflight_bytes: ByteSize = Field(
        default=ByteSize(DEFAULT_WEBHOOK_MAX_INFLIGHT_BYTES), ge=MAX_PAYLOAD_BYTES
    )
    webhook_read_timeout: float = Field(default=DEFAULT_WEBHOOK_READ_TIMEOUT, gt=0, allow_inf_nan=False)
    # Talking to GitHub: how long one call may take, the pause between writes GitHub advises against its secondary
    # rate limits, and the first backoff of a retried call (doubling; Retry-After is honoured whatever it says).
    github_timeout: int = Field(default=15, ge=1)  # whole seconds: PyGithub takes no fractions
    github_seconds_between_writes: float = Field(default=1.0, ge=0, allow_inf_nan=False)
    github_retry_first_delay: float = Field(default=1.0, ge=0, allow_inf_nan=False)
    # The job queue (bot/services/workers.py): how long a worker holds a job before another replica may take it
    # over (it renews the lease every third of it while it works), and how often and how soon a failed job is retried.
    job_lease_seconds: float = Field(default=60.0, gt=0, allow_inf_nan=False)
    job_max_attempts: int = Field(default=5, ge=1)
    job_retry_first_delay: float = Field(default=10.0, ge=0, allow_inf_nan=False)
    # Which scanners check each plan; `none` turns scanning off, and every plan comment then says nothing was scanned.
    scanners: str = DEFAULT_SCANNERS
    # How many projects of one plan run Terraform at once (Atlantis's parallel_plan); each worker plans its own job.
    parallel_plan: int = Field(default_factory=default_parallel_plan, ge=1)
    # The App's slug: a comment that starts with "@SLUG" is a request in plain words (bot/domain/plain_requests.py).
    app_slug: str = Field(default=DEFAULT_MENTION, pattern=r"^[a-z0-9](?:[a-z0-9-]{0,32}[a-z0-9])?$")

    # The MCP gateway over streamable HTTP at /mcp (bot/entrypoints/mcp_http.py): off, read-only or propose, and the
    # browser origins that may call it (a request with any other Origin header is refused).
    mcp_http: McpMode = "off"
    mcp_allowed_origins: str = ""

    # Argo CD (bot/services/sync_apps.py): after a merge, each changed application is synced through this server's
    # API with the token in the file (never in the environment, where `ps e` and crash reports can show it).
    argocd_server: str | None = None
    argocd_token_file: Path | None = None
    argocd_sync_timeout: float = Field(default=DEFAULT_SYNC_TIMEOUT, gt=0, allow_inf_nan=False)
    # How often each repository's default branch is checked for drift (bot/services/drift_schedule.py), or `off`.
    drift_interval: str = DEFAULT_DRIFT_INTERVAL

    @field_validator("drift_interval")
    @classmethod
    def _drift_interval_parses(cls, value: str) -> str:
        parse_interval(value)  # its ValueError says why
        return value.strip().lower()

    @property
    def drift_every(self) -> timedelta | None:
        """The interval between two drift checks of a repository; None when the schedule is off."""
        return parse_interval(self.drift_interval)

    @field_validator("webhook_secret")
    @classmethod
    def _secret_not_blank(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().strip():
            raise ValueError("it is blank")
        return value

    @field_validator("app_slug", mode="before")
    @classmethod
    def _slug_as_github_writes_it(cls, value: object) -> object:
        # GitHub shows the slug in lowercase; "@Olympus" and "@olympus" mention the same App.
        return value.strip().lower().removeprefix("@") if isinstance(value, str) else value

    @field_validator("scanners")
    @classmethod
    def _known_scanners(cls, value: str) -> str:
        names = [name.strip().lower() for name in value.split(",") if name.strip()]
        if names == [NO_SCANNERS]:
            return NO_SCANNERS
        unknown = [name for name in names if name not in SCANNER_NAMES]
        if unknown or not names:
            raise ValueError(f"{', '.join(unknown) or 'nothing'} is not a scanner Olympus runs")
        return ",".join(dict.fromkeys(names))

    @property
    def mcp_origins(self) -> tuple[str, ...]:
        """The browser origins allowed to call /mcp, without trailing slashes."""
        return tuple(o.strip().rstrip("/") for o in self.mcp_allowed_origins.split(",") if o.strip())

    @property
    def scanner_names(self) -> tuple[str, ...]:
        """The scanners to run, in order; empty when scanning is turned off."""
        return () if self.scanners == NO_SCANNERS else tuple(self.scanners.split(","))

    @field_validator("private_key_file")
    @classmethod
    def _key_file_exists(cls, value: Path | None) -> Path | None:
        if value is not None and not value.expanduser().is_file():
            raise ValueError(f"no file at {str(value)!r}")
        return None if value is None else value.expanduser()

    @field_validator("argocd_token_file")
    @classmethod
    def _token_file_exists(cls, value: Path | None) -> Path | None:
        if value is not None and not value.expanduser().is_file():
            raise ValueError(f"no file at {str(value)!r}")
        return None if value is None else value.expanduser()

    @field_validator("argocd_server")
    @classmethod
    def _argocd_server_is_http(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{mask_secret_text(value)!r} is not an http(s) URL")
        if parts.username or parts.password or parts.query or parts.fragment:
            raise ValueError("it must be a plain base URL, without credentials, query or fragment")
        return value.strip().rstrip("/")

    @property
    def argocd_configured(self) -> bool:
        """Whether merged pull requests are synced through Argo CD: a server and a token file are both set."""
        return self.argocd_server is not None and self.argocd_token_file is not None

    @field_validator("database_url")
    @classmethod
    def _database_url_parses(cls, value: str) -> str:
        try:
            parse_store_url(value)
        except StoreOpenError as error:
            raise ValueError(error.message) from None  # already masks any password
        return value.strip()

    @field_validator("github_api_url", "github_web_url", "public_url")
    @classmethod
    def _api_url_is_http(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{mask_secret_text(value)!r} is not an http(s) URL")
        if parts.username or parts.password or parts.query or parts.fragment:
            raise ValueError("it must be a plain base URL, without credentials, query or fragment")
        return value.strip().rstrip("/")

    def __repr_args__(self) -> Any:
        # A database URL may carry a password; show it the way the store's messages do.
        for name, value in super().__repr_args__():
            yield name, (mask_secret_text(value) if name == "database_url" else value)

    @property
    def dashboard_sign_in_missing(self) -> str:
        """The sign-in settings the dashboard lacks ("" when it has both)."""
        missing = [env_name(f) for f in ("oauth_client_id", "oauth_client_secret") if getattr(self, f) is None]
        return " and ".join(missing)

    @property
    def webhook_secret_bytes(self) -> bytes:
        return self.webhook_secret.get_secret_value().encode("utf-8")


def env_name(field: str) -> str:
    return ENV_PREFIX + field.upper()


def load_settings(env_file: Path | str | None = ".env", **overrides: Any) -> Settings:
    """Settings from the environment and env_file (None: environment only); a UserError names every bad one."""
    try:
        return Settings(_env_file=env_file, **overrides)  # type: ignore[call-arg]
    except ValidationError as invalid:
        problems: list[str] = []
        hints: list[str] = []
        # include_input=False: the rejected value of a secret must not reach the message.
        for error in invalid.errors(include_input=False, include_url=False):
            field = str(error["loc"][0]) if error["loc"] else "?"
            name = env_name(field)
            if error["type"] == "missing":
                problems.append(f"{name} is missing")
            else:
                detail = str(error["msg"]).removeprefix("Value error, ")
                problems.append(f"{name} is malformed: {detail}")
            if field in _HINTS and _HINTS[field] not in hints:
                hints.append(f"{name}: {_HINTS[field]}")
        reference = "missing-setting" if all(p.endswith("is missing") for p in problems) else "bad-setting"
        raise UserError(reference, "; ".join(problems), "; ".join(hints)) from None
