from django.utils.translation import gettext_lazy as _

from doluong.core.ui import ModelUI, Related, add_related, register
from doluong.instruments.filters import InstrumentFilterSet, StandardFilterSet
from doluong.instruments.models import Instrument, InstrumentKind, MeasurementStandard, MetrologyField
from doluong.instruments.tables import DueDateColumn
from doluong.orgs.models import Organization

register(ModelUI(
    model=Instrument,
    list_columns=("serial_number", "kind", "owner", "accuracy_class", "unit", "status", "verification_due_on"),
    form_fields=("owner", "kind", "serial_number", "manufacturer", "model_name", "measuring_range", "range_max",
                 "accuracy_class", "location", "unit", "status", "notes"),
    detail_fields=("owner", "kind", "serial_number", "manufacturer", "model_name", "measuring_range", "range_max",
                   "accuracy_class", "location", "unit", "status", "last_verified_on", "verification_due_on", "notes"),
    filterset_class=InstrumentFilterSet,
    column_classes={"verification_due_on": DueDateColumn},
    select_related=("kind", "owner", "unit", "unit__province"),
    ordering=("kind__name", "serial_number"),
    autocomplete_fields=("owner", "unit"),
    menu_group="registry",
))

register(ModelUI(
    model=InstrumentKind,
    list_columns=("name", "code", "field", "is_group2", "verification_interval_months", "valid_from", "valid_to"),
    form_fields=("code", "name", "field", "is_group2", "verification_method", "verification_interval_months",
                 "mpe_rule", "legal_basis", "valid_from", "valid_to"),
    filter_fields=("field", "is_group2"),
    select_related=("field",),
    ordering=("field__order", "name"),
    related=(Related(_("Instruments"), Instrument, "kind", columns=("serial_number", "owner", "verification_due_on"),
                     select_related=("owner", "kind")),),
    menu_group="registry",
))

register(ModelUI(
    model=MetrologyField,
    list_columns=("name", "code", "name_en", "order"),
    form_fields=("code", "name", "name_en", "order"),
    ordering=("order",),
    related=(Related(_("Instrument kinds"), InstrumentKind, "field", columns=("name", "code", "is_group2")),),
    menu_group="registry",
))

register(ModelUI(
    model=MeasurementStandard,
    list_columns=("name", "owner", "field", "level", "is_reference_material", "calibration_due_on"),
    form_fields=("owner", "name", "field", "kind", "is_reference_material", "level", "serial_number", "manufacturer",
                 "measuring_range", "accuracy", "calibrated_by", "traced_to", "calibration_certificate",
                 "calibrated_on", "calibration_due_on"),
    filter_fields=("field", "level", "is_reference_material"),
    filterset_class=StandardFilterSet,
    column_classes={"calibration_due_on": DueDateColumn},
    select_related=("owner", "field"),
    ordering=("field__order", "name"),
    autocomplete_fields=("owner", "calibrated_by", "traced_to"),
    related=(Related(_("Standards traced to this one"), MeasurementStandard, "traced_to",
                     columns=("name", "owner", "level"), select_related=("owner",)),),
    menu_group="registry",
))

add_related(Organization, Related(_("Instruments"), Instrument, "owner",
                                  columns=("serial_number", "kind", "verification_due_on"), select_related=("kind",)))
add_related(Organization, Related(_("Measurement standards"), MeasurementStandard, "owner",
                                  columns=("name", "field", "level"), select_related=("field",)))
