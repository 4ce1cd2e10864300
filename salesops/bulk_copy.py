"""Bulk loading for the benchmarks: PostgreSQL COPY of model rows, without the ORM's per-row cost."""

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

    def copy(self, rows) -> int:
        quote = connection.ops.quote_name
        columns = ", ".join(quote(field.column) for field in self.fields)
        count = 0
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {quote(self.model._meta.db_table)} ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
                count += 1
        return count


def next_ids(model, count: int) -> list[int]:
    if count <= 0:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return sorted(row[0] for row in cursor.fetchall())
