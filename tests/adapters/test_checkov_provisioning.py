"""Checkov's lookup order and its install on first use: atomic, locked, quiet unless it fails, a user error if it can't.

The interpreter that makes the virtualenv is a stand-in here (a shell script that answers `-m venv` and
`-m pip install` as they would, and logs each call), since what is under test is the order, the locking and
the leftovers; tests/test_pip_install.py installs the real Checkov from PyPI.
"""

from __future__ import annotations

import os
import shutil
import stat
import threading
from pathlib import Path

import pytest

from bot.adapters import checkov_env
from bot.adapters.checkov_env import CHECKOV_VERSION, provision_checkov, provisioned_checkov
from bot.adapters.provision_steps import ProvisionError
from bot.adapters.tool_paths import ToolMissing, locate_checkov
from bot.entrypoints.cli import main

_REAL_WHICH = shutil.which

# `python -m venv DIR` copies this script to DIR/bin/python; that one answers `-m pip install checkov==V` by
# writing DIR/bin/checkov (which prints V for --version). FAKE_PIP_FAIL makes pip fail after printing a lot;
# FAKE_PIP_SLEEP makes it slow, to race two provisions.
FAKE_PYTHON = r"""#!/bin/sh
echo "$0 $*" >> "$FAKE_LOG"
if [ "$1 $2" = "-m venv" ]; then
    mkdir -p "$3/bin" && cp "$0" "$3/bin/python" && chmod +x "$3/bin/python"
    exit 0
fi
if [ "$1 $2 $3" = "-m pip install" ]; then
    for arg in "$@"; do spec="$arg"; done
    if [ -n "$FAKE_PIP_FAIL" ]; then
        i=0; while [ $i -lt 40 ]; do echo "Collecting line $i"; i=$((i+1)); done
        echo "ERROR: No matching distribution found for $spec"
        exit 1
    fi
    [ -n "$FAKE_PIP_SLEEP" ] && sleep "$FAKE_PIP_SLEEP"
    version="${spec#checkov==}"
    printf '#!/bin/sh\necho %s\n' "$version" > "$(dirname "$0")/checkov"
    chmod +x "$(dirname "$0")/checkov"
    exit 0
fi
exit 3
"""


