from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from doluong.core.forms import BaseModelForm
from doluong.orgs.models import User


class UserForm(BaseModelForm):
    """An account: who, which organisation, which role; a password to set (required for a new account)."""

    password = forms.CharField(label=_("Password"), required=False, strip=False,
                               widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
                               help_text=_("Leave blank to keep the current password."))

    class Meta:
        model = User
        # ``password`` is a form field only: the model's stored hash is set by save() when one is typed, never
        # overwritten with the empty box.
        fields = ("username", "first_name", "last_name", "email", "organization", "role", "is_active")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.fields["password"].required = True
            self.fields["password"].help_text = password_validation.password_validators_help_text_html()

    def clean_password(self):
        password = self.cleaned_data.get("password")
        if password:
            password_validation.validate_password(password, self.instance)
        return password

    def save(self, commit=True):
        user = super().save(commit=False)
        if self.cleaned_data.get("password"):
            user.set_password(self.cleaned_data["password"])
        if commit:
            user.save()
        return user
