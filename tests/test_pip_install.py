"""`pip install` of the package, without make, gives a working `olympus setup` and `olympus demo` (slow: real PyPI).

The one test that installs Olympus as a user would: a fresh virtualenv, `pip install` of the package's sources
(not editable), no Checkov anywhere on the machine that it may find (its cache is a temp dir, PATH holds no
checkov, no Olympus virtualenv holds one), then `olympus setup` installs Checkov from PyPI into that cache and
`olympus demo` scans with it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.adapters.checkov_env import CHECKOV_VERSION

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow

INSECURE_BUCKET = """\
resource "aws_s3_bucket" "open" {
  bucket = "wide-open"
  acl    = "public-read"
}
"""


def run(argv: list[str], env: dict[str, str], cwd: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
    )
    assert done.returncode == 0, f"{argv} exited {done.returncode}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A virtualenv with Olympus pip-installed from this checkout, and the environment a user's shell gives it."""
    tmp = tmp_path_factory.mktemp("pip-install")
    # The package's sources, copied so that building it leaves nothing (build/, egg-info) in the checkout.
    source = tmp / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for package in ("bot", "policies"):
        shutil.copytree(ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__"))
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    # pip's own download cache stays the user's, so the packages come from it where it has them.
    pip_cache = subprocess.run(
        [sys.executable, "-m", "pip", "cache", "dir"], capture_output=True, text=True, check=False
    ).stdout.strip()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("OLYMPUS_", "VIRTUAL_ENV"))}
    env.update(
        {
            "PATH": os.pathsep.join([str(venv / "bin"), "/usr/bin", "/bin"]),  # no checkov, no terraform
            "HOME": str(tmp / "home"),
            "XDG_CACHE_HOME": str(tmp / "cache"),
            "XDG_CONFIG_HOME": str(tmp / "config"),
        }
    )
    if pip_cache:
        env["PIP_CACHE_DIR"] = pip_cache
    (tmp / "home").mkdir()
    run([str(venv / "bin" / "pip"), "install", "--quiet", str(source)], env, tmp, timeout=1800)
    assert not (venv / "tools" / "checkov").exists() and shutil.which("checkov", path=env["PATH"]) is None
    return venv, env


def test_pip_install_then_olympus_setup_then_the_demo_scans_with_checkov(
    installed: tuple[Path, dict[str, str]], tmp_path: Path
):
    venv, env = installed
    olympus = str(venv / "bin" / "olympus")

    setup = run([olympus, "setup"], env, tmp_path, timeout=1800)
    provisioned = Path(env["XDG_CACHE_HOME"]) / "olympus" / "tools" / "checkov" / CHECKOV_VERSION / "bin" / "checkov"
    assert f"✓ checkov       {CHECKOV_VERSION}   {provisioned} (installed by Olympus)" in setup.stdout
    assert "✓ terraform" in setup.stdout and "embedded" in setup.stdout
    assert "Ready" in setup.stdout
    assert f"installing Checkov {CHECKOV_VERSION}" in setup.stderr and "once" in setup.stderr
    assert "Collecting" not in setup.stdout + setup.stderr  # pip's output stays back when pip succeeds

    again = run([olympus, "setup"], env, tmp_path, timeout=300)
    assert "installing Checkov" not in again.stderr and "✓ checkov" in again.stdout

    # No install on first use may hide behind the demo: what setup made is what it scans with.
    demo_env = {**env, "OLYMPUS_PROVISION": "never"}
    demo = run([olympus, "demo", "--dir", str(tmp_path / "demo")], demo_env, tmp_path, timeout=900)
    assert f"checkov: {provisioned}" in demo.stdout
    comment = (tmp_path / "demo" / "comment.md").read_text()
    # The module's inline skips are Checkov's own results: it read the code and reported them by check ID.
    assert "| `CKV_AWS_144` | checkov | `aws_s3_bucket.this` |" in comment

    # And the scanner finds what is wrong in code that is not secure.
    (tmp_path / "insecure").mkdir()
    (tmp_path / "insecure" / "main.tf").write_text(INSECURE_BUCKET)
    script = (
        "from pathlib import Path; from bot.adapters.checkov import CheckovScanner\n"
        f"for f in CheckovScanner().scan(Path({str(tmp_path)!r}), ['insecure']): print(f.rule_id, f.resource)\n"
    )
    scanned = run([str(venv / "bin" / "python"), "-c", script], demo_env, tmp_path, timeout=600)
    assert "CKV_AWS_20 aws_s3_bucket.open" in scanned.stdout.splitlines()  # "S3 bucket has a public READ ACL"
