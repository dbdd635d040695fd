from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from doluong.core import access
from doluong.core.ui import ModelUI, Related, add_actions, add_related, register
from doluong.instruments.models import Instrument
from doluong.notices import views
from doluong.notices.forms import ServiceRequestForm
from doluong.notices.models import ServiceRequest
from doluong.orgs.models import Organization

register(ModelUI(
    model=ServiceRequest,
    list_columns=("enterprise", "provider", "activity", "status", "preferred_date", "created"),
    form_fields=("enterprise", "provider", "instruments", "activity", "message", "preferred_date"),
    detail_fields=("enterprise", "provider", "instruments", "activity", "message", "preferred_date", "status",
                   "answer", "answered_on", "created"),
    filter_fields=("status", "activity"),
    select_related=("enterprise", "provider"),
    ordering=("-created",),
    autocomplete_fields=("enterprise",),
    form_class=ServiceRequestForm,
    detail_template="notices/servicerequest_detail.html",
    extra_detail=views.request_extra,
    menu_group="records",
))


def _request_service(request, obj):
    """On an instrument's page, for its owner's users: ask a designated provider for service."""
    user = request.user
    if (access.owner_field(ServiceRequest, user) == "enterprise" and obj.owner_id == user.organization_id
            and access.can(user, ServiceRequest, "add")):
        return [(_("Request service"), reverse("notices_flow:request_new") + f"?instrument={obj.pk}")]
    return []


add_actions(Instrument, _request_service)
add_related(Instrument, Related(_("Service requests"), ServiceRequest, "instruments",
                                columns=("provider", "activity", "status", "created"), select_related=("provider",)))
add_related(Organization, Related(_("Service requests received"), ServiceRequest, "provider",
                                  columns=("enterprise", "activity", "status", "created"),
                                  select_related=("enterprise",)))
