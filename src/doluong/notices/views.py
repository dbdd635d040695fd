"""The notifications page, mark read, the "Request service" page and the provider's answer.

Thin views: objects are found through :func:`doluong.core.access.restrict` (a forbidden one is a 404) and the
writes are the services' (:mod:`doluong.notices.services`).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from doluong.core import access, writes
from doluong.core import ui as registry
from doluong.instruments.models import Instrument
from doluong.notices import services
from doluong.notices.forms import AnswerForm
from doluong.notices.models import Notification, RequestStatus, ServiceRequest
from doluong.orgs.models import Organization, OrganizationKind
from doluong.providers.models import Activity, DesignationScope
from doluong.providers.selectors import in_force_q

# --- notifications --------------------------------------------------------------------------------------

@login_required
def inbox(request):
    mine = Notification.objects.filter(recipient=request.user)
    shown = mine.filter(read_at__isnull=True) if request.GET.get("unread") else mine
    page = Paginator(shown.order_by("-created", "-pk"), 50).get_page(request.GET.get("page"))
    return render(request, "notices/inbox.html", {
        "page": page, "unread_only": bool(request.GET.get("unread")),
        "unread_count": mine.filter(read_at__isnull=True).count(),
    })


def _next(request, default: str) -> str:
    url = request.POST.get("next") or ""
    return url if url and url_has_allowed_host_and_scheme(url, {request.get_host()}) else default


@login_required
@require_POST
def mark_read(request, pk):
    notice = get_object_or_404(Notification, pk=pk, recipient=request.user)
    if notice.read_at is None:
        Notification.objects.filter(pk=notice.pk).update(read_at=timezone.now())
    if request.POST.get("open") and notice.url and url_has_allowed_host_and_scheme(notice.url, None):
        return HttpResponseRedirect(notice.url)
    return HttpResponseRedirect(_next(request, reverse("notices_flow:inbox")))


@login_required
@require_POST
def mark_all_read(request):
    n = Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(read_at=timezone.now())
    if n:
        messages.success(request, _("%(count)d notifications marked as read.") % {"count": n})
    return HttpResponseRedirect(_next(request, reverse("notices_flow:inbox")))


# --- service requests -----------------------------------------------------------------------------------

def covering_providers(kind_ids, on):
    """The providers whose designations in force on ``on`` cover every one of ``kind_ids`` (any activity),
    with the activities they cover for all of them: {provider id: {activities}}."""
    kind_ids = set(kind_ids)
    rows = DesignationScope.objects.filter(in_force_q(on, "designation__"), kind_id__in=kind_ids).values_list(
        "designation__provider_id", "kind_id", "activity").distinct()
    kinds: dict[int, dict[str, set]] = {}
    for provider, kind, activity in rows:
        kinds.setdefault(provider, {}).setdefault(activity, set()).add(kind)
    out = {}
    for provider, by_activity in kinds.items():
        full = {a for a, ks in by_activity.items() if ks >= kind_ids}
        if full:
            out[provider] = full
    return out


@login_required
def request_new(request):
    """The "Request service" page of an enterprise, from an instrument's page (``?instrument=<id>``): the
    provider chooser offers the providers whose designations cover the instrument's kind."""
    ui = registry.get(ServiceRequest)
    user = request.user
    if not access.can(user, ServiceRequest, "add") or access.owner_field(ServiceRequest, user) != "enterprise":
        raise Http404
    own = access.restrict(Instrument.objects.filter(owner_id=user.organization_id), user, "view")
    raw = request.GET.get("instrument", "")
    first = get_object_or_404(own.select_related("kind"), pk=int(raw)) if raw.isdigit() else None
    form = ui.form(data=request.POST or None, initial={"instruments": [first.pk]} if first else None)
    del form.fields["enterprise"]
    form.instance.enterprise_id = user.organization_id
    form.fields["instruments"].queryset = own.select_related("kind")
    if first is not None and request.method != "POST":
        offered = covering_providers([first.kind_id], timezone.localdate())
        labels = dict(Activity.choices)
        field = form.fields["provider"]
        field.queryset = Organization.objects.filter(pk__in=offered, kind=OrganizationKind.PROVIDER).order_by("name")
        field.label_from_instance = lambda o: "{} ({})".format(
            o.name, ", ".join(str(labels[a]).lower() for a in sorted(offered[o.pk])))
        if not offered:
            messages.warning(request, _("No provider has a designation in force covering %(kind)s today.")
                             % {"kind": first.kind})
    if request.method == "POST" and form.is_valid():
        obj = form.save(commit=False)
        obj.enterprise_id = user.organization_id
        try:
            writes.save(obj, user=user, via=writes.Via.FORM, m2m=form.save_m2m, exclude=["enterprise"])
        except writes.WriteRefused as exc:
            form.add_error(None, str(exc.args[0]) if exc.args else _("Refused."))
        except ValidationError as exc:
            for m in exc.messages:
                form.add_error(None, m)
        else:
            messages.success(request, _("The request was sent to %(provider)s.") % {"provider": obj.provider})
            return HttpResponseRedirect(obj.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(request, "notices/request_new.html", {"form": form, "ui": ui, "instrument": first},
                  status=status)


def request_extra(request, obj) -> dict:
    """The detail page's workflow card: the provider answers."""
    can = services.may_answer(request.user, obj)
    choices = services.TRANSITIONS.get(obj.status, ()) if can else ()
    return {"can_answer": can, "answer_choices": [(s.value, s.label) for s in choices],
            "answer_form": AnswerForm() if can else None}


@login_required
@require_POST
def request_answer(request, pk):
    obj = get_object_or_404(access.restrict(ServiceRequest.objects.all(), request.user, "view"), pk=pk)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an answer."))
        return HttpResponseRedirect(obj.get_absolute_url())
    status = form.cleaned_data["status"]
    try:
        services.answer(request_obj=obj, user=request.user, status=status, text=form.cleaned_data["text"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You may not do this."))
    else:
        messages.success(request, _("The request is now %(status)s; the enterprise is notified.")
                         % {"status": str(RequestStatus(status).label).lower()})
    return HttpResponseRedirect(obj.get_absolute_url())
