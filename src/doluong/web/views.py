"""Home page by role, search across registries, and the public certificate check."""


from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import render
from django.utils import timezone

from doluong.core import access
from doluong.core import ui as registry
from doluong.core.client_ip import client_ip
from doluong.core.roles import Role, role_of
from doluong.core.views import with_related
from doluong.instruments.models import Instrument
from doluong.records.models import ServiceRecord
from doluong.web.waiting import waiting_for

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
        "waiting": waiting_for(user, today),
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


CHECK_LIMIT_DEFAULT = 20  # lookups per client per minute (setting CERTIFICATE_CHECK_PER_MINUTE)


def _client_ip(request) -> str:
    """As axes sees it: X-Forwarded-For only from the proxies of DOLUONG_TRUSTED_PROXIES (core.client_ip)."""
    return client_ip(request) or "unknown"


def _over_limit(request) -> bool:
    """A fixed one-minute window per client address in the cache: True once the client passed the limit."""
    import time

    from django.conf import settings
    from django.core.cache import cache

    limit = getattr(settings, "CERTIFICATE_CHECK_PER_MINUTE", CHECK_LIMIT_DEFAULT)
    if not limit:
        return False
    key = f"certificate-check:{_client_ip(request)}:{int(time.time() // 60)}"
    cache.add(key, 0, timeout=61)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=61)
        count = 1
    return count > limit


def certificate_check(request):
    """Public: anyone can check a certificate or stamp number (also the target of QR codes).

    Each certificate found is described in words (``records.certificates.state_of``: current, expired,
    withdrawn, superseded…), never by colour alone; a number no provider issued is said to be not genuine.
    Shown: the certificate's own statement (instrument kind and serial, provider, dates, result), nothing
    private (no owner, contact, notes). Lookups are limited per client (CERTIFICATE_CHECK_PER_MINUTE)."""
    from django.utils.translation import gettext as _

    from doluong.records import certificates

    number = request.GET.get("number", "").strip()[:60]
    results = []
    if number:
        if _over_limit(request):
            return render(request, "web/certificate_check.html", {
                "number": number, "searched": False, "throttled": True,
                "throttle_message": _("Too many checks from your address: please wait a minute and try again."),
            }, status=429)
        found = list(certificates.lookup(number).select_related(
            "instrument", "instrument__kind", "provider", "superseded_by").order_by("-performed_on", "-pk")[:5])
        for record in found:
            cert = record.certificate or certificates.freeze(record, preview=True)
            results.append({"record": record, "cert": cert, "state": certificates.state_of(record),
                            "performed_on": certificates.as_date(cert.get("performed_on")),
                            "valid_until": certificates.as_date(cert.get("valid_until"))})
    return render(request, "web/certificate_check.html", {
        "number": number, "results": results, "searched": bool(number), "forged": _(certificates.FORGED),
    })
