"""Every registered model, through its generic pages and its import, checked against its declarations.

The cases come from the registry (``doluong.core.ui.all_registered()``) and the import specs, so a model
registered later is covered without a line here — and fails until it has a builder in
tests/core/registry_world.py. Expected results are computed from the model's ``access`` rules
(:func:`doluong.core.access.restrict` / :func:`~doluong.core.access.can`), never written out, and
``test_removing_a_rule_closes_the_pages`` shows that the pages really follow those rules.

One world (an object of every model, a user of every role) is built once for the module, inside a
transaction rolled back at the end; each test runs in a savepoint of it.
"""

import copy
import csv
import datetime as dt
import io

import pytest
from django.core.exceptions import FieldDoesNotExist
from django.db import connection, models, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from doluong.core import access
from doluong.core import ui as registry
from doluong.core.models import ObjectChange
from doluong.core.roles import Role
from doluong.imports import export
from doluong.imports import spec as import_specs
from doluong.orgs.models import Organization
from tests.core.html_forms import form_controls, post_data
from tests.core.registry_world import BUILDERS, OTHER_ROLES, ROLES, World, build, user_for
from tests.factories import MapFixture

pytestmark = pytest.mark.django_db

UIS = registry.all_registered()
MODELS = [ui.model for ui in UIS]
SPECS = import_specs.all_specs()


def _id(model) -> str:
    return model._meta.label


# --- the shared world -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        built = World(MapFixture())
        yield built
        transaction.set_rollback(True)


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture(autouse=True)
def _english_and_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with translation.override("en"):
        yield


# --- expectations from the rules ------------------------------------------------------------------

def in_scope(user, obj, action: str) -> bool:
    return access.restrict(type(obj)._default_manager.filter(pk=obj.pk), user, action).exists()


def path_rules(model, role) -> dict[str, str]:
    """action → lookup path, for the actions whose rule for ``role`` is a path to an organisation."""
    rules = {a: access.rule_for(model, role, a) for a in access.ACTIONS}
    return {a: r for a, r in rules.items() if r not in (access.ALL, access.NONE)}


def owner_org_id(obj, path: str):
    return type(obj)._default_manager.filter(pk=obj.pk).values_list(path, flat=True).first()


def users_to_try(world, model, role, obj) -> list:
    """The role's world user; with path rules, a user of the organisation owning ``obj`` and a stranger instead."""
    paths = path_rules(model, role)
    if not paths:
        return [world.users[role]]
    owners = {}
    for action, path in paths.items():
        org_id = owner_org_id(obj, path)
        assert org_id is not None, (f"the builder of {_id(model)} leaves {path} empty: the {role} rule for "
                                    f"{action} is never exercised on an object in scope")
        owners.setdefault(org_id, user_for(role, Organization.objects.get(pk=org_id)))
    stranger = user_for(role, world.stranger(role))
    for action in paths:
        assert any(in_scope(u, obj, action) for u in owners.values()), (model, role, action)
        assert not in_scope(stranger, obj, action), (model, role, action)
    return [*owners.values(), stranger]


def table_html(response) -> str:
    page = response.content.decode()
    start, end = page.find("<table"), page.rfind("</table>")
    return page[start:end] if start >= 0 else ""


def listed_pks(response, model) -> set:
    """The objects of ``model`` linked from the list's table."""
    table = table_html(response)
    return {o.pk for o in model._default_manager.all() if f'href="{o.get_absolute_url()}"' in table}


def locked(obj) -> bool:
    return bool(obj.edit_lock()) if hasattr(obj, "edit_lock") else False


def expected_pages(ui, obj, user) -> dict:
    model = ui.model
    obj = model._default_manager.get(pk=obj.pk)

    def write_page(action):
        if not in_scope(user, obj, action):
            return 404
        return 302 if locked(obj) else 200

    return {
        "detail": 200 if in_scope(user, obj, "view") else 404,
        "add": 200 if access.can(user, model, "add") else 404,
        "edit": write_page("change"),
        "delete": write_page("delete"),
    }


