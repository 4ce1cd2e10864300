"""Bulk loading for the benchmarks: model rows without the ORM's per-row cost.

PostgreSQL gets COPY; SQLite (`make run`'s database) gets one prepared INSERT run with executemany,
which is what SQLite itself does fastest."""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models


class ModelCopier:
    """COPY rows of one model: a template row from the model's own defaults, a few columns varied."""

    def __init__(self, model_class, /, *, with_pk: bool = True, **constant):
        self.model = model_class
        obj = model_class(**constant)
        self.fields = [f for f in model_class._meta.concrete_fields if with_pk or not f.primary_key]
        self.index = {f.attname: i for i, f in enumerate(self.fields)}
        self.json = {f.attname for f in self.fields if isinstance(f, models.JSONField)}
        self.template = [self._prepare(f, f.pre_save(obj, add=True)) for f in self.fields]

    def _prepare(self, field, value):
        if value is None:
            return None
        if isinstance(field, models.JSONField):
            return json.dumps(value, cls=DjangoJSONEncoder)
        return field.get_db_prep_save(value, connection)

    def row(self, **values) -> list:
        row = list(self.template)
        for attname, value in values.items():
            if attname in self.json and value is not None:
                value = json.dumps(value, cls=DjangoJSONEncoder)
            row[self.index[attname]] = value
        return row

    def copy(self, rows, *, numbered_by_database: bool = False) -> int:
        """Insert `rows`; with `numbered_by_database` their primary key is left out and the database numbers them."""
        keep = [i for i, f in enumerate(self.fields) if not (numbered_by_database and f.primary_key)]
        quote = connection.ops.quote_name
        columns = ", ".join(quote(self.fields[i].column) for i in keep)
        table = quote(self.model._meta.db_table)
        if connection.vendor != "postgresql":
            values = [[row[i] for i in keep] for row in rows]
            placeholders = ", ".join(["%s"] * len(keep))
            with connection.cursor() as cursor:
                # Identifiers come from the model; every value is a parameter.
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", values)  # noqa: S608
            return len(values)
        count = 0
        with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[i] for i in keep])
                count += 1
        return count


_reserved_up_to: dict[str, int] = {}


def next_ids(model, count: int) -> list[int]:
    """`count` primary keys nobody else will take: from the sequence on PostgreSQL; on SQLite, above the
    table's largest id and above what this process reserved before (a benchmark is the only writer)."""
    if count <= 0:
        return []
    if connection.vendor != "postgresql":
        quote = connection.ops.quote_name
        table, key = quote(model._meta.db_table), quote(model._meta.pk.column)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(MAX({key}), 0) FROM {table}")  # noqa: S608  (identifiers from the model)
            start = max(cursor.fetchone()[0], _reserved_up_to.get(table, 0)) + 1
        _reserved_up_to[table] = start + count - 1
        return list(range(start, start + count))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return sorted(row[0] for row in cursor.fetchall())
