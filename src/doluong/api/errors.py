"""Errors as the web forms give them: a refused write is 403 with the write path's reason, a model's
validation error is 400 with ``{field: [messages]}`` (``non_field_errors`` for the others)."""

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rest_framework import status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_handler

NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY


def error_dict(exc: ValidationError, fields=None) -> dict:
    """A Django ValidationError as ``{field: [messages]}``; names not among ``fields`` go to ``non_field_errors``."""
    if not hasattr(exc, "error_dict"):
        return {NON_FIELD: list(exc.messages)}
    out: dict[str, list] = {}
    for name, errors in exc.error_dict.items():
        key = name if name != NON_FIELD_ERRORS and (fields is None or name in fields) else NON_FIELD
        for e in errors:
            out.setdefault(key, []).extend(ValidationError(e).messages)
    return out


def protected_message(name: str, exc) -> str:
    blocking = list(exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects)
    return ngettext(
        "%(name)s cannot be deleted: %(count)d other object refers to it (%(example)s).",
        "%(name)s cannot be deleted: %(count)d other objects refer to it (for example %(example)s).",
        len(blocking)) % {"name": name, "count": len(blocking), "example": blocking[0] if blocking else ""}


def exception_handler(exc, context):
    if isinstance(exc, ValidationError):
        return Response(error_dict(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, PermissionDenied) and exc.args and exc.args[0]:
        return Response({"detail": str(exc.args[0])}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, ProtectedError | RestrictedError):
        return Response({"detail": protected_message(_("This object"), exc)}, status=status.HTTP_409_CONFLICT)
    return drf_handler(exc, context)
