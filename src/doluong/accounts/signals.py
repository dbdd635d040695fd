"""Writes the sign-in log from Django's auth signals, django-axes' lock-outs and the second-factor step.

One event per request and cause: a failed password that trips the lock-out is logged once, as a
lock-out (whichever of axes' and our receivers of ``user_login_failed`` runs first).
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from doluong.accounts.models import Outcome, SignInEvent

USER_AGENT_MAX = 200
_RECORDED = "_doluong_signin_event"


def client_ip(request) -> str | None:
    """The client's address as axes sees it (AXES_CLIENT_IP_CALLABLE or ipware if configured, else REMOTE_ADDR)."""
    if request is None:
        return None
    from axes.helpers import get_client_ip_address

    return getattr(request, "axes_ip_address", None) or get_client_ip_address(request) or None


def record(request, outcome: str, *, user=None, username: str = "", detail: str = "") -> SignInEvent:
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    if user is not None and not username:
        username = user.get_username()
    agent = request.META.get("HTTP_USER_AGENT", "") if request is not None else ""
    event = SignInEvent.objects.create(
        user=user, username=(username or "")[:150], outcome=outcome, detail=detail[:100],
        ip_address=client_ip(request), user_agent=agent[:USER_AGENT_MAX],
    )
    if request is not None:
        setattr(request, _RECORDED, event)
    return event


def _user_named(username: str):
    if not username:
        return None
    User = get_user_model()
    return User._default_manager.filter(**{User.USERNAME_FIELD: username}).first()


def _logged_in(sender, request, user, **kwargs):
    from doluong.accounts.middleware import mark_signed_in

    mark_signed_in(request, user)
    record(request, Outcome.SUCCESS, user=user, detail="password")


def _login_failed(sender, credentials, request=None, **kwargs):
    if request is not None and getattr(request, _RECORDED, None) is not None:
        return  # already logged for this request (a lock-out, or a wrong second-factor code)
    username = (credentials or {}).get("username", "")
    outcome = Outcome.LOCKED if getattr(request, "axes_locked_out", False) else Outcome.FAILURE
    record(request, outcome, user=_user_named(username), username=username)


def _locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    event = getattr(request, _RECORDED, None) if request is not None else None
    if event is not None and event.outcome == Outcome.LOCKED:
        return
    if event is not None and event.outcome == Outcome.FAILURE:
        event.outcome = Outcome.LOCKED
        event.save(update_fields=["outcome"])
        return
    record(request, Outcome.LOCKED, user=_user_named(username or ""), username=username or "",
           detail="second factor" if event is not None else "")


def _logged_out(sender, request, user, **kwargs):
    if user is None:
        return
    record(request, Outcome.LOGOUT, user=user, detail=getattr(request, "doluong_signout_reason", ""))


def connect() -> None:
    from axes.signals import user_locked_out

    user_logged_in.connect(_logged_in, dispatch_uid="doluong.accounts.logged_in")
    user_login_failed.connect(_login_failed, dispatch_uid="doluong.accounts.login_failed")
    user_logged_out.connect(_logged_out, dispatch_uid="doluong.accounts.logged_out")
    user_locked_out.connect(_locked_out, dispatch_uid="doluong.accounts.locked_out")
