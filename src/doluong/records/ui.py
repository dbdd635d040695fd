from django.utils.translation import gettext_lazy as _

from doluong.core.roles import Role
from doluong.core.ui import ModelUI, Related, add_menu_link, add_related, register
from doluong.instruments.models import Instrument
from doluong.providers.models import VerificationOfficer
from doluong.records.forms import RECORD_FIELDS, ServiceRecordForm
from doluong.records.models import ServiceRecord
from doluong.records.presentation import detail_extra

register(ModelUI(
    model=ServiceRecord,
    list_columns=("certificate_number", "activity", "instrument", "provider", "performed_on", "result", "valid_until"),
    form_fields=RECORD_FIELDS,
    form_class=ServiceRecordForm,
    detail_fields=("provider", "instrument", "officer", "activity", "performed_on", "result", "certificate_number",
                   "stamp_number", "valid_until", "unit", "source", "notes"),
    detail_template="records/servicerecord_detail.html",
    extra_detail=detail_extra,
    filter_fields=("activity", "result", "instrument__kind__field", "source"),
    select_related=("instrument", "instrument__kind", "provider"),
    ordering=("-performed_on", "-pk"),
    autocomplete_fields=("provider", "instrument", "unit"),
    menu_group="records",
))

_columns = ("certificate_number", "activity", "performed_on", "result", "valid_until")
add_related(Instrument, Related(_("Records"), ServiceRecord, "instrument", columns=(*_columns, "provider"),
                                select_related=("provider",), order_by=("-performed_on", "-pk")))
add_related(VerificationOfficer, Related(_("Records"), ServiceRecord, "officer", columns=_columns,
                                         order_by=("-performed_on",)))

add_menu_link("tools", _("Import a DCC"), "records_flow:dcc_import", roles=(Role.OFFICER, Role.PROVIDER))