def actual_pages(client, ui, obj) -> dict:
    return {
        "detail": client.get(reverse(ui.url_name(), args=[obj.pk])).status_code,
        "add": client.get(reverse(ui.url_name("add"))).status_code,
        "edit": client.get(reverse(ui.url_name("edit"), args=[obj.pk])).status_code,
        "delete": client.get(reverse(ui.url_name("delete"), args=[obj.pk])).status_code,
    }


def check_list(client, ui, user):
    model = ui.model
    r = client.get(reverse(ui.url_name("list")), {"per_page": 250})
    if access.can(user, model, "view"):
        assert r.status_code == 200, (ui.model_name, user.role)
    else:
        assert r.status_code in (200, 403, 404), (ui.model_name, user.role)
    if r.status_code != 200:
        return set()
    visible = set(access.restrict(model._default_manager.all(), user, "view").values_list("pk", flat=True))
    assert len(visible) <= 250
    shown = listed_pks(r, model)
    assert shown == visible, (ui.model_name, user.role, shown, visible)
    return shown


# --- sanity ------------------------------------------------------------------------------------------

def test_the_registry_holds_every_model():
    assert len(UIS) >= 40
    assert len(set(MODELS)) == len(MODELS)


def test_every_registered_model_has_a_builder():
    missing = [_id(m) for m in MODELS if m not in BUILDERS]
    assert not missing, f"add a builder to tests/core/registry_world.py for {missing}"


@pytest.mark.parametrize("model", MODELS, ids=_id)
def test_the_built_object_fills_its_list_columns(world, model):
    """So that the query ceiling below sees every related column filled (an empty one needs no query)."""
    ui = registry.get(model)
    obj = model._default_manager.get(pk=world.objects[model].pk)
    assert not locked(obj), "the builder should make an object that can still be edited"
    for name in ui.list_columns:
        value, m = obj, model
        for part in name.split("__"):
            try:
                f = m._meta.get_field(part)
            except FieldDoesNotExist:
                break
            value = getattr(value, part)
            if not f.is_relation:
                break
            assert value is not None, f"{_id(model)}: the builder leaves {name} empty"
            m = f.related_model


# --- 1. pages by role ----------------------------------------------------------------------------

@pytest.mark.parametrize(("model", "role"), [(m, r) for m in MODELS for r in ROLES],
                         ids=lambda v: _id(v) if isinstance(v, type) else str(v))
def test_pages_follow_the_access_rules(client, world, model, role):
    ui = registry.get(model)
    obj = world.objects[model]
    for user in users_to_try(world, model, role, obj):
        client.force_login(user)
        check_list(client, ui, user)
        assert actual_pages(client, ui, obj) == expected_pages(ui, obj, user), (user.role, user.organization)


@pytest.mark.parametrize(("model", "role"), [(m, r) for m in MODELS for r in ROLES],
                         ids=lambda v: _id(v) if isinstance(v, type) else str(v))
def test_lookups_and_exports_show_only_what_the_role_may_view(client, world, model, role):
    """The autocomplete lookup and, where the model has an import spec, the CSV export: never an object the
    list would not show (the owner's user and a stranger when the rule is a path)."""
    ui = registry.get(model)
    spec = import_specs.for_model(model)
    for user in users_to_try(world, model, role, world.objects[model]):
        client.force_login(user)
        visible = set(access.restrict(model._default_manager.all(), user, "view").values_list("pk", flat=True))
        found = client.get(reverse(ui.url_name("lookup")), {"q": ""}).json()["results"]
        assert {r["id"] for r in found} <= visible, (user.role, user.organization)
        if spec is not None:
            r = client.get(reverse("imports:export", args=[spec.kind]), {"format": "csv"})
            if not visible:
                assert r.status_code == 404 or len(b"".join(r.streaming_content).decode("utf-8-sig")
                                                   .strip().splitlines()) <= 1, (user.role, spec.kind)
                continue
            assert r.status_code == 200, (user.role, spec.kind)
            rows = list(csv.reader(io.StringIO(b"".join(r.streaming_content).decode("utf-8-sig"))))
            assert len(rows) - 1 == len(visible), (user.role, spec.kind)


