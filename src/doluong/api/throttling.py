"""Rate limits for systems signed in with a token (people using their session are not throttled).

The rates are read from ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` at each request (settings:
``DOLUONG_API_RATE``, ``DOLUONG_API_BULK_RATE``); counts are kept in the default cache, per token.
"""

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from doluong.api.models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    scope = "token"

    def get_rate(self):  # read per request (not at import), so that a changed setting applies
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class BulkRateThrottle(TokenRateThrottle):
    scope = "token_bulk"
