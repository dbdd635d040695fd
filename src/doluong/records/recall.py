"""Reverse traceability: the records that used a measurement standard and the instruments they certified.

When a standard is found out of tolerance (at its next calibration, say), every result it gave since its last
good calibration is in doubt: :func:`records_of` lists those records (restricted to what the user may see),
:func:`summary` counts them and the instruments and owners concerned, and :func:`workbook` is the recall list
as XLSX, one row per record with its instrument, owner and certificate state.
"""

import io

from django import forms
from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from doluong.core import access
from doluong.core.forms import DateInput
from doluong.records.certificates import state_of
from doluong.records.models import ServiceRecord

PAGE = 200  # rows shown on the page; the workbook has them all


class RecallForm(forms.Form):
    since = forms.DateField(label=gettext_lazy("Records from"), required=False, widget=DateInput(),
                            help_text=gettext_lazy("e.g. the date of the standard's last good calibration"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["since"].widget.attrs["class"] = "form-control"


def records_of(standard, user, *, since=None):
    """The records naming ``standard`` that ``user`` may see, newest first (a QuerySet)."""
    qs = access.restrict(ServiceRecord.objects.filter(standards=standard), user, "view")
    if since is not None:
        qs = qs.filter(performed_on__gte=since)
    return qs.select_related("instrument", "instrument__kind", "instrument__owner", "provider",
                              "superseded_by").order_by(
        "-performed_on", "-pk")


def summary(records) -> dict:
    counts = records.order_by().aggregate(records=Count("pk", distinct=True),
                                          instruments=Count("instrument", distinct=True),
                                          owners=Count("instrument__owner", distinct=True))
    return counts


def rows(records) -> list[dict]:
    out = []
    for r in records:
        state = state_of(r) if r.certificate_number else None
        i = r.instrument
        out.append({
            "record": r, "instrument": i, "owner": i.owner, "kind": i.kind.name, "serial": i.serial_number,
            "state": state.text if state else "", "tone": state.tone if state else "secondary",
        })
    return out


HEADERS = (
    ("performed_on", "Ngày thực hiện", "Date"),
    ("activity", "Hoạt động", "Activity"),
    ("certificate", "Số giấy chứng nhận", "Certificate number"),
    ("result", "Kết quả", "Result"),
    ("valid_until", "Hiệu lực đến", "Valid until"),
    ("state", "Tình trạng giấy chứng nhận", "Certificate state"),
    ("kind", "Loại phương tiện đo", "Instrument kind"),
    ("serial", "Số sản xuất", "Serial number"),
    ("owner", "Chủ sở hữu", "Owner"),
    ("owner_address", "Địa chỉ chủ sở hữu", "Owner's address"),
    ("provider", "Tổ chức thực hiện", "Provider"),
)


def workbook(standard, records) -> bytes:
    """The recall list as XLSX (the records read in chunks)."""
    import xlsxwriter
    from django.utils.translation import get_language

    vi = (get_language() or "vi").startswith("vi")
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False})
    sheet = book.add_worksheet(_("Recall list")[:31])
    bold = book.add_format({"bold": True})
    day = book.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write(0, 0, f"{_('Measurement standard')}: {standard}", bold)
    sheet.write(1, 0, f"{_('Owner')}: {standard.owner}")
    for c, (_key, vi_label, en_label) in enumerate(HEADERS):
        sheet.write(3, c, vi_label if vi else en_label, bold)
    row_no = 4
    for r in records.iterator(chunk_size=2000):
        i = r.instrument
        state = state_of(r) if r.certificate_number else None
        values = (r.performed_on, r.get_activity_display(), r.certificate_number, r.get_result_display(),
                  r.valid_until, state.text if state else "", i.kind.name, i.serial_number, i.owner.name,
                  i.owner.address, r.provider.name)
        for c, v in enumerate(values):
            if hasattr(v, "year"):
                sheet.write_datetime(row_no, c, v, day)
            else:
                sheet.write(row_no, c, v)
        row_no += 1
    sheet.autofilter(3, 0, max(row_no - 1, 3), len(HEADERS) - 1)
    sheet.freeze_panes(4, 0)
    for c, width in enumerate((12, 14, 18, 10, 12, 34, 24, 16, 30, 36, 30)):
        sheet.set_column(c, c, width)
    book.close()
    return out.getvalue()
