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


_sequences: dict[str, str] = {}  # table -> its id sequence, looked up once per process


def reserve_ids(model, count: int) -> list[int]:
    """``count`` ids from the table's sequence, so rows can be COPYed with their ids known.

    The sequence is looked up once, not once per id: ``nextval(pg_get_serial_sequence(…))``
    evaluates the catalog lookup for every row of the series, 8x the cost of the nextval."""
    with connection.cursor() as cursor:
        name = table(model)
        if name not in _sequences:
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [name, model._meta.pk.column])
            (_sequences[name],) = cursor.fetchone()
        cursor.execute(
            "SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [_sequences[name], count]
        )
        return [pk for (pk,) in cursor.fetchall()]


LINES_PER_WRITE = 500


def copy_text(model, fields: Sequence[str], lines: Iterable[str]) -> None:
    """COPY rows rendered in the text format (tab-separated), one string per row ending in a
    newline (or several rows per string).

    The rows are sent as they come, some hundreds at a time, so the database is already
    writing the first while the caller renders the next (``lines`` may be a generator)."""
    with connection.cursor() as cursor:
        sql = f"COPY {table(model)} ({_columns(model, fields)}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            chunk: list[str] = []
            for line in lines:
                chunk.append(line)
                if len(chunk) >= LINES_PER_WRITE:
                    copy.write("".join(chunk))
                    chunk.clear()
            if chunk:
                copy.write("".join(chunk))


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