def _granted(model):
    """(action, role) pairs where a non-officer role has a rule other than NONE."""
    return [(a, r) for a in access.ACTIONS for r in OTHER_ROLES if access.rule_for(model, r, a) != access.NONE]


def _without(model, action, role) -> dict:
    rules = {a: {r: access.rule_for(model, r, a) for r in OTHER_ROLES if access.rule_for(model, r, a) != access.NONE}
             for a in access.ACTIONS}
    del rules[action][role]
    return copy.deepcopy(rules)


@pytest.mark.parametrize("model", [m for m in MODELS if _granted(m)], ids=_id)
def test_removing_a_rule_closes_the_pages(client, world, monkeypatch, model):
    """For each action, the first role granted it: the page opens; without the rule it is not found."""
    ui = registry.get(model)
    obj = world.objects[model]
    done = set()
    for action, role in _granted(model):
        if action in done:
            continue
        done.add(action)
        path = path_rules(model, role).get(action)
        org = Organization.objects.get(pk=owner_org_id(obj, path)) if path else world.org_of_role[role]
        user = user_for(role, org)
        client.force_login(user)
        page = {"view": "detail", "add": "add", "change": "edit", "delete": "delete"}[action]
        assert actual_pages(client, ui, obj)[page] in (200, 302), (action, role)
        if action == "view":
            assert obj.pk in check_list(client, ui, user)
        with monkeypatch.context() as m:
            m.setattr(model, "access", _without(model, action, role))
            assert access.rule_for(model, role, action) == access.NONE
            assert actual_pages(client, ui, obj)[page] == 404, (action, role)
            if action == "view":
                assert check_list(client, ui, user) == set()


# --- 4. every lookup path resolves -----------------------------------------------------------------

PATHS = sorted({(m, a, r, p) for m in MODELS for r in OTHER_ROLES for a, p in path_rules(m, r).items()},
               key=lambda t: (_id(t[0]), t[1], t[2]))


@pytest.mark.parametrize(("model", "action", "role", "path"), PATHS,
                         ids=lambda v: _id(v) if isinstance(v, type) else str(v))
def test_every_access_path_resolves(model, action, role, path):
    model._default_manager.filter(**{path: 1}).exists()


def test_there_are_access_paths_to_check():
    assert len(PATHS) >= 20


# --- 3. list pages: a query ceiling ---------------------------------------------------------------

QUERY_CEILING = 15


@pytest.mark.parametrize("model", MODELS, ids=_id)
def test_list_queries_do_not_grow_with_the_rows(client, world, model):
    ui = registry.get(model)
    client.force_login(world.users[Role.OFFICER])
    url = reverse(ui.url_name("list"))

    def queries(per_page=250):
        with CaptureQueriesContext(connection) as ctx:
            r = client.get(url, {"per_page": per_page})
        assert r.status_code == 200
        return len(ctx.captured_queries)

    queries()  # caches (content types, translations) warm up
    while model._default_manager.count() < 3:
        build(model, world)
    few = queries()
    while model._default_manager.count() < 30:
        build(model, world)
    many, paged = queries(), queries(25)
    assert few == many == paged, f"queries grow with the rows: {few} at 3, {many} at 30, {paged} at 25 a page"
    assert many <= QUERY_CEILING


# --- 2. one history row per write -----------------------------------------------------------------

PREFERRED = ("notes", "description", "name", "title", "full_name", "location", "evidence", "planned_output",
             "difficulty", "label", "product", "manufacturer", "first_name")


def _unique_fields(model) -> set:
    names = {f.name for f in model._meta.concrete_fields if f.unique}
    for c in model._meta.constraints:
        names.update(getattr(c, "fields", ()) or ())
    return names


