"""HelmCli: the real helm binary, run with a home of its own per command, to lint and render charts offline."""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from bot.adapters.tool_paths import locate_helm, offline_env, show_command, stderr_tail
from bot.domain.helm_failures import helm_failure, missing_dependencies
from bot.domain.helm_lint import LintResult, parse_lint_output
from bot.domain.helm_names import check_kube_version, check_namespace, check_release_name
from bot.errors import UserError

__all__ = ["HelmCli", "HelmError"]

HELM_TIMEOUT_SECONDS = 120.0
_EMPTY_KUBECONFIG = "apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n"


class HelmError(Exception):
    """helm could not be started, timed out, or was killed: a fault, not something in the chart."""


class HelmCli:
    """Runs `helm lint` and `helm template` with an argv list, a timeout, and a fresh HELM_*_HOME each time.

    Each command gets its own cache, config and data homes in a temporary folder removed when it ends: no repository
    Helm was told of, no plugin and no registry login can change what a chart renders, and nothing is left behind.
    Every path is passed absolute and every name checked first, so no argument can be read as one of helm's flags.
    """

    def __init__(
        self, binary: Path | None = None, *, timeout: float = HELM_TIMEOUT_SECONDS, scratch_root: Path | None = None
    ) -> None:
        self._binary = binary
        self.timeout = timeout
        self.scratch_root = scratch_root  # where the per-command homes are made (the system's temp dir if None)

    @property
    def binary(self) -> Path:
        if self._binary is None:
            self._binary = locate_helm()
        return self._binary

    def lint(self, chart_dir: Path, values_files: Sequence[Path] = (), strict: bool = True) -> LintResult:
        """`helm lint` of the chart; its findings parsed, whether it passed, and a missing dependency a UserError."""
        chart = _chart(chart_dir)
        argv = ["lint", *(["--strict"] if strict else []), *_values_flags(values_files), "--", str(chart)]
        done = self._run(argv)
        if missing_dependencies(done.stdout):
            raise helm_failure("lint", chart.name, done.stdout)
        return parse_lint_output(done.stdout, passed=done.returncode == 0)

    def template(
        self,
        chart_dir: Path,
        release: str,
        namespace: str,
        values_files: Sequence[Path] = (),
        kube_version: str | None = None,
    ) -> str:
        """The chart's rendered objects (multi-document YAML), as `helm template` prints them."""
        chart = _chart(chart_dir)
        try:
            flags = [f"--namespace={check_namespace(namespace)}"]
            if kube_version is not None:
                flags.append(f"--kube-version={check_kube_version(kube_version)}")
            name = check_release_name(release)
        except ValueError as exc:
            raise UserError(
                "invalid-helm-argument",
                str(exc),
                "release names and namespaces are DNS labels (a-z, 0-9 and '-', a letter or digit at each end; "
                "release names at most 53 characters); Kubernetes versions look like 1.29",
            ) from None
        done = self._run(["template", *flags, *_values_flags(values_files), "--", name, str(chart)])
        if done.returncode != 0:
            raise helm_failure("template", chart.name, done.stderr)
        return done.stdout

    def _run(self, args: list[str]) -> subprocess.CompletedProcess[str]:
        argv = [str(self.binary), *args]
        with tempfile.TemporaryDirectory(prefix="olympus-helm-", dir=self.scratch_root) as scratch:
            home = Path(scratch)
            # An empty kubeconfig of its own: rendering needs no cluster and must not read the user's (a missing
            # file would do too, but client-go warns about it on every run).
            (home / "kubeconfig").write_text(_EMPTY_KUBECONFIG)
            env = offline_env(home)
            env.update(
                {
                    "HELM_CACHE_HOME": str(home / "cache"),
                    "HELM_CONFIG_HOME": str(home / "config"),
                    "HELM_DATA_HOME": str(home / "data"),
                    "KUBECONFIG": str(home / "kubeconfig"),
                }
            )
            try:
                return subprocess.run(
                    argv,
                    cwd=home,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    capture_output=True,
                    text=True,
                    errors="replace",
                    timeout=self.timeout,
                    check=False,
                )
            except subprocess.TimeoutExpired as exc:
                stderr = exc.stderr.decode(errors="replace") if isinstance(exc.stderr, bytes) else exc.stderr or ""
                raise HelmError(
                    f"helm timed out after {self.timeout:g}s: {show_command(argv)}{stderr_tail(stderr)}"
                ) from None
            except OSError as exc:
                raise HelmError(f"could not start helm ({show_command(argv)}): {exc}") from exc


def _chart(chart_dir: Path) -> Path:
    """The chart's absolute path: a relative one could start with '-' and be read as a flag."""
    chart = chart_dir.resolve()
    if not (chart / "Chart.yaml").is_file():
        raise UserError(
            "helm-chart-missing", f"{chart_dir} is not a Helm chart: it has no Chart.yaml", "pass the chart's folder"
        )
    return chart


def _values_flags(values_files: Sequence[Path]) -> list[str]:
    return [f"--values={Path(path).resolve()}" for path in values_files]
