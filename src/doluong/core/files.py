"""Uploaded files kept as evidence (a progress report's, a record's): which kinds, how big, and that the content
is what the name says. Models name these validators on their FileField (migrations refer to them here)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

EVIDENCE_MAX_BYTES = 20 * 1024 * 1024
EVIDENCE_EXTENSIONS = ("pdf", "docx", "xlsx", "jpg", "jpeg", "png")


def validate_evidence_size(file) -> None:
    if file.size > EVIDENCE_MAX_BYTES:
        raise ValidationError(_("The file is %(size).1f MB; files up to 20 MB are accepted.") % {
            "size": file.size / 1024 / 1024})


# First bytes of each accepted kind of file (docx and xlsx are ZIP containers).
_SIGNATURES = {
    "pdf": (b"%PDF",),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
}


def validate_evidence_content(file) -> None:
    """Refuse a file whose content does not match its extension (a renamed executable, say)."""
    ext = file.name.rsplit(".", 1)[-1].lower() if "." in file.name else ""
    signatures = _SIGNATURES.get(ext)
    if not signatures:
        return  # the extension validator explains this one
    pos = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    head = file.read(8)
    file.seek(pos)
    if not any(head.startswith(sig) for sig in signatures):
        raise ValidationError(_("The file's content is not a %(ext)s file as its name says.") % {
            "ext": ext.upper()})