def field_to_change(model, controls):
    """(name, new value) for one plain text field of the form, or a choice when there is none."""
    unique = _unique_fields(model)
    by_name = {c.name: c for c in controls}

    def plain_text(name):
        c = by_name[name]
        try:
            f = model._meta.get_field(name)
        except FieldDoesNotExist:
            return False
        return (c.kind in ("text", "textarea") and isinstance(f, models.CharField | models.TextField)
                and not isinstance(f, models.EmailField | models.URLField) and not f.choices and name not in unique)

    candidates = [n for n in by_name if plain_text(n)]
    candidates.sort(key=lambda n: PREFERRED.index(n) if n in PREFERRED else len(PREFERRED))
    if candidates:
        name = candidates[0]
        f = model._meta.get_field(name)
        new = f"Sửa {by_name[name].value}".strip()
        return name, new[: f.max_length] if f.max_length else new
    for c in controls:
        try:
            f = model._meta.get_field(c.name)
        except FieldDoesNotExist:
            continue
        if c.kind == "select" and f.choices and not f.is_relation and c.name not in unique:
            others = [v for v in c.options if v and v != c.value]
            if others:
                return c.name, others[0]
    for c in controls:
        try:
            f = model._meta.get_field(c.name)
        except FieldDoesNotExist:
            continue
        if (c.kind == "text" and isinstance(f, models.IntegerField) and not f.choices and c.name not in unique
                and c.value.strip().lstrip("-").isdigit()):
            return c.name, str(int(c.value) + 1)
    raise AssertionError(f"{_id(model)}: no field of the edit form to change")


def _form_edit_cases():
    return list(MODELS)


@pytest.mark.parametrize("model", _form_edit_cases(), ids=_id)
def test_an_edit_through_the_form_leaves_one_history_row(client, world, model):
    ui = registry.get(model)
    client.force_login(world.users[Role.OFFICER])
    obj = build(model, world)
    url = reverse(ui.url_name("edit"), args=[obj.pk])
    page = client.get(url)
    assert page.status_code == 200
    controls = form_controls(page.content.decode())
    name, value = field_to_change(model, controls)
    data = post_data(controls)
    data[name] = [value]
    before = ObjectChange.objects.for_object(obj).count()
    r = client.post(url, data)
    assert r.status_code == 302, (name, _errors(r))
    stored = model._default_manager.get(pk=obj.pk)
    assert str(getattr(stored, model._meta.get_field(name).attname)) == value
    rows = ObjectChange.objects.for_object(stored)
    assert rows.count() == before + 1, list(rows.values_list("action", "prechange_data", "postchange_data"))
    assert rows.first().action == ObjectChange.Action.UPDATE


def _errors(response) -> str:
    context = getattr(response, "context", None)
    form = context.get("form") if context else None
    return form.errors.as_json() if form is not None else response.content.decode()[:2000]


IMPORTABLE = [s for s in SPECS if s.model in BUILDERS]


def test_every_import_spec_is_of_a_registered_model():
    assert {s.model for s in SPECS} <= set(MODELS)
    assert len(IMPORTABLE) >= 10


def export_csv(spec, obj, tmp_path, name="export.csv"):
    path = tmp_path / name
    path.write_bytes(b"".join(export.csv_stream(spec, spec.model._default_manager.filter(pk=obj.pk))))
    return path


@pytest.mark.parametrize("spec", IMPORTABLE, ids=lambda s: s.kind)
def test_an_imported_object_has_one_history_row(world, tmp_path, spec):
    from doluong.imports.engine import import_file

    model = spec.model
    obj = build(model, world)
    path = export_csv(spec, obj, tmp_path)
    old_pk = obj.pk
    obj.delete()
    out = import_file(spec.kind, path, user=world.users[Role.OFFICER], language="en")
    assert out.ok and out.batch.created_count == 1, out.errors
    new = model._default_manager.filter(pk__gt=old_pk)
    assert new.count() == 1
    created = new.get()
    rows = ObjectChange.objects.for_object(created)
    assert rows.count() == 1, list(rows.values("action", "object_id", "object_id_end"))
    assert rows.get().action == ObjectChange.Action.CREATE


# --- 5. declared date rules: the same bad dates refused by the form and by the import ------------------

def _date_rules(model):
    from doluong.core.rules import DateOrder

    return [r for r in getattr(model, "rules", ()) or () if isinstance(r, DateOrder)]


DATE_RULES = [(m, r) for m in MODELS for r in _date_rules(m)]


