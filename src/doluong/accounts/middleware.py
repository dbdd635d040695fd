"""Two middlewares after django-otp's OTPMiddleware (settings.MIDDLEWARE).

``SecondFactorMiddleware``: a signed-in user who has a second factor but whose session is not verified
is sent to the code page; an officer, leader or administrator without one, where ``DOLUONG_REQUIRE_2FA``
is on, is sent to set one up. Exempt: sign-out, static files, the public certificate check, ``/healthz``,
the language switch and the API (its own token authentication).

``IdleTimeoutMiddleware``: signs out a session left idle for ``DOLUONG_IDLE_MINUTES`` (0: never).
The time of the last request is kept in the session, rewritten at most once a minute.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from doluong.accounts import policy

# session keys
DEVICE_STATE = "accounts_2fa"  # "device" | "none": whether the user had a second factor when signing in
LAST_ACTIVITY = "accounts_last_activity"
ACTIVITY_RESOLUTION = 60  # seconds: the last-activity time is rewritten at most this often

# The API is not exempt: a system's token request carries no session, so this middleware never sees a user
# for it (DRF authenticates the token later); a person's session on the API (its docs, the token page) must
# pass the second factor like any page — else a password alone could mint an API token.
PUBLIC_PREFIXES = ("/check/", "/healthz", "/i18n/", "/jsi18n/", "/favicon")


def _exempt(path: str, extra: tuple[str, ...] = ()) -> bool:
    prefixes = (*PUBLIC_PREFIXES, settings.STATIC_URL or "/static/", reverse("logout"), *extra)
    return path.startswith(prefixes)


def _redirect(request, url_name: str) -> HttpResponse:
    url = reverse(url_name)
    if request.method == "GET" and not request.headers.get("HX-Request"):
        url = f"{url}?{urlencode({'next': request.get_full_path()})}"
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


def device_state(request) -> str:
    state = request.session.get(DEVICE_STATE)
    if state is None:
        state = "device" if policy.has_second_factor(request.user) else "none"
        request.session[DEVICE_STATE] = state
    return state


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or policy.is_verified(user):
            return self.get_response(request)
        if device_state(request) == "device":
            if not _exempt(request.path_info, (reverse("accounts:verify"),)):
                return _redirect(request, "accounts:verify")
        elif policy.second_factor_required(user) and not _exempt(
                request.path_info, (reverse("accounts:enrol"), reverse("accounts:recovery_codes"))):
            return _redirect(request, "accounts:enrol")
        return self.get_response(request)


class IdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        minutes = getattr(settings, "DOLUONG_IDLE_MINUTES", 0)
        if user is None or not minutes or request.path_info.startswith(PUBLIC_PREFIXES) \
                or not user.is_authenticated:
            return self.get_response(request)
        now = int(time.time())
        last = request.session.get(LAST_ACTIVITY)
        if last is not None and now - last > minutes * 60:
            request.doluong_signout_reason = "idle"
            logout(request)
            messages.info(request, _("You were signed out after %(minutes)d minutes without activity. "
                                     "Please sign in again.") % {"minutes": minutes})
            login = reverse("login")
            if request.method == "GET" and not request.headers.get("HX-Request"):
                login = f"{login}?{urlencode({'next': request.get_full_path()})}"
            if request.headers.get("HX-Request"):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = login
                return response
            return HttpResponseRedirect(login)
        if last is None or now - last >= ACTIVITY_RESOLUTION:
            request.session[LAST_ACTIVITY] = now
        return self.get_response(request)


def mark_signed_in(request, user) -> None:
    """At sign-in (any way: the login form, ``force_login``, an SSO backend): the session's starting state."""
    session = getattr(request, "session", None)
    if session is None:
        return
    session[DEVICE_STATE] = "device" if policy.has_second_factor(user) else "none"
    session[LAST_ACTIVITY] = int(time.time())
