"""The logged state of an object: every concrete field by attname, as JSON-safe values."""

import datetime as dt
import uuid
from decimal import Decimal

from django.db.models.fields.files import FieldFile


def to_json(value):
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or None
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    return value


def snapshot(instance) -> dict:
    """The logged state of an instance: every concrete field by attribute name, JSON-safe."""
    skip = getattr(instance, "changelog_exclude", ())
    return {
        f.attname: to_json(f.value_from_object(instance))
        for f in instance._meta.concrete_fields
        if f.attname not in skip
    }
