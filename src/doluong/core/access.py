"""The one choke point for what a user may see and do.

Every query a user can reach goes through :func:`restrict`. A model states its rules in a class
attribute ``access``: for each action (``view``, ``add``, ``change``, ``delete``) a mapping from
role to either :data:`ALL`, :data:`NONE`, or a lookup path from the model to the organisation that
owns the object for that role (``"provider"``, ``"instrument__owner"``). Programme officers (and
superusers) may do everything; a role a model does not name may do nothing with it (default deny, reads
included: reference data says ``"view": EVERYONE``). A forbidden object is simply
not found: views use ``get_object_or_404`` on a restricted queryset.

**Provinces.** One deployment may serve several provinces. A model that belongs to one names, in
``province_unit``, the path to an administrative unit that places it (``"owner__unit"``: the owner's commune;
``"plan__province"``). Officers, leaders and agencies of a placed organisation then see and write only the
objects of their province (on every map: a unit of an older province that became theirs counts) and the
objects not placed at all; the national authority (``Role.NATIONAL``) reads what leaders read, in every
province, and writes nothing. Models without ``province_unit`` (reference data, the national registers of
designations and accreditations) are shared. Providers and enterprises keep their organisation rules.
"""

import contextlib

from django.db.models import Model, Q, QuerySet

from doluong.core.roles import PROVINCE_BOUND, PROVINCE_READERS, Role, role_of

ALL = "__all__"
NONE = "__none__"
ACTIONS = ("view", "add", "change", "delete")

# Every signed-in role reads (reference data: maps, kinds, fields, sectors, violation types; the plan itself).
EVERYONE = {Role.LEADER: ALL, Role.AGENCY: ALL, Role.PROVIDER: ALL, Role.ENTERPRISE: ALL}

# Defaults: nothing for anyone but officers; each model's ``access`` names who reads and who writes.
DEFAULT_ACCESS = {"view": {}, "add": {}, "change": {}, "delete": {}}


def writable_fields(model: type[Model], user) -> frozenset[str] | None:
    """The fields ``user``'s role may write on ``model`` (names), or None for all of them.

    A model limits a role in ``access["fields"]``: ``{Role.PROVIDER: ("phone", "email", …)}`` — an
    organisation keeps its own contact details, while its kind, tax code and provider code stay the
    officers'. Officers and roles not named write every field their change rule reaches.
    """
    role = role_of(user)
    if role is None or role == Role.OFFICER:
        return None
    names = (getattr(model, "access", None) or {}).get("fields", {}).get(role)
    return frozenset(names) if names is not None else None


def rule_for(model: type[Model], role: str, action: str) -> str:
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if role == Role.OFFICER:
        return ALL
    if role == Role.NATIONAL:  # reads what a leader reads, in every province; writes nothing
        return rule_for(model, Role.LEADER, action) if action == "view" else NONE
    rules = getattr(model, "access", None) or {}
    by_role = rules.get(action, DEFAULT_ACCESS[action])  # (the "fields" entry is read by writable_fields)
    return by_role.get(role, NONE)


def province_ids(user) -> frozenset[int] | None:
    """The province-level unit ids standing for ``user``'s province on every map (``geo.tenancy``, through the
    setting ``DOLUONG_PROVINCE_RESOLVER``), cached on the user object; None: no province limit."""
    if user is None:
        return None
    cached = getattr(user, "_doluong_province_ids", False)
    if cached is not False:
        return cached
    from django.conf import settings
    from django.utils.module_loading import import_string

    path = getattr(settings, "DOLUONG_PROVINCE_RESOLVER", "")
    ids = import_string(path)(user) if path else None
    with contextlib.suppress(AttributeError):  # an object that takes no attributes: computed each time
        user._doluong_province_ids = ids
    return ids


def province_limit(user) -> list[int] | None:
    """The province-level unit ids ``user`` is held to (officer, leader, agency of a placed organisation), or
    None: no province limit (national, provider, enterprise, a deployment-wide account)."""
    if role_of(user) not in PROVINCE_BOUND:
        return None
    ids = province_ids(user)
    return None if ids is None else sorted(ids)


def nationwide_reader(user) -> bool:
    """Reads every province's figures: the national role, and a deployment-wide officer or leader (one whose
    organisation is placed in no province); a province-bound reader has its own province's dashboard."""
    return role_of(user) in PROVINCE_READERS and province_limit(user) is None


def province_q(model: type[Model], user) -> Q:
    """The province limit of ``model`` for ``user`` (an empty Q when none applies)."""
    path = getattr(model, "province_unit", None)
    ids = province_limit(user) if path else None
    if ids is None:
        return Q()
    return Q(**{f"{path}__in": ids}) | Q(**{f"{path}__province__in": ids}) | Q(**{f"{path}__isnull": True})


def scope_q(model: type[Model], user, action: str = "view", *, province: bool = True) -> Q | None:
    """The filter that limits ``model`` to what ``user`` may ``action``; None means nothing. ``province=False``:
    the organisation rule alone (an import checks a new row's province once it is written)."""
    role = role_of(user)
    if role is None:
        return None
    rule = rule_for(model, role, action)
    if rule == NONE:
        return None
    limit = province_q(model, user) if province else Q()
    if rule == ALL:
        return limit
    org_id = getattr(user, "organization_id", None)
    if org_id is None:
        return None
    return Q(**{rule: org_id}) & limit


def restrict(queryset: QuerySet, user, action: str = "view") -> QuerySet:
    q = scope_q(queryset.model, user, action)
    if q is None:
        return queryset.none()
    return queryset.filter(q) if q else queryset


def can(user, model: type[Model], action: str) -> bool:
    """Whether ``user`` may ``action`` at least some objects of ``model``."""
    return scope_q(model, user, action) is not None


def owner_field(model: type[Model], user, action: str = "add") -> str | None:
    """For roles whose rule is a direct foreign key to their organisation, that field's name.

    New objects made by such a user get the user's organisation in that field, and the field is
    not offered in the form.
    """
    role = role_of(user)
    if role is None or role == Role.OFFICER:
        return None
    rule = rule_for(model, role, action)
    if rule in (ALL, NONE) or "__" in rule:
        return None
    return rule
