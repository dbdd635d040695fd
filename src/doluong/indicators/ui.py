from django.utils.translation import gettext_lazy as _

from doluong.core.ui import ModelUI, Related, register
from doluong.indicators.models import Indicator, ManualValue, Target

register(ModelUI(
    model=Indicator,
    list_columns=("code", "name", "unit", "computation", "is_operational"),
    form_fields=("code", "name", "unit", "computation", "description", "is_operational", "order"),
    ordering=("order", "code"),
    related=(Related(_("Targets"), Target, "indicator", columns=("plan", "milestone", "value"),
                     select_related=("plan", "indicator")),
             Related(_("Manual values"), ManualValue, "indicator", columns=("as_of", "value", "evidence"),
                     select_related=("indicator",))),
    menu_group="plan",
))

register(ModelUI(
    model=Target,
    list_columns=("indicator", "plan", "milestone", "value", "label"),
    form_fields=("plan", "indicator", "milestone", "value", "conditions", "label"),
    select_related=("indicator", "plan"),
    ordering=("plan", "indicator__order", "milestone"),
    filter_fields=("plan", "indicator"),
    menu_group="plan",
))

register(ModelUI(
    model=ManualValue,
    list_columns=("indicator", "as_of", "value", "unit", "evidence"),
    form_fields=("indicator", "as_of", "value", "unit", "evidence", "evidence_file"),
    select_related=("indicator", "unit", "unit__province"),
    ordering=("indicator", "-as_of"),
    autocomplete_fields=("unit",),
))
