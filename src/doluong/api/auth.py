"""``Authorization: Bearer <key>`` (or ``Token <key>``): the request acts as the token's owner."""

from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from doluong.api.models import ApiToken

KEYWORDS = (b"bearer", b"token")


class TokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Give the token after the word Bearer, without spaces."))
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("The token is not valid, or it has expired or been revoked.")) \
                from None
        token = ApiToken.for_key(key)
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("The token is not valid, or it has expired or been revoked."))
        token.touch()
        return token.user, token

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'
