"""The OpenAPI description of the generated endpoints: a write's body is the form's inputs, the answer the
stored object; the token scheme."""

from django.utils.text import capfirst
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema


class RegistrySchema(AutoSchema):
    def get_request_serializer(self):
        if getattr(self.view, "action", None) in ("create", "update", "partial_update"):
            return self.view.model_api.input
        return super().get_request_serializer()

    def get_tags(self) -> list[str]:
        return [self.view.model_api.ui.app_label]

    def get_description(self):
        ui = self.view.model_api.ui
        action = getattr(self.view, "action", None)
        name = capfirst(str(ui.verbose_name_plural))
        if action in ("create", "update", "partial_update"):
            return _("%(name)s: validated by the same form and rules as the web page; a refused write answers "
                     "400 with the messages by field, or 403 with the reason.") % {"name": name}
        if action == "bulk":
            return super().get_description()
        return _("%(name)s: what your organisation may see, filtered and paged as the list page.") % {"name": name}


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "doluong.api.auth.TokenAuthentication"
    name = "token"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer",
                "description": _("An API token (Authorization: Bearer dl_…), created on the API tokens page or "
                                 "with `doluong api_token create`.")}
