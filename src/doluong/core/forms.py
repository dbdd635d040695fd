from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

# Django's own label for an empty choice; listed here so that our catalogue translates it.
BLANK_CHOICE_LABEL = _("- Select an option -")
# django-tables2's pager words, translated in our catalogue.
PAGER_WORDS = (_("next"), _("previous"))


class DateInput(forms.DateInput):
    """A date typed as people write it here: dd/mm/yyyy (also accepted: d-m-yyyy, yyyy-mm-dd)."""

    input_type = "text"

    def __init__(self, attrs=None):
        attrs = {"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off", **(attrs or {})}
        super().__init__(attrs=attrs, format="%d/%m/%Y")


class LookupSelect(forms.TextInput):
    """A search-as-you-type choice of one object, for foreign keys with many candidates.

    Renders a hidden input holding the primary key and a text box; ``static/doluong/lookup.js``
    asks the model's lookup endpoint for matches. Works with JavaScript off as a plain id field.
    """

    template_name = "core/widgets/lookup.html"

    def __init__(self, url: str, queryset=None, attrs=None):
        super().__init__(attrs=attrs)
        self.url = url
        self.queryset = queryset

    def get_context(self, name, value, attrs):
        ctx = super().get_context(name, value, attrs)
        label = ""
        if value not in (None, "") and self.queryset is not None:
            obj = self.queryset.filter(pk=value).first() if str(value).isdigit() else None
            label = str(obj) if obj else ""
        ctx["widget"].update({"url": self.url, "label": label})
        return ctx


class BaseModelForm(forms.ModelForm):
    """Model form with sensible widgets: dates as date pickers, text areas kept small."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, f in self.fields.items():
            model_field = self._meta.model._meta.get_field(name) if name in self._model_field_names() else None
            if isinstance(model_field, models.DateField) and not isinstance(model_field, models.DateTimeField):
                f.widget = DateInput()
            elif isinstance(f.widget, forms.Textarea):
                f.widget.attrs["rows"] = 3
            css = "form-select" if isinstance(f.widget, forms.Select) else "form-control"
            if isinstance(f.widget, forms.CheckboxInput):
                css = "form-check-input"
            f.widget.attrs.setdefault("class", css)

    def _post_clean(self):
        # The model's rules may read many-to-many values (core.rules.m2m_rule_fields): give them the chosen ones,
        # which the form saves only after the object (save_m2m).
        self.instance._pending_m2m = {f.name: [o.pk for o in self.cleaned_data[f.name]]
                                      for f in self._meta.model._meta.many_to_many
                                      if f.name in self.fields and self.cleaned_data.get(f.name) is not None}
        super()._post_clean()

    def _model_field_names(self) -> set[str]:
        return {f.name for f in self._meta.model._meta.get_fields()}