def executable(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.fixture
def fake_python(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    log = tmp_path / "calls.log"
    log.touch()
    monkeypatch.setenv("FAKE_LOG", str(log))
    return executable(tmp_path / "interpreter" / "python", FAKE_PYTHON)


def calls(tmp_path: Path) -> list[str]:
    return (tmp_path / "calls.log").read_text().splitlines()


def installs(tmp_path: Path) -> list[str]:
    return [line for line in calls(tmp_path) if " -m pip install " in line]


# --- the lookup order ---------------------------------------------------------------------------------------


def test_checkov_comes_from_the_setting_then_olympus_venv_then_the_cache_then_path(tmp_path: Path):
    configured = executable(tmp_path / "configured" / "checkov", "#!/bin/sh\n")
    own = executable(tmp_path / "prefix" / "tools" / "checkov" / "bin" / "checkov", "#!/bin/sh\n")
    cache = tmp_path / "cache"
    env_dir = cache / "tools" / "checkov" / "envs" / "built"
    cached = executable(env_dir / "bin" / "checkov", "#!/bin/sh\n")
    (env_dir / "bin" / "python").symlink_to(os.path.realpath("/bin/sh"))
    (cache / "tools" / "checkov" / CHECKOV_VERSION).symlink_to(Path("envs") / "built")
    on_path = executable(tmp_path / "path" / "checkov", "#!/bin/sh\n")
    path = str(on_path.parent)
    prefix, nowhere = str(tmp_path / "prefix"), str(tmp_path / "none")

    def found(env: dict[str, str], prefix: str, cache: Path) -> Path:
        return locate_checkov(env, prefix=prefix, cache=cache, provision=False)

    assert found({"OLYMPUS_CHECKOV": str(configured), "PATH": path}, prefix, cache) == configured
    assert found({"PATH": path}, prefix, cache) == own
    assert found({"PATH": path}, nowhere, cache) == cache / "tools" / "checkov" / CHECKOV_VERSION / "bin" / "checkov"
    assert found({"PATH": path}, nowhere, cache).resolve() == cached.resolve()
    assert found({"PATH": path}, nowhere, tmp_path / "empty-cache") == on_path


def test_nothing_found_provisions_into_the_cache_and_then_reuses_it(tmp_path: Path, fake_python: Path):
    said: list[str] = []
    cache = tmp_path / "cache"

    first = provision_checkov(cache, said.append, python=str(fake_python))
    assert first == cache / "tools" / "checkov" / CHECKOV_VERSION / "bin" / "checkov"
    assert len(said) == 1 and f"Checkov {CHECKOV_VERSION}" in said[0] and "once" in said[0]
    assert installs(tmp_path)[0].endswith(f"checkov=={CHECKOV_VERSION}")
    assert f"{first} --version" not in calls(tmp_path)  # checkov itself ran, not through the fake interpreter

    again = provision_checkov(cache, said.append, python=str(fake_python))
    assert again == first and len(installs(tmp_path)) == 1 and len(said) == 1
    # With nothing on PATH and no setting, the lookup finds what was provisioned and installs nothing more.
    assert locate_checkov({"PATH": ""}, prefix=str(tmp_path), cache=cache, provision=False) == first


def test_first_use_provisions_through_the_lookup_with_one_line_of_progress(
    tmp_path: Path, fake_python: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(checkov_env.sys, "executable", str(fake_python))
    said: list[str] = []
    binary = locate_checkov({"PATH": ""}, prefix=str(tmp_path), cache=tmp_path / "cache", say=said.append)
    assert binary.is_file() and len(installs(tmp_path)) == 1
    assert said == [
        f"→ installing Checkov {CHECKOV_VERSION} into a virtualenv of its own at "
        f"{tmp_path / 'cache' / 'tools' / 'checkov' / CHECKOV_VERSION} (once: later runs reuse it)"
    ]


def test_olympus_provision_never_turns_first_use_installs_off_and_names_olympus_setup(tmp_path: Path):
    env = {"PATH": "", "OLYMPUS_PROVISION": "never"}
    with pytest.raises(ToolMissing) as caught:
        locate_checkov(env, prefix=str(tmp_path), cache=tmp_path / "cache")
    assert caught.value.reference == "tool-missing"
    assert "OLYMPUS_PROVISION=never" in caught.value.message
    assert "run `olympus setup`" in caught.value.hint
    assert not (tmp_path / "cache" / "tools").exists()  # nothing was started


def test_a_malformed_provision_setting_is_a_user_error(tmp_path: Path):
    with pytest.raises(ToolMissing, match="OLYMPUS_PROVISION is 'sometimes'") as caught:
        locate_checkov({"PATH": "", "OLYMPUS_PROVISION": "sometimes"}, prefix=str(tmp_path), cache=tmp_path)
    assert "auto or never" in caught.value.hint


def test_a_bad_olympus_checkov_setting_is_a_user_error():
    with pytest.raises(ToolMissing, match="OLYMPUS_CHECKOV is '/nowhere/checkov'") as caught:
        locate_checkov({"OLYMPUS_CHECKOV": "/nowhere/checkov", "PATH": ""})
    assert "unset it" in caught.value.hint


# --- atomic: a failed or interrupted build is never trusted, and is cleaned up ---------------------------------


def test_a_failed_pip_is_a_tool_missing_error_with_pips_tail_and_leaves_no_venv(
    tmp_path: Path, fake_python: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("FAKE_PIP_FAIL", "1")
    monkeypatch.setattr(checkov_env.sys, "executable", str(fake_python))
    cache = tmp_path / "cache"
    with pytest.raises(ToolMissing) as caught:
        locate_checkov({"PATH": ""}, prefix=str(tmp_path), cache=cache)
    message = caught.value.message
    assert f"`pip install checkov=={CHECKOV_VERSION}` failed with exit code 1" in message
    assert "No matching distribution found" in message and "Collecting line 39" in message
    assert "Collecting line 5\n" not in message  # the tail, not the whole output
    assert "then run `olympus setup`" in caught.value.hint
    home = cache / "tools" / "checkov"
    assert not (home / CHECKOV_VERSION).exists() and list((home / "envs").iterdir()) == []


def test_an_interrupted_build_is_not_trusted_and_the_next_provision_replaces_it(tmp_path: Path, fake_python: Path):
    cache = tmp_path / "cache"
    home = cache / "tools" / "checkov"
    # What a killed provision leaves: a virtualenv with checkov in it, but no version link pointing at it.
    half = home / "envs" / f"{CHECKOV_VERSION}-killed"
    executable(half / "bin" / "checkov", "#!/bin/sh\necho half\n")
    (half / "bin" / "python").symlink_to(os.path.realpath("/bin/sh"))
    assert provisioned_checkov(cache) is None
    with pytest.raises(ToolMissing, match="Checkov is not installed"):
        locate_checkov({"PATH": ""}, prefix=str(tmp_path), cache=cache, provision=False)

    binary = provision_checkov(cache, lambda line: None, python=str(fake_python))
    assert not half.exists()
    assert [p.name for p in (home / "envs").iterdir()] == [binary.resolve().parent.parent.name]


def test_a_venv_whose_python_is_gone_is_made_again(tmp_path: Path, fake_python: Path):
    cache = tmp_path / "cache"
    first = provision_checkov(cache, lambda line: None, python=str(fake_python))
    old = first.resolve().parent.parent
    (old / "bin" / "python").unlink()
    (old / "bin" / "python").symlink_to(tmp_path / "removed-python3.11")  # the base interpreter was uninstalled
    assert provisioned_checkov(cache) is None
    second = provision_checkov(cache, lambda line: None, python=str(fake_python))
    assert second == first and second.resolve().parent.parent != old
    assert not old.exists() and len(installs(tmp_path)) == 2


def test_a_venv_that_cannot_be_made_says_what_venv_said(tmp_path: Path):
    broken = executable(tmp_path / "python", "#!/bin/sh\necho 'ensurepip is not available' >&2\nexit 1\n")
    with pytest.raises(ProvisionError, match=r"`python -m venv` failed with exit code 1(.|\n)*ensurepip"):
        provision_checkov(tmp_path / "cache", lambda line: None, python=str(broken))


# --- locked: two Olympus processes provisioning at once build it once --------------------------------------------


def test_two_provisions_at_once_build_one_venv_and_the_second_waits(
    tmp_path: Path, fake_python: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("FAKE_PIP_SLEEP", "1")
    cache = tmp_path / "cache"
    said: list[list[str]] = [[], []]
    found: list[Path] = []
    started = threading.Barrier(2)

    def provision(index: int) -> None:
        started.wait()
        found.append(provision_checkov(cache, said[index].append, python=str(fake_python)))

    threads = [threading.Thread(target=provision, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(found) == 2 and found[0] == found[1]
    assert len(installs(tmp_path)) == 1
    # One of them installed, saying so once; the other said at most that it waits for it.
    (builder,) = [index for index in (0, 1) if any(line.startswith("→ installing") for line in said[index])]
    assert len(said[builder]) == 1
    assert all(line.startswith("waiting for another Olympus") for line in said[1 - builder])
    assert len(list((cache / "tools" / "checkov" / "envs").iterdir())) == 1


# --- the CLI: a tool that cannot be had is exit 2 naming `olympus setup`, never a traceback --------------------


def test_olympus_setup_reports_each_tool_and_exits_0(
    tmp_path: Path, fake_python: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("OLYMPUS_PROVISION", "never")  # setup installs all the same: it is the explicit request
    monkeypatch.delenv("OLYMPUS_CHECKOV", raising=False)
    monkeypatch.setattr(checkov_env.sys, "executable", str(fake_python))
    monkeypatch.setattr("bot.adapters.tool_paths.sys.prefix", str(tmp_path / "no-olympus-venv"))
    monkeypatch.setattr("bot.adapters.tool_paths.shutil.which", _which_without_checkov)

    assert main(["setup"]) == 0
    out = capsys.readouterr().out
    cached = tmp_path / "xdg" / "olympus" / "tools" / "checkov" / CHECKOV_VERSION / "bin" / "checkov"
    assert f"✓ checkov       {CHECKOV_VERSION}   {cached} (installed by Olympus)" in out
    for name in ("trivy", "terraform", "AWS provider", "git"):
        assert f"✓ {name}" in out
    assert "Ready" in out and len(installs(tmp_path)) == 1

    assert main(["setup"]) == 0  # idempotent: looks, installs nothing
    assert len(installs(tmp_path)) == 1 and "✓ checkov" in capsys.readouterr().out


def test_olympus_setup_without_pip_index_is_tool_missing_exit_2(
    tmp_path: Path, fake_python: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("FAKE_PIP_FAIL", "1")
    monkeypatch.delenv("OLYMPUS_CHECKOV", raising=False)
    monkeypatch.setattr(checkov_env.sys, "executable", str(fake_python))
    monkeypatch.setattr("bot.adapters.tool_paths.sys.prefix", str(tmp_path / "no-olympus-venv"))
    monkeypatch.setattr("bot.adapters.tool_paths.shutil.which", _which_without_checkov)

    assert main(["setup"]) == 2
    captured = capsys.readouterr()
    assert "✗ checkov" in captured.out and "No matching distribution found" in captured.out
    assert "fix: check that pip can reach its package index" in captured.out
    assert "error[tool-missing]: Olympus is not ready: checkov is missing" in captured.err
    assert "Traceback" not in captured.err + captured.out


def test_a_plan_with_checkov_missing_stops_before_any_branch_with_tool_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    from bot.adapters.localgit import LocalGit

    repo = tmp_path / "repo"
    repo.mkdir()
    git = LocalGit(repo)
    git.git("init", "--quiet", "--initial-branch=main")
    git.git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "--quiet", "--allow-empty", "-m", "init")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("OLYMPUS_PROVISION", "never")
    monkeypatch.delenv("OLYMPUS_CHECKOV", raising=False)
    monkeypatch.setattr("bot.adapters.tool_paths.sys.prefix", str(tmp_path / "no-olympus-venv"))
    monkeypatch.setattr("bot.adapters.tool_paths.shutil.which", _which_without_checkov)

    request = "/infra create bucket logs-archive region=eu-west-1 env=dev"
    assert main(["run", "--sandbox", "--repo", str(repo), request]) == 2
    err = capsys.readouterr().err
    assert "error[tool-missing]: Checkov is not installed" in err and "run `olympus setup`" in err
    assert "Traceback" not in err
    assert git.git("branch", "--list", "infra/*").strip() == ""  # nothing was made
    main(["sandbox", "stop", "--repo", str(repo)])


def _which_without_checkov(name: str, *args: object, **kwargs: object) -> str | None:
    """shutil.which as on a machine where no checkov is on PATH (this one has Olympus's own)."""
    return None if name == "checkov" else _REAL_WHICH(name, *args, **kwargs)  # type: ignore[arg-type]


def test_a_cache_that_cannot_be_written_is_tool_missing(tmp_path: Path, fake_python: Path):
    cache = tmp_path / "cache"
    (cache / "tools").mkdir(parents=True)
    (cache / "tools" / "checkov").write_text("a file where the folder belongs")
    with pytest.raises(ToolMissing, match="cannot install it into") as caught:
        locate_checkov({"PATH": ""}, prefix=str(tmp_path), cache=cache)
    assert "XDG_CACHE_HOME" in caught.value.hint
