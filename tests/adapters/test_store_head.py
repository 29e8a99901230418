"""The store's shortcut past Alembic knows the newest migration, and a store at it opens without loading Alembic."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic.script import ScriptDirectory

from bot.adapters.migrations import alembic_config
from bot.adapters.sqlstore import SqlStore
from bot.adapters.store_engine import SCHEMA_HEAD


def test_schema_head_is_the_newest_migration() -> None:
    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == SCHEMA_HEAD


def test_a_store_at_head_opens_without_alembic(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'olympus.db'}"
    SqlStore.open(url).close()  # creates it: the migrations run
    probe = (
        "import sys\nfrom bot.adapters.sqlstore import SqlStore\n"
        f"SqlStore.open({url!r}).close()\nprint('alembic' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
