"""The language of an API answer: the request's ``Accept-Language`` when this installation offers it, else
the language the person chose in the web interface (the cookie), else Vietnamese."""

import contextlib

from django.conf import settings
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header


def api_language(request) -> str:
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    for code, _q in parse_accept_lang_header(header[:200]):
        if code == "*":
            break
        with contextlib.suppress(LookupError):
            return translation.get_supported_language_variant(code)
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen:
        with contextlib.suppress(LookupError):
            return translation.get_supported_language_variant(chosen)
    return settings.LANGUAGE_CODE


class LanguageMixin:
    """For API views: answer (messages, validation errors) in :func:`api_language`."""

    def initial(self, request, *args, **kwargs):
        translation.activate(api_language(request))
        request.LANGUAGE_CODE = translation.get_language()
        super().initial(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Content-Language"] = translation.get_language()
        from django.utils.cache import patch_vary_headers

        patch_vary_headers(response, ("Accept-Language",))
        return response
