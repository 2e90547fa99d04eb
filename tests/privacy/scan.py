"""Looks for identifiers in every column of every table (found by introspection) and in every stored file."""

import json

from django.core.files.storage import default_storage
from django.db import connection


def _texts(value):
    if isinstance(value, memoryview):
        value = value.tobytes()
    if isinstance(value, bytes):
        yield value.decode("utf-8", "ignore")
    elif isinstance(value, str):
        yield value
    elif isinstance(value, dict | list):  # json/jsonb columns as PostgreSQL's driver returns them
        yield json.dumps(value, ensure_ascii=False)


def database_hits(identifiers) -> list[str]:
    """'table.column: identifier' for every stored value holding one of the identifiers (case-insensitive)."""
    needles = [identifier.lower() for identifier in identifiers]
    hits = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            columns = [column[0] for column in cursor.description]
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    for text in _texts(value):
                        lowered = text.lower()
                        hits.extend(f"{table}.{column}: {needle}" for needle in needles if needle in lowered)
    return hits


def _walk(storage, folder=""):
    folders, files = storage.listdir(folder)
    for name in files:
        yield f"{folder}/{name}" if folder else name
    for name in folders:
        yield from _walk(storage, f"{folder}/{name}" if folder else name)


def storage_hits(identifiers) -> list[str]:
    """'path: identifier' for every stored file whose name or bytes hold one of the identifiers."""
    needles = [identifier.lower() for identifier in identifiers]
    hits = []
    for path in _walk(default_storage):
        with default_storage.open(path, "rb") as stored:
            text = (path + "\n" + stored.read().decode("utf-8", "ignore")).lower()
        hits.extend(f"{path}: {needle}" for needle in needles if needle in text)
    return hits


def stored_paths() -> set[str]:
    return set(_walk(default_storage))
