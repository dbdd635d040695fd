from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from doluong.core import access
from doluong.core.roles import Role
from doluong.core.ui import ModelUI, Related, add_actions, add_menu_link, add_related, register
from doluong.instruments.models import Instrument, MeasurementStandard
from doluong.providers.models import VerificationOfficer
from doluong.records.filters import FILTER_FIELDS, RecordFilterSet
from doluong.records.forms import RECORD_FIELDS, ServiceRecordForm
from doluong.records.models import ServiceRecord
from doluong.records.presentation import detail_extra

register(ModelUI(
    model=ServiceRecord,
    list_columns=("certificate_number", "activity", "instrument", "provider", "performed_on", "result", "valid_until"),
    form_fields=RECORD_FIELDS,
    form_class=ServiceRecordForm,
    detail_fields=("provider", "instrument", "officer", "activity", "performed_on", "result", "certificate_number",
                   "stamp_number", "valid_until", "unit", "standards", "ambient_temperature", "ambient_humidity",
                   "ambient_pressure", "source", "notes"),
    detail_template="records/servicerecord_detail.html",
    extra_detail=detail_extra,
    filter_fields=FILTER_FIELDS,
    filterset_class=RecordFilterSet,
    select_related=("instrument", "instrument__kind", "provider"),
    ordering=("-performed_on", "-pk"),
    autocomplete_fields=("provider", "instrument", "unit"),
    menu_group="records",
))

_columns = ("certificate_number", "activity", "performed_on", "result", "valid_until")
add_related(Instrument, Related(_("Records"), ServiceRecord, "instrument", columns=(*_columns, "provider"),
                                select_related=("provider",), order_by=("-performed_on", "-pk")))
add_related(MeasurementStandard, Related(_("Records that used this standard"), ServiceRecord, "standards",
                                        columns=(*_columns, "instrument"), select_related=("instrument",),
                                        order_by=("-performed_on", "-pk")))
add_related(VerificationOfficer, Related(_("Records"), ServiceRecord, "officer", columns=_columns,
                                         order_by=("-performed_on",)))

add_menu_link("tools", _("Import a DCC"), "records_flow:dcc_import", roles=(Role.OFFICER, Role.PROVIDER))


def _record_here(request, obj):
    """On an instrument's page, for whoever may add records: a record of this instrument, pre-filled."""
    if access.can(request.user, ServiceRecord, "add"):
        return [(_("Record a verification or calibration"), reverse("records:servicerecord_add")
                 + f"?instrument={obj.pk}")]
    return []


def _recall(request, obj):
    return [(_("Records and instruments traced to this standard (recall list)"),
             reverse("records_flow:recall", args=[obj.pk]))]


add_actions(Instrument, _record_here)
add_actions(MeasurementStandard, _recall)
