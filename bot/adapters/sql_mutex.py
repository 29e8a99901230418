"""Named mutexes on the store's database: one holder at a time across workers and replicas (PostgreSQL), or threads."""

from __future__ import annotations

import hashlib
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.engine import Engine


class SqlMutexes:
    """`hold(name)` waits until no one else holds `name`, then holds it for the `with` block.

    On PostgreSQL it is a transaction-level advisory lock: released at the end of the block, and by the server when
    the holder's connection goes away, so a replica killed mid-way never leaves one held
    (https://www.postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS). SQLite has no such lock and serves
    one replica: there it is a lock shared by the threads of this process.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._guard = threading.Lock()
        self._local: weakref.WeakValueDictionary[str, threading.Lock] = weakref.WeakValueDictionary()

    @contextmanager
    def hold(self, name: str) -> Iterator[None]:
        if self.engine.dialect.name == "postgresql":
            with self.engine.connect() as connection, connection.begin():
                connection.execute(sa.select(sa.func.pg_advisory_xact_lock(advisory_key(name))))
                yield
            return
        with self._guard:
            lock = self._local.get(name)
            if lock is None:
                lock = self._local[name] = threading.Lock()
        with lock:
            yield


def advisory_key(name: str) -> int:
    """A signed 64-bit key for `name`, as PostgreSQL's advisory locks take (a collision only serializes more)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
