"""The shared plugin cache's lock: an init that may install holds it alone, inits that only read share it, and a
cancelled plan stops waiting for it."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from bot.adapters.plugin_cache import cache_holds_pinned_providers, installing_providers, plugin_cache_dir
from bot.adapters.terraform import TerraformStopped

LOCK_FILE = """# This file is maintained automatically by "terraform init".
provider "registry.terraform.io/hashicorp/aws" {
  version     = "5.31.0"
  constraints = "~> 5.0"
  hashes = [
    "h1:abc=",
  ]
}
"""


def cached(cache: Path, version: str = "5.31.0") -> None:
    from bot.adapters.plugin_cache import _platform

    (cache / "registry.terraform.io/hashicorp/aws" / version / _platform()).mkdir(parents=True)


def test_the_cache_is_made_where_terraform_expects_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TF_PLUGIN_CACHE_DIR", raising=False)
    assert plugin_cache_dir(tmp_path) == tmp_path / "plugin-cache" and (tmp_path / "plugin-cache").is_dir()
    monkeypatch.setenv("TF_PLUGIN_CACHE_DIR", str(tmp_path / "theirs"))
    assert plugin_cache_dir(tmp_path) == tmp_path / "theirs" and (tmp_path / "theirs").is_dir()


def test_only_a_lock_file_whose_providers_are_all_cached_means_read_only(tmp_path: Path) -> None:
    cache, project = tmp_path / "cache", tmp_path / "project"
    cache.mkdir()
    project.mkdir()
    assert not cache_holds_pinned_providers(cache, project)  # no lock file: init picks, and may install
    (project / ".terraform.lock.hcl").write_text(LOCK_FILE)
    assert not cache_holds_pinned_providers(cache, project)
    cached(cache, "5.30.0")
    assert not cache_holds_pinned_providers(cache, project)  # another version is not this one
    cached(cache)
    assert cache_holds_pinned_providers(cache, project)


def test_an_installing_init_holds_the_lock_alone_and_a_cancelled_one_stops_waiting(tmp_path: Path) -> None:
    cache, project = tmp_path / "cache", tmp_path / "project"
    cache.mkdir()
    project.mkdir()
    holding, release = threading.Event(), threading.Event()

    def install() -> None:
        with installing_providers(cache, project):
            holding.set()
            release.wait(30)

    installer = threading.Thread(target=install)
    installer.start()
    try:
        assert holding.wait(30)
        cancelled = threading.Event()
        cancelled.set()
        with pytest.raises(TerraformStopped), installing_providers(cache, project, cancelled):
            pytest.fail("a second installing init got the lock while the first held it")
    finally:
        release.set()
        installer.join()


def test_inits_that_only_read_share_the_lock(tmp_path: Path) -> None:
    cache, project = tmp_path / "cache", tmp_path / "project"
    cache.mkdir()
    project.mkdir()
    (project / ".terraform.lock.hcl").write_text(LOCK_FILE)
    cached(cache)
    holding, release = threading.Event(), threading.Event()

    def read() -> None:
        with installing_providers(cache, project):
            holding.set()
            release.wait(30)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        assert holding.wait(30)
        gave_up = threading.Event()
        timer = threading.Timer(20, gave_up.set)  # only so that a broken lock fails the test instead of hanging it
        timer.start()
        with installing_providers(cache, project, gave_up):
            pass
        timer.cancel()
    finally:
        release.set()
        reader.join()
