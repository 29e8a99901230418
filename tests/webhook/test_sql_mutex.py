"""The store's named mutexes: one holder at a time, across threads (SQLite) and across engines (PostgreSQL)."""

from __future__ import annotations

import threading

from bot.adapters.sql_mutex import advisory_key
from bot.adapters.sqlstore import SqlStore


def test_a_held_name_waits_for_its_holder_and_other_names_do_not(store_url: str) -> None:
    # Two stores on one database stand for two replicas (on SQLite, one process's threads share the lock).
    first = SqlStore.open(store_url)
    second = first if store_url.startswith("sqlite") else SqlStore.open(store_url)
    entered = threading.Event()

    def contender() -> None:
        with second.one_at_a_time("plan acme/infra#1"):
            entered.set()

    try:
        with first.one_at_a_time("plan acme/infra#1"):
            waiting = threading.Thread(target=contender)
            waiting.start()
            with second.one_at_a_time("plan acme/infra#2"):
                pass  # another change's plan does not wait
            waiting.join(timeout=0.5)
            assert waiting.is_alive() and not entered.is_set()
        waiting.join(timeout=30)
        assert entered.is_set()
    finally:
        first.close()
        second.close()


def test_advisory_keys_are_signed_64_bit_and_stable() -> None:
    key = advisory_key("plan acme/infra#1")
    assert key == advisory_key("plan acme/infra#1") != advisory_key("plan acme/infra#2")
    assert -(2**63) <= key < 2**63
