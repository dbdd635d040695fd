import django_tables2 as tables
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html

from doluong.core.dates import due_status


class DueDateColumn(tables.DateColumn):
    """A due date (verification, calibration) coloured by status: overdue, due within 30 days, valid."""

    def render(self, value, record):
        if value is None:
            return "—"
        status = due_status(value, timezone.localdate())
        return format_html('<span class="status-{}">{}</span>', status, date_format(value, "d/m/Y"))
