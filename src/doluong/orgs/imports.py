"""Organisations: upserted by tax code, or by provider code when there is no tax code."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from doluong.core.identifiers import normalize_tax_code, tax_code_problem
from doluong.geo.imports import UNIT_COLUMNS, resolve_unit
from doluong.imports.spec import Batch, Column, ImportSpec, field_column, register
from doluong.orgs.models import Organization, Sector

ORG = Organization


def tax_code(raw) -> str:
    from doluong.imports.values import ValueProblem, text

    value = normalize_tax_code(text(raw))
    problem = tax_code_problem(value)
    if problem:
        raise ValueProblem(problem)
    return value


def _known(batch: Batch, field: str, wanted: set) -> dict:
    """value of ``field`` → organisation id, for the values in ``wanted`` that exist. Found ids are kept for
    the rest of the import (owners and providers repeat from batch to batch); only new values are queried."""
    cache = batch.context.setdefault(f"orgs_by_{field}", {})
    missing = wanted - cache.keys()
    if missing:
        if len(cache) > 100_000:
            cache.clear()
            missing = wanted
        cache.update(ORG.objects.filter(**{f"{field}__in": missing}).values_list(field, "pk"))
    return cache


def tax_code_as_typed(raw) -> str:
    """A tax code normalised but not checked (a reference: an unknown one is refused by the lookup)."""
    from doluong.imports.values import text

    return normalize_tax_code(text(raw))


def resolve_organization(batch: Batch, *, tax: str, code: str | None = None, target: str,
                         required: bool = True, default_to_user: bool = False, missing: str | None = None) -> None:
    """Sets ``target`` from a tax-code column and/or a provider-code column (one query each per batch).
    ``missing``: the column on which a row still without an organisation is refused (the file has neither
    column and the user's organisation does not stand in)."""
    _resolve_organization(batch, tax=tax, code=code, target=target, required=required,
                          default_to_user=default_to_user)
    if missing:
        for row in batch.rows:
            if row.get(target) is None:
                batch.reject(row, missing, gettext_noop("a value is required"))  # rows refused above stay so


def _resolve_organization(batch: Batch, *, tax: str, code: str | None, target: str, required: bool,
                          default_to_user: bool) -> None:
    present = batch.context["present"]
    if tax not in present and (code is None or code not in present):
        if default_to_user:
            org = getattr(batch.context.get("user"), "organization_id", None)
            if org is not None:
                for row in batch.rows:
                    row[target] = org
        return
    by_tax = _known(batch, "tax_code", {r[tax] for r in batch.rows if r.get(tax)})
    by_code = _known(batch, "provider_code", {r[code] for r in batch.rows if code and r.get(code)})
    for row in batch.rows:
        t, c = row.get(tax), row.get(code) if code else None
        if t:
            pk = by_tax.get(t)
            if pk is None:
                batch.reject(row, tax, gettext_noop("no organisation with this tax code"))
                continue
            if c and by_code.get(c) not in (None, pk):
                batch.reject(row, code, gettext_noop("the tax code and the provider code name different "
                                                     "organisations"))
                continue
            row[target] = pk
        elif c:
            pk = by_code.get(c)
            if pk is None:
                batch.reject(row, code, gettext_noop("no organisation with this provider code"))
                continue
            row[target] = pk
        elif required:
            batch.reject(row, tax, gettext_noop("a value is required"))
        else:
            row[target] = None


def _sector(batch: Batch) -> None:
    if "sector_code" not in batch.context["present"]:
        return
    codes = {r["sector_code"] for r in batch.rows if r.get("sector_code")}
    sectors = dict(Sector.objects.filter(code__in=codes).values_list("code", "pk"))
    for row in batch.rows:
        code = row.get("sector_code")
        if not code:
            row["sector_id"] = None
        elif code in sectors:
            row["sector_id"] = sectors[code]
        else:
            batch.reject(row, "sector_code", gettext_noop("no sector with this code"))


register(ImportSpec(
    kind="organizations",
    model=Organization,
    columns=[
        field_column(ORG, "name", example="Công ty TNHH Cân Điện Tử Yên Bái", aliases=("Tên tổ chức",)),
        field_column(ORG, "short_name"),
        field_column(ORG, "kind", aliases=("Loại tổ chức",)),
        field_column(ORG, "tax_code", parse=tax_code, aliases=("MST", "Mã số thuế"), example="0100109106"),
        field_column(ORG, "provider_code", aliases=("Mã tổ chức kiểm định",)),
        field_column(ORG, "ownership", aliases=("Loại hình sở hữu",)),
        Column("sector_code", _("Sector code"), aliases=("Mã ngành",), export="sector__code"),
        field_column(ORG, "address"),
        *UNIT_COLUMNS,
        field_column(ORG, "in_industrial_zone"),
        field_column(ORG, "phone"),
        field_column(ORG, "email"),
        field_column(ORG, "website"),
        field_column(ORG, "is_active"),
        field_column(ORG, "notes"),
    ],
    natural_key=[("tax_code",), ("provider_code",)],
    steps=[_sector, resolve_unit],
    write_fields=["name", "short_name", "kind", "tax_code", "provider_code", "ownership", "sector_id", "address",
                  "unit_id", "in_industrial_zone", "phone", "email", "website", "is_active", "notes"],
    export_select_related=("sector", "unit", "unit__edition"),
    order_by=("name", "pk"),
))
