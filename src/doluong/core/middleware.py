import contextlib
import logging
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.templatetags.static import static
from django.urls import Resolver404, get_resolver
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.views import defaults

from doluong.core.changelog import change_context

logger = logging.getLogger("django.request")


class ChangeContextMiddleware:
    """Attributes every change made while serving a request to its user and a request id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.id = uuid.uuid4()
        user = getattr(request, "user", None)
        with change_context(user if user is not None and user.is_authenticated else None,
                            request_id=request.id):
            return self.get_response(request)


class LanguageMiddleware:
    """The interface language: the one chosen in the user menu (the language cookie), else Vietnamese.

    Unlike Django's ``LocaleMiddleware`` the browser's ``Accept-Language`` is not consulted: the system
    is Vietnamese first whatever language the browser is set to. English is chosen explicitly through
    Django's ``set_language`` view (the user menu, the sign-in page), which sets the cookie.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = settings.LANGUAGE_CODE
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen:
            with contextlib.suppress(LookupError):  # a language this installation does not offer
                language = translation.get_supported_language_variant(chosen)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response


def friendly_error_pages() -> bool:
    """Whether friendly pages replace Django's technical ones although DEBUG is on.

    They do unless ``DOLUONG_DEBUG_PAGES`` is set (developers who want the tracebacks in the
    browser); with DEBUG off Django already shows the friendly templates.
    """
    return settings.DEBUG and not getattr(settings, "DOLUONG_DEBUG_PAGES", False)


class ErrorPagesMiddleware:
    """With DEBUG on (the demo), not-found and server errors still get the Vietnamese pages.

    Django shows its English technical pages whenever DEBUG is on: for an address no route matches
    (resolved before any view runs, so checked here first), for ``Http404`` raised by a view and for
    any other exception. Refusals (``PermissionDenied``) already use ``403.html`` in every mode.
    Server errors are logged with their traceback as usual.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if friendly_error_pages():
            try:
                get_resolver(getattr(request, "urlconf", None)).resolve(request.path_info)
            except Resolver404 as exc:
                return defaults.page_not_found(request, exc)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not friendly_error_pages():
            return None
        if isinstance(exception, Http404):
            return defaults.page_not_found(request, exception)
        if isinstance(exception, PermissionDenied):
            return None  # Django renders 403.html itself
        logger.error("Internal Server Error: %s", request.path, exc_info=exception,
                     extra={"status_code": 500, "request": request})
        return defaults.server_error(request)


def favicon(get_response):
    """``/favicon.ico``, asked for by browsers on their own: sent to the SVG icon in the static files."""

    def middleware(request):
        if request.path_info == "/favicon.ico":
            response = HttpResponseRedirect(static("doluong/favicon.svg"))
            response["Cache-Control"] = "max-age=86400"
            return response
        return get_response(request)

    return middleware
