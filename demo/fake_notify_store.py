"""Where the fake GC Notify keeps what it received: SQLite, in memory or in a file other processes can read."""

import json
import sqlite3
import threading
from collections.abc import Callable, Iterable

_SCHEMA = """
CREATE TABLE IF NOT EXISTS message (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT UNIQUE NOT NULL,
    type TEXT NOT NULL,
    reference TEXT,
    email_address TEXT,
    phone_number TEXT,
    template_id TEXT NOT NULL,
    personalisation TEXT NOT NULL,
    subject TEXT,
    body TEXT NOT NULL,
    html TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS message_reference ON message (reference);
CREATE TABLE IF NOT EXISTS failure (one INTEGER PRIMARY KEY CHECK (one = 1), status INTEGER, count INTEGER, delay REAL);
"""

_COLUMNS = (
    "id",
    "type",
    "reference",
    "email_address",
    "phone_number",
    "template_id",
    "personalisation",
    "subject",
    "body",
    "html",
    "created_at",
)


class FakeNotifyStore:
    """What the fake received, in SQLite (memory or a file shared with other processes)."""

    def __init__(self, db_path: str | None = None):
        self.db_path = db_path
        self._lock = threading.Lock()
        self._memory = None
        if db_path is None:
            self._memory = sqlite3.connect(":memory:", check_same_thread=False)
            self._memory.executescript(_SCHEMA)
        else:
            with self._connect() as connection:
                connection.execute("PRAGMA journal_mode=WAL")
                connection.executescript(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        if self._memory is not None:
            return self._memory
        return sqlite3.connect(self.db_path, timeout=30)

    def _run(self, work: Callable[[sqlite3.Connection], object]):
        with self._lock:
            connection = self._connect()
            try:
                with connection:  # one transaction
                    return work(connection)
            finally:
                if connection is not self._memory:
                    connection.close()

    def add(self, message: dict) -> None:
        values = [json.dumps(message[c]) if c == "personalisation" else message[c] for c in _COLUMNS]
        placeholders = ", ".join("?" for _ in _COLUMNS)
        self._run(
            lambda db: db.execute(f"INSERT INTO message ({', '.join(_COLUMNS)}) VALUES ({placeholders})", values)  # noqa: S608
        )

    def _select(self, where: str = "", parameters: Iterable = ()) -> list[dict]:
        sql = f"SELECT {', '.join(_COLUMNS)} FROM message {where} ORDER BY seq"  # noqa: S608
        rows = self._run(lambda db: db.execute(sql, tuple(parameters)).fetchall())
        messages = []
        for row in rows:
            message = dict(zip(_COLUMNS, row, strict=True))
            message["personalisation"] = json.loads(message["personalisation"])
            messages.append(message)
        return messages

    def messages(self) -> list[dict]:
        """Every message received, oldest first."""
        return self._select()

    def by_reference(self, reference: str) -> list[dict]:
        return self._select("WHERE reference = ?", [reference])

    def by_id(self, message_id: str) -> dict | None:
        found = self._select("WHERE id = ?", [message_id])
        return found[0] if found else None

    def reset(self) -> None:
        self._run(lambda db: (db.execute("DELETE FROM message"), db.execute("DELETE FROM failure")))

    def fail_next(self, *, status: int, count: int, delay: float = 0.0) -> None:
        """Make the next `count` sends answer `status` after `delay` seconds."""
        self._run(
            lambda db: db.execute(
                "INSERT OR REPLACE INTO failure (one, status, count, delay) VALUES (1, ?, ?, ?)",
                (status, count, delay),
            )
        )

    def take_failure(self) -> tuple[int, float] | None:
        """Use up one planned failure, if any: (status, delay)."""

        def work(db):
            row = db.execute("SELECT status, count, delay FROM failure WHERE one = 1").fetchone()
            if row is None or row[1] <= 0:
                return None
            db.execute("UPDATE failure SET count = count - 1 WHERE one = 1")
            return row[0], row[2] or 0.0

        return self._run(work)
