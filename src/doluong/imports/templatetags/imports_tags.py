"""``{% import_buttons %}``: Import / Export / Template buttons on a registry list page."""

from django import template

from doluong.core import access
from doluong.imports import spec as registry

register = template.Library()


@register.inclusion_tag("imports/_buttons.html", takes_context=True)
def import_buttons(context, model_ui):
    """``model_ui``: the list's ``core.ui.ModelUI`` (a model class would be called by the template engine)."""
    model = model_ui.model
    request = context.get("request")
    user = getattr(request, "user", None)
    spec = registry.for_model(model)
    if spec is None or user is None:
        return {"spec": None}
    params = request.GET.copy()
    for name in ("page", "per_page", "sort", "format"):
        params.pop(name, None)
    return {
        "spec": spec,
        "can_import": access.can(user, model, "add") or access.can(user, model, "change"),
        "can_export": access.can(user, model, "view"),
        "filters": params.urlencode(),
    }
