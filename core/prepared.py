"""Queries the pages run on every view, prepared once per database connection (PostgreSQL).

PostgreSQL plans a query each time it is sent: for the status page's enquiries (a
three-part UNION of a dozen joins) that was 8 ms of the database's CPU for a query that
runs in a tenth of a millisecond. A statement prepared with PREPARE is planned again only
while PostgreSQL finds a custom plan cheaper; after a few runs it reuses a generic plan.
PREPARE survives a rollback, lasts as long as the connection, and PostgreSQL re-plans by
itself when a table the statement reads changes. A pooler that resets sessions
(DISCARD ALL) would need this turned off; none is used.
"""

import re
import weakref

from django.db import connection

# Per database connection (the driver's, so a reconnection starts afresh): the names prepared on it.
_PREPARED: "weakref.WeakKeyDictionary[object, set[str]]" = weakref.WeakKeyDictionary()
_PLACEHOLDER = re.compile(r"%([s%])")


def prepared(*, name: str, sql: str) -> str:
    """EXECUTE of `sql` (with %s parameters), prepared as `name` on this connection; run it with the same parameters.

    `name` must be a plain identifier, the same for the same SQL in a process.
    """
    connection.ensure_connection()
    names = _PREPARED.setdefault(connection.connection, set())
    count = sql.count("%s")
    if name not in names:
        numbers = iter(range(1, count + 1))
        body = _PLACEHOLDER.sub(lambda match: f"${next(numbers)}" if match[1] == "s" else "%", sql)
        # On the driver's own cursor, like the settings Django sends when it connects: per-connection
        # set-up, not one of the page's queries (the query counts stay the same whichever runs first).
        with connection.wrap_database_errors, connection.connection.cursor() as cursor:
            cursor.execute(f"PREPARE {name} AS {body}")
        names.add(name)
    return f"EXECUTE {name}({', '.join(['%s'] * count)})" if count else f"EXECUTE {name}"
