"""Home page by role, search across registries, and the public certificate check."""


from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import render
from django.utils import timezone

from doluong.core import access
from doluong.core import ui as registry
from doluong.core.roles import Role, role_of
from doluong.core.views import with_related
from doluong.instruments.models import Instrument
from doluong.records.models import ServiceRecord

SEARCH_LIMIT = 8


@login_required
def home(request):
    user = request.user
    role = role_of(user)
    today = timezone.localdate()
    instruments = access.restrict(Instrument.objects.all(), user, "view")
    records = access.restrict(ServiceRecord.objects.all(), user, "view")
    ctx = {
        "role": role,
        "today": today,
        "overdue_count": instruments.overdue(today).count(),
        "due_count": instruments.due_within(30, today).count(),
        "instrument_count": instruments.count(),
        "records_this_year": records.filter(performed_on__year=today.year).count(),
        "recent_records": records.select_related("instrument", "instrument__kind", "provider")[:8],
        "due_soon": (instruments.due_within(30, today).select_related("kind", "owner")
                     .order_by("verification_due_on")[:8]),
    }
    if role in (Role.OFFICER, Role.LEADER, Role.AGENCY):
        ctx["by_field"] = (records.filter(performed_on__year=today.year)
                           .values("instrument__kind__field__name").annotate(n=Count("id")).order_by("-n"))
    if role in (Role.PROVIDER, Role.ENTERPRISE):
        ctx["organization"] = user.organization
    return render(request, "web/home.html", ctx)


@login_required
def search(request):
    q = request.GET.get("q", "").strip()
    groups = []
    if q:
        for ui in registry.all_registered():
            if not ui.menu_group or not access.can(request.user, ui.model, "view"):
                continue
            qs = with_related(access.restrict(ui.model.objects.all(), request.user, "view"), ui.select_related)
            hits = list(qs.search(q).order_by(*ui.ordering)[: SEARCH_LIMIT + 1])
            if hits:
                groups.append({"ui": ui, "hits": hits[:SEARCH_LIMIT], "more": len(hits) > SEARCH_LIMIT})
    return render(request, "web/search.html", {"q": q, "groups": groups})


def certificate_check(request):
    """Public: anyone can check a certificate or stamp number (also the target of QR codes)."""
    number = request.GET.get("number", "").strip()
    found = None
    if number:
        found = (ServiceRecord.objects.filter(certificate_number__iexact=number)
                 | ServiceRecord.objects.filter(stamp_number__iexact=number))
        found = list(found.select_related("instrument", "instrument__kind", "provider")[:5])
    return render(request, "web/certificate_check.html", {
        "number": number, "found": found, "today": timezone.localdate(), "searched": bool(number),
    })


