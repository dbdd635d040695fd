"""Pages for signing in and the account's security (see docs/user-guide.md, "Accounts and security")."""

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from doluong.accounts import forms, policy
from doluong.accounts.middleware import DEVICE_STATE
from doluong.accounts.models import Outcome, SignInEvent
from doluong.accounts.signals import record
from doluong.core.roles import Role, role_of

OTP_FAILURES = "accounts_otp_failures"  # wrong codes in this session
NEW_CODES = "accounts_new_recovery_codes"  # shown once on the next page
RECENT_EVENTS = 15


def email_enabled() -> bool:
    return bool(getattr(settings, "DOLUONG_EMAIL_ENABLED", False))


def _next_url(request, default: str = "home") -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
        return url
    return reverse(default)


# --- sign in ---------------------------------------------------------------------------------------

def locked_out(request, original_response=None, credentials=None):
    """django-axes' lock-out page (AXES_LOCKOUT_CALLABLE), in the project's language and style."""
    from axes.helpers import get_cool_off, get_failure_limit

    cool_off = get_cool_off(request)
    return render(request, "accounts/locked.html", {
        "failure_limit": get_failure_limit(request, credentials),
        "cooloff_minutes": max(1, round(cool_off.total_seconds() / 60)) if cool_off else None,
        "password_reset_enabled": email_enabled(),
    }, status=429)


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, password_reset_enabled=email_enabled())


# --- second factor: verify ---------------------------------------------------------------------------

def _max_failures() -> int:
    return int(getattr(settings, "DOLUONG_OTP_MAX_FAILURES", 5))


def check_code(user, code: str):
    """(device, "totp" | "recovery") for a code that one of the user's devices accepts, else (None, reason).

    Six digits go to the authenticator app (each code once: django-otp refuses a code at or before the
    last accepted time step); anything else is tried as a recovery code (deleted when used). The reason
    is "throttled" while django-otp's back-off after wrong codes is running, else "wrong".
    """
    totp = policy.totp_device(user)
    if totp is not None and code.isdigit() and len(code) == totp.digits:
        if not totp.verify_is_allowed()[0]:
            return None, "throttled"
        device = verify_token(user, totp.persistent_id, code)
        return (device, "totp") if device else (None, "wrong")
    static = policy.static_device(user)
    if static is not None and code:
        if not static.verify_is_allowed()[0]:
            return None, "throttled"
        device = verify_token(user, static.persistent_id, code)
        return (device, "recovery") if device else (None, "wrong")
    return None, "wrong"


@login_required
def verify(request):
    user = request.user
    if policy.is_verified(user):
        return HttpResponseRedirect(_next_url(request))
    if not policy.has_second_factor(user):
        request.session[DEVICE_STATE] = "none"
        return HttpResponseRedirect(_next_url(request))
    failures = request.session.get(OTP_FAILURES, 0)
    locked = failures >= _max_failures()
    form = forms.CodeForm(request.POST or None)
    if request.method == "POST" and not locked and form.is_valid():
        device, how = check_code(user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            request.session.pop(OTP_FAILURES, None)
            record(request, Outcome.OTP_SUCCESS, user=user,
                   detail="recovery code" if how == "recovery" else "authenticator app")
            if how == "recovery":
                left = policy.remaining_recovery_codes(user)
                messages.warning(request, _("You used a recovery code; %(left)d left. Make new ones on the "
                                            "Security page if you are running out.") % {"left": left})
            return HttpResponseRedirect(_next_url(request))
        if how == "throttled":
            form.add_error("code", _("Too many wrong codes in a row: wait a few seconds, then try again."))
        else:
            failures += 1
            request.session[OTP_FAILURES] = failures
            locked = failures >= _max_failures()
            record(request, Outcome.LOCKED if locked else Outcome.OTP_FAILED, user=user, detail="second factor")
            # counted by django-axes like a wrong password (the user name and address are locked out together)
            user_login_failed.send(sender=__name__, credentials={"username": user.get_username()}, request=request)
            if getattr(request, "axes_locked_out", False):
                request.doluong_signout_reason = "locked"
                logout(request)
                return redirect("login")
            if not locked:
                form.add_error("code", _("This code is not right (or was already used). Try again."))
    return render(request, "accounts/verify.html", {
        "form": form, "locked": locked, "max_failures": _max_failures(),
        "next": request.POST.get("next") or request.GET.get("next", ""),
    })


# --- second factor: set up ---------------------------------------------------------------------------

def _qr_data_uri(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=5, border=2)


def _secret_groups(device: TOTPDevice) -> str:
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


@login_required
def enrol(request):
    user = request.user
    if policy.has_second_factor(user) and not policy.is_verified(user):
        return redirect("accounts:verify")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator app", confirmed=False)
    form = forms.EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device.throttle_reset(commit=False)  # no back-off while setting up: the device is not trusted yet
        if device.verify_token(form.cleaned_data["code"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
            codes = policy.new_recovery_codes(user)
            otp_login(request, device)
            request.session[DEVICE_STATE] = "device"
            request.session[NEW_CODES] = codes
            record(request, Outcome.OTP_ENROLLED, user=user, detail="authenticator app")
            messages.success(request, _("Two-step sign-in is on. From now on you will be asked for a code "
                                        "from the app after your password."))
            return redirect(f"{reverse('accounts:recovery_codes')}?next={_next_url(request, 'accounts:security')}")
        form.add_error("code", _("This code is not right. Check the phone's clock and enter the code shown now."))
    return render(request, "accounts/enrol.html", {
        "form": form, "qr": _qr_data_uri(device.config_url), "secret": _secret_groups(device),
        "replacing": policy.has_second_factor(user), "required": policy.second_factor_required(user),
        "next": request.POST.get("next") or request.GET.get("next", ""),
    })


@login_required
def recovery_codes(request):
    codes = request.session.pop(NEW_CODES, None)
    if not codes:
        return redirect("accounts:security")
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": _next_url(request,
                                                                                             "accounts:security")})


