"""People (contact persons of organisations): upserted by organisation and full name.

``Person`` has no uniqueness constraint. The natural key is *organisation + full name*: what people
use to name a contact, and stable when the contact details change, which is what a re-import is for
(a key that included the phone or the e-mail would turn every new phone number into a second
person). Two people of one organisation with the same name are not guessed between: such a row is
refused, and they are kept apart on the web. People without an organisation are exported but cannot
be imported (no key); the organisation is given by tax code or provider code, and providers and
enterprises import the people of their own organisation only (the model's access rules).
"""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from doluong.imports import values
from doluong.imports.spec import Batch, Column, ImportSpec, field_column, register
from doluong.orgs.imports import resolve_organization, tax_code_as_typed
from doluong.orgs.models import Person


def email(raw) -> str:
    value = values.text(raw)
    try:
        validate_email(value)
    except ValidationError:
        raise values.ValueProblem(gettext_noop("not a valid e-mail address")) from None
    return value


def _organization(batch: Batch) -> None:
    resolve_organization(batch, tax="organization_tax_code", code="organization_code", target="organization_id",
                         default_to_user=True, missing="organization_tax_code")


def _homonyms(batch: Batch) -> None:
    """Refuse a row that names several people of its organisation (one query)."""
    orgs = {r["organization_id"] for r in batch.rows}
    names = {r["full_name"] for r in batch.rows}
    seen, twice = set(), set()
    for key in Person.objects.filter(organization_id__in=orgs, full_name__in=names).values_list("organization_id",
                                                                                                "full_name"):
        (twice if key in seen else seen).add(key)
    for row in batch.rows:
        if (row["organization_id"], row["full_name"]) in twice:
            batch.reject(row, "full_name", gettext_noop("several people of this organisation have this name; change "
                                                        "them on the web"))


register(ImportSpec(
    kind="people",
    model=Person,
    columns=[
        Column("organization_tax_code", _("Organisation tax code"),
               parse=tax_code_as_typed,
               aliases=("Mã số thuế tổ chức", "MST tổ chức", "MST đơn vị", "organisation tax code"),
               export="organization__tax_code", example="0100109106",
               help=_("The tax code of the person's organisation, or its provider code in the next column. Left "
                      "out: your organisation.")),
        Column("organization_code", _("Provider code"), aliases=("Mã tổ chức kiểm định", "Mã tổ chức"),
               export="organization__provider_code", max_length=30),
        field_column(Person, "full_name", aliases=("Họ và tên", "Họ tên", "Tên"), example="Nguyễn Văn An"),
        field_column(Person, "position", aliases=("Chức vụ",), example="Phó Giám đốc"),
        field_column(Person, "phone", aliases=("Điện thoại", "Số điện thoại", "SĐT"), example="0216 3852 123"),
        field_column(Person, "email", parse=email, aliases=("Email", "Thư điện tử", "e-mail")),
    ],
    natural_key=[("organization_id", "full_name")],
    steps=[_organization, _homonyms],
    write_fields=["organization_id", "full_name", "position", "phone", "email"],
    export_select_related=("organization",),
    order_by=("organization__name", "full_name", "pk"),
))
