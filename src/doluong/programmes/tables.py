import django_tables2 as tables
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from doluong.programmes.models import Attendance, Training


class TrainingTable(tables.Table):
    """Trainings with their number of attendees, counted for the shown page in one query."""

    title = tables.Column(linkify=True)
    starts_on = tables.Column()
    ends_on = tables.Column()
    organizer = tables.Column()
    unit = tables.Column()
    on_enterprise_demand = tables.BooleanColumn()
    attendance_count = tables.Column(verbose_name=_("Attendees"), empty_values=(), orderable=False,
                                     attrs={"td": {"class": "text-end"}})

    class Meta:
        model = Training
        fields = ()
        sequence = ("title", "starts_on", "ends_on", "organizer", "unit", "on_enterprise_demand", "attendance_count")
        attrs = {"class": "table table-sm table-hover align-middle"}
        order_by = ("-starts_on",)

    _counts: dict | None = None

    def paginate(self, *args, **kwargs):
        super().paginate(*args, **kwargs)
        self._counts = self._count([row.record.pk for row in self.page.object_list])

    @staticmethod
    def _count(ids) -> dict[int, int]:
        rows = (Attendance.objects.filter(training_id__in=ids).order_by().values("training_id")
                .annotate(n=Count("pk")).values_list("training_id", "n"))
        return dict(rows)

    def render_attendance_count(self, record):
        if self._counts is None:  # not paginated: count everything shown
            self._counts = self._count([row.record.pk for row in self.rows])
        return self._counts.get(record.pk, 0)
