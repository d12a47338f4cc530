"""Drop a table's secondary indexes and constraints before a bulk load and rebuild them after, from the catalog."""


def secondary_indexes_drop(cursor, *, tables: list[str]) -> list[str]:
    """Drop every index and constraint but the primary key and checks; return the SQL that restores them.

    Definitions come from the catalog, so what is rebuilt is exactly what the
    migrations made. Everything runs inside the load's transaction: a failed
    load leaves the schema untouched.
    """
    restore_constraints: list[str] = []
    restore_indexes: list[str] = []
    cursor.execute(
        """
        SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), contype
        FROM pg_constraint
        WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('f', 'u')
        ORDER BY contype = 'f' DESC
        """,
        [tables],
    )
    for table, name, definition, kind in cursor.fetchall():
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        statement = f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
        # Unique constraints first, foreign keys last, on the way back.
        restore_constraints.insert(0, statement) if kind == "u" else restore_constraints.append(statement)
    cursor.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
        FROM pg_index i
        WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary
        """,
        [tables],
    )
    for name, definition in cursor.fetchall():
        cursor.execute(f"DROP INDEX {name}")
        restore_indexes.append(definition)
    return restore_indexes + restore_constraints


def secondary_indexes_restore(cursor, statements: list[str]) -> None:
    for statement in statements:
        cursor.execute(statement)
