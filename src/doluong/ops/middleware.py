"""One log record per request (logger ``doluong.request``): method, path, status, duration, ids.

Placed after ``core.middleware.ChangeContextMiddleware`` (which gives the request its id) so that
every line logged while serving the request carries the same ``request_id``. Requests are logged at
INFO (``/healthz`` at DEBUG, not to flood the log with probes); Django itself logs 4xx and 5xx responses
again, with details, on ``django.request``.
"""

import logging
import time

from doluong.ops.logging import _user_id, current_request_id

log = logging.getLogger("doluong.request")


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        rid = getattr(request, "id", None)
        token = current_request_id.set(str(rid) if rid is not None else None)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        status = response.status_code
        level = logging.DEBUG if request.path_info == "/healthz" else logging.INFO
        if log.isEnabledFor(level):
            duration = round((time.perf_counter() - started) * 1000, 1)
            log.log(level, "%s %s %s %sms", request.method, request.path, status, duration, extra={
                "request_id": str(rid) if rid is not None else None, "method": request.method,
                "path": request.path, "status": status, "duration_ms": duration, "user_id": _user_id(request)})
        return response
