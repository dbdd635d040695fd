"""``/healthz``: database and worker liveness as JSON, for load balancers and monitoring.

No sign-in, no language or session handling, no caching. ``SECURE_REDIRECT_EXEMPT`` (settings) lets a
plain-HTTP probe through when production redirects everything else to HTTPS.
"""

from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from doluong.ops import health


@never_cache
@require_safe
def healthz(request):
    status, body = health.report()
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