def test_the_date_rules_are_declared():
    """Accreditation, Designation, VerificationOfficer and MeasurementStandard declare theirs."""
    assert {m.__name__ for m, _r in DATE_RULES} >= {"Accreditation", "Designation", "VerificationOfficer",
                                                     "MeasurementStandard"}


def _texts(message: str) -> set[str]:
    """The message as shown in either language (the pages follow the user's language, not the request's)."""
    found = set()
    for language in ("en", "vi"):
        with translation.override(language):
            found.add(translation.gettext(message))
    return found


def _other_rule_fields(model, rule) -> list[str]:
    """The dates of the model's other date rules that this rule does not read (emptied, so they cannot fail)."""
    names = []
    for other in _date_rules(model):
        for attname in (other.earlier, other.later):
            if attname not in (rule.earlier, rule.later) and attname not in names:
                assert model._meta.get_field(attname).null, f"{attname} cannot be left empty"
                names.append(attname)
    return names


def _date_column(spec, attname):
    return next((i for i, c in enumerate(spec.columns) if c.name == attname), None)


if DATE_RULES:
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import strategies as st

    @pytest.mark.parametrize(("model", "rule"), DATE_RULES,
                             ids=lambda v: _id(v) if isinstance(v, type) else f"{v.earlier}-{v.later}")
    @settings(max_examples=3, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
              phases=(Phase.explicit, Phase.generate))  # no shrinking: one bad pair of dates says it all
    @given(earlier=st.dates(min_value=dt.date(2000, 1, 2), max_value=dt.date(2040, 12, 31)),
           gap=st.integers(min_value=1, max_value=4000))
    def test_a_date_rule_refuses_the_same_dates_in_the_form_and_the_import(client, world, tmp_path, model, rule,
                                                                          earlier, gap):
        later = max(earlier - dt.timedelta(days=gap), dt.date(1990, 1, 1))
        ui = registry.get(model)
        officer = world.users[Role.OFFICER]
        client.force_login(officer)
        with transaction.atomic():
            obj = build(model, world)
            # The form: the edit page posted back with the two dates swapped round.
            url = reverse(ui.url_name("edit"), args=[obj.pk])
            controls = form_controls(client.get(url).content.decode())
            data = post_data(controls)
            names = {c.name for c in controls}
            earlier_name, later_name = (model._meta.get_field(rule.earlier).name,
                                        model._meta.get_field(rule.later).name)
            assert {earlier_name, later_name} <= names, "the form shows both dates of the rule"
            data[earlier_name] = [earlier.strftime("%d/%m/%Y")]
            data[later_name] = [later.strftime("%d/%m/%Y")]
            others = _other_rule_fields(model, rule)
            for attname in others:  # so that only the rule under test is broken
                data[model._meta.get_field(attname).name] = [""]
            r = client.post(url, data)
            assert r.status_code == 400
            assert _texts(rule.message) & set(r.context["form"].errors.get(later_name, [])), r.context["form"].errors
            # The import: the object exported, its dates changed the same way, imported back (an update).
            spec = import_specs.for_model(model)
            if spec is not None:
                path = export_csv(spec, obj, tmp_path, name=f"{model.__name__}.csv")
                rows = list(csv.reader(io.StringIO(path.read_text("utf-8-sig"))))
                for attname, day in ((rule.earlier, earlier), (rule.later, later), *((a, None) for a in others)):
                    col = _date_column(spec, attname)
                    assert col is not None, f"{spec.kind} has no column {attname}"
                    rows[1][col] = day.strftime("%d/%m/%Y") if day else ""
                buf = io.StringIO()
                csv.writer(buf).writerows(rows)
                path.write_text(buf.getvalue(), "utf-8")
                from doluong.imports.engine import import_file

                out = import_file(spec.kind, path, user=officer, language="en")
                assert out.batch.rejected_count == 1, out.errors
                assert out.batch.created_count == out.batch.changed_count == 0
                assert any(t in str(e) for e in out.errors for t in _texts(rule.message)), out.errors
                stored = model._default_manager.get(pk=obj.pk)
                assert getattr(stored, rule.later) != later or getattr(stored, rule.earlier) != earlier
            transaction.set_rollback(True)
