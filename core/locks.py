"""Transaction-scoped locks on names, for check-then-act sequences that rows alone cannot serialise.

On PostgreSQL each name maps to a 64-bit advisory lock held until the transaction ends.
Elsewhere (the SQLite development default, one writer at a time) this does nothing.
"""

import hashlib

from django.db import connection, transaction


def _lock_id(name: str) -> int:
    # The first 8 bytes of a digest, read as the signed bigint PostgreSQL's advisory locks take.
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def names_lock(*names: str) -> None:
    """Wait for, then hold until commit or rollback, an exclusive lock on each name.

    Must run inside a transaction. Locks are taken in one fixed order, so two callers
    asking for the same names in any order cannot deadlock.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("names_lock needs a transaction: the locks end with it")
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for lock_id in sorted({_lock_id(name) for name in names}):
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_id])
