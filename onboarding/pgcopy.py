"""PostgreSQL COPY, for the bulk writes of enrolling (and the bench that measures them).

COPY is several times faster than INSERT for the rows of a large import (see
docs/enrollment.md, "Performance"). Every table and column name comes from the models'
``_meta``; the callers check ``connection.vendor`` and use the ORM elsewhere.
"""

from collections.abc import Iterable, Sequence

from django.db import connection

NULL = "\\N"  # COPY's text format for NULL


def table(model) -> str:
    """The model's table, quoted for SQL."""
    return connection.ops.quote_name(model._meta.db_table)


def column(model, field: str) -> str:
    """The quoted column of a field, named by its name or attname (``user`` or ``user_id``)."""
    return connection.ops.quote_name(model._meta.get_field(field).column)


def _columns(model, fields: Sequence[str]) -> str:
    return ", ".join(column(model, f) for f in fields)


def text(value: str) -> str:
    """A text value escaped for COPY's text format."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        value = (
            value.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return value


def reserve_ids(model, count: int) -> list[int]:
    """``count`` ids from the table's sequence, so rows can be COPYed with their ids known."""
    meta = model._meta
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table(model), meta.pk.column, count],
        )
        return [pk for (pk,) in cursor.fetchall()]


def copy_text(model, fields: Sequence[str], data: str) -> None:
    """COPY rows already rendered in the text format (tab-separated, one per line)."""
    with connection.cursor() as cursor:
        sql = f"COPY {table(model)} ({_columns(model, fields)}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            copy.write(data)


def copy_rows(model, fields: Sequence[str], rows: Iterable[Sequence]) -> None:
    """COPY rows of Python values (psycopg adapts them), one tuple per row."""
    with connection.cursor() as cursor:
        sql = f"COPY {table(model)} ({_columns(model, fields)}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)


def copy_out(model) -> bytes:
    """Every row of the model's table in COPY's text format (all columns, table order)."""
    chunks = []
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table(model)} TO STDOUT") as copy:
            chunks.extend(bytes(chunk) for chunk in copy)
    return b"".join(chunks)


def copy_in(table_name: str, data: bytes) -> None:
    """COPY ``data`` (as :func:`copy_out` gives it) into a table of the same shape."""
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {connection.ops.quote_name(table_name)} FROM STDIN") as copy:
            copy.write(data)
