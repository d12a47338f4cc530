"""Write many rows of a model in one statement, for ingestion's bulk writes."""

from django.db import connection


def rows_update(*, model, objects: list, fields: list[str]) -> None:
    """Write `fields` of many rows in one statement.

    On PostgreSQL this is one UPDATE … FROM (VALUES …): Django's bulk_update builds a
    CASE per field and row, which cost about 60 ms per 100 rows here, most of the
    batch. Elsewhere (the SQLite default) bulk_update is fine.
    """
    if connection.vendor != "postgresql":
        model.objects.bulk_update(objects, fields)
        return
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    pk = meta.pk
    quote = connection.ops.quote_name
    casts = [f"%s::{pk.db_type(connection)}"] + [f"%s::{field.db_type(connection)}" for field in columns]
    row_sql = "(" + ", ".join(casts) + ")"
    params: list = []
    for obj in objects:
        params.append(pk.get_db_prep_value(obj.pk, connection))
        for field in columns:
            params.append(field.get_db_prep_value(getattr(obj, field.attname), connection))
    assignments = ", ".join(f"{quote(field.column)} = v.{quote(field.column)}" for field in columns)
    names = ", ".join([quote(pk.column)] + [quote(field.column) for field in columns])
    sql = (
        f"UPDATE {quote(meta.db_table)} AS t SET {assignments} "  # noqa: S608 (names from model metadata; values are parameters)
        f"FROM (VALUES {', '.join([row_sql] * len(objects))}) AS v({names}) "
        f"WHERE t.{quote(pk.column)} = v.{quote(pk.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