def _verified_with_device_or_404(user):
    if not policy.has_second_factor(user) or not policy.is_verified(user):
        raise Http404


@login_required
@require_POST
def new_recovery_codes(request):
    _verified_with_device_or_404(request.user)
    request.session[NEW_CODES] = policy.new_recovery_codes(request.user)
    return redirect("accounts:recovery_codes")


@login_required
@require_POST
def remove_second_factor(request):
    _verified_with_device_or_404(request.user)
    if policy.second_factor_required(request.user):
        messages.error(request, _("Your role must use two-step sign-in; it cannot be turned off."))
        return redirect("accounts:security")
    policy.remove_second_factor(request.user)
    request.session[DEVICE_STATE] = "none"
    record(request, Outcome.OTP_REMOVED, user=request.user)
    messages.success(request, _("Two-step sign-in is off."))
    return redirect("accounts:security")


# --- the user's own security page ----------------------------------------------------------------------

@login_required
def security(request):
    user = request.user
    return render(request, "accounts/security.html", {
        "has_device": policy.has_second_factor(user),
        "required": policy.second_factor_required(user),
        "recovery_left": policy.remaining_recovery_codes(user),
        "events": SignInEvent.objects.filter(user=user)[:RECENT_EVENTS],
        "password_reset_enabled": email_enabled(),
    })


# --- password change and reset -------------------------------------------------------------------------

class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = forms.PasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:security")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password was changed."))
        return response


class _EmailRequired:
    def dispatch(self, request, *args, **kwargs):
        if not email_enabled():
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class PasswordResetView(_EmailRequired, auth_views.PasswordResetView):
    form_class = forms.PasswordResetForm
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        self.extra_email_context = {"province_name": settings.DOLUONG_PROVINCE_NAME}
        return super().form_valid(form)


class PasswordResetDoneView(_EmailRequired, auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(_EmailRequired, auth_views.PasswordResetConfirmView):
    form_class = forms.SetPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(_EmailRequired, auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


# --- the sign-in log (officers) -------------------------------------------------------------------------

def _officers_only(user) -> None:
    if role_of(user) != Role.OFFICER:
        raise Http404


@login_required
def signin_log(request):
    from django_tables2 import RequestConfig

    from doluong.accounts.tables import PER_PAGE, SignInEventFilter, SignInEventTable

    _officers_only(request.user)
    filterset = SignInEventFilter(request.GET or None, queryset=SignInEvent.objects.select_related("user"))
    table = SignInEventTable(filterset.qs)
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    return render(request, "accounts/signin_log.html", {"filterset": filterset, "table": table,
                                                        "title": gettext_lazy("Sign-in log")})
