"""Import batches in the change history: a change made by an import names the file and links its batch."""

from django.urls import reverse
from django.utils.translation import gettext as _

from doluong.core.history import describe_request


@describe_request
def import_batches(request_ids, user=None) -> dict:
    """Batch uuid → ("Nhập tệp <file name>", batch page URL), for the batches the reader may open.

    Batches the reader may not open are left out (the file name is theirs), so the row reads just
    "created by bulk import".
    """
    from doluong.imports.models import ImportBatch
    from doluong.imports.views import visible_batches

    batches = list(ImportBatch.objects.filter(uuid__in=request_ids).only("pk", "uuid", "file_name"))
    if not batches:
        return {}
    visible = set()
    if user is not None and getattr(user, "is_authenticated", False):
        visible = set(visible_batches(user).filter(pk__in=[b.pk for b in batches]).values_list("pk", flat=True))
    return {b.uuid: (_("Import of file %(name)s") % {"name": b.file_name}, reverse("imports:batch", args=[b.pk]))
            for b in batches if b.pk in visible}
