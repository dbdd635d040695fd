"""The one choke point for what a user may see and do.

Every query a user can reach goes through :func:`restrict`. A model states its rules in a class
attribute ``access``: for each action (``view``, ``add``, ``change``, ``delete``) a mapping from
role to either :data:`ALL`, :data:`NONE`, or a lookup path from the model to the organisation that
owns the object for that role (``"provider"``, ``"instrument__owner"``). Programme officers (and
superusers) may do everything; a role a model does not name may do nothing with it (default deny, reads
included: reference data says ``"view": EVERYONE``). A forbidden object is simply
not found: views use ``get_object_or_404`` on a restricted queryset.
"""

from django.db.models import Model, Q, QuerySet

from doluong.core.roles import Role, role_of

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
    rules = getattr(model, "access", None) or {}
    by_role = rules.get(action, DEFAULT_ACCESS[action])  # (the "fields" entry is read by writable_fields)
    return by_role.get(role, NONE)


def scope_q(model: type[Model], user, action: str = "view") -> Q | None:
    """The filter that limits ``model`` to what ``user`` may ``action``; None means nothing."""
    role = role_of(user)
    if role is None:
        return None
    rule = rule_for(model, role, action)
    if rule == ALL:
        return Q()
    if rule == NONE:
        return None
    org_id = getattr(user, "organization_id", None)
    if org_id is None:
        return None
    return Q(**{rule: org_id})


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
