"""The API of every registry model agrees with its web pages: the same objects per role, the same refusals
with the same messages, writes through the write path (history, source)."""

import datetime as dt
import html

import pytest
from django.urls import reverse

from doluong.api.registry import all_apis
from doluong.core import access
from doluong.core.models import ObjectChange
from doluong.core.roles import Role
from doluong.orgs.models import Organization
from doluong.providers.models import Designation
from doluong.records.models import ServiceRecord, Source
from tests.core.registry_world import ROLES, user_for
from tests.factories import InstrumentFactory, RecordFactory, designate

pytestmark = pytest.mark.django_db

APIS = all_apis()


def _id(api) -> str:
    return api.ui.model._meta.label


def url(model, pk=None, suffix="") -> str:
    base = f"/api/{model._meta.app_label}/{model._meta.model_name}/"
    return f"{base}{pk}/" if pk is not None else base + suffix


def test_every_registered_model_has_an_api():
    from doluong.core import ui as registry

    assert {a.ui.model for a in APIS} == {ui.model for ui in registry.all_registered()}


@pytest.mark.parametrize("api", APIS, ids=_id)
@pytest.mark.parametrize("role", ROLES)
def test_list_and_detail_show_what_the_list_page_shows(world, api_as, api, role):
    model = api.ui.model
    user = world.users[role]
    client = api_as(role)
    r = client.get(url(model), {"page_size": 250})
    if not access.can(user, model, "view"):
        assert r.status_code == 403, r.content
        return
    assert r.status_code == 200, r.content
    expected = set(access.restrict(model._default_manager.all(), user, "view").values_list("pk", flat=True)[:250])
    assert {o["id"] for o in r.json()["results"]} == expected
    obj = world.objects.get(model)
    if obj is None:  # a model registered since registry_world was last given builders
        pytest.skip(f"no builder for {model._meta.label} in tests/core/registry_world.py")
    r = client.get(url(model, obj.pk))
    visible = access.restrict(model._default_manager.filter(pk=obj.pk), user).exists()
    assert r.status_code == (200 if visible else 404)
    if visible:
        body = r.json()
        assert body["id"] == obj.pk and body["display"] == str(obj)
        assert "search_text" not in body and "password" not in body


@pytest.mark.parametrize("role", ROLES)
def test_web_list_and_api_list_agree_on_records(world, client, api_as, role):
    """The same user, on the records list page and through the API, sees the same records."""
    user = world.users[role]
    client.force_login(user)
    page = client.get(reverse("records:servicerecord_list"), {"per_page": 250})
    r = api_as(role).get(url(ServiceRecord), {"page_size": 250})
    if not access.can(user, ServiceRecord, "view"):
        assert r.status_code == 403
        return
    for rec in ServiceRecord.objects.all():
        shown_on_web = rec.get_absolute_url() in page.content.decode()
        shown_by_api = rec.pk in {o["id"] for o in r.json()["results"]}
        assert shown_on_web == shown_by_api, (role, rec)


def test_a_provider_cannot_read_another_providers_records(world, api_as):
    stranger = world.stranger(Role.PROVIDER)
    theirs = RecordFactory(provider=stranger, instrument=world.instrument)
    client = api_as(Role.PROVIDER)
    assert client.get(url(ServiceRecord, theirs.pk)).status_code == 404
    ids = {o["id"] for o in client.get(url(ServiceRecord), {"page_size": 250}).json()["results"]}
    assert theirs.pk not in ids and ids
    assert client.patch(url(ServiceRecord, theirs.pk), {"notes": "x"}, format="json").status_code == 404
    assert client.delete(url(ServiceRecord, theirs.pk)).status_code == 404
    assert ServiceRecord.objects.filter(pk=theirs.pk, notes="").exists()


def test_an_enterprise_cannot_write_records(world, api_as):
    client = api_as(Role.ENTERPRISE)
    mine = world.objects[ServiceRecord]  # a record of the enterprise's instrument: it may read it
    assert client.get(url(ServiceRecord, mine.pk)).status_code == 200
    r = client.post(url(ServiceRecord), {"instrument": world.instrument.pk, "performed_on": "2024-03-05"},
                    format="json")
    assert r.status_code == 403 and "You may not add" in r.json()["detail"]
    assert client.patch(url(ServiceRecord, mine.pk), {"notes": "x"}, format="json").status_code == 403
    assert client.delete(url(ServiceRecord, mine.pk)).status_code == 403
    assert client.post(url(ServiceRecord, suffix="bulk/"), [{"serial_number": "x"}], format="json").status_code == 403


def _record_payload(world, **kw):
    return {"instrument": world.instrument.pk, "activity": "verification", "performed_on": "2024-03-05",
            "result": "pass", **kw}


def test_a_provider_records_a_verification_through_the_write_path(world, api_as):
    designate(world.provider, world.kind, decision_date=dt.date(2018, 1, 1), expires_on=dt.date(2030, 12, 31))
    client = api_as(Role.PROVIDER)
    r = client.post(url(ServiceRecord), _record_payload(world, certificate_number="API-0001"), format="json")
    assert r.status_code == 201, r.content
    body = r.json()
    rec = ServiceRecord.objects.get(pk=body["id"])
    assert rec.provider_id == world.provider.pk  # the owner field, as the form fills it
    assert rec.source == Source.API and body["source"] == "api"
    assert body["valid_until"] == "2025-03-04"  # derived, shown, never taken
    change = ObjectChange.objects.for_object(rec).get()
    assert change.user_id == world.users[Role.PROVIDER].pk and change.action == ObjectChange.Action.CREATE
    # Derived and non-editable values in the input are not taken.
    r = client.patch(url(ServiceRecord, rec.pk), {"notes": "checked", "valid_until": "2099-01-01"}, format="json")
    assert r.status_code == 200, r.content
    rec.refresh_from_db()
    assert (rec.notes, rec.valid_until, rec.source) == ("checked", dt.date(2025, 3, 4), Source.API)
    assert ObjectChange.objects.for_object(rec).count() == 2
    # Another provider's organisation as the owner: refused with the write path's reason.
    r = client.post(url(ServiceRecord), _record_payload(world, provider=world.stranger(Role.PROVIDER).pk),
                    format="json")
    assert r.status_code == 403
    assert r.json()["detail"] == "These values would put the object outside what your organisation may change."
    gone = client.delete(url(ServiceRecord, rec.pk))
    if gone.status_code == 400:  # the model refuses deleting it (an issued certificate): the reason, nothing deleted
        assert list(gone.json()) == ["non_field_errors"] and ServiceRecord.objects.filter(pk=rec.pk).exists()
    else:
        assert gone.status_code == 204, gone.content
        assert not ServiceRecord.objects.filter(pk=rec.pk).exists()


def _web_messages_contain(response, messages):
    text = response.content.decode()
    return [m for m in messages if html.escape(m) not in text and m not in text]


def test_a_write_the_form_refuses_is_refused_with_the_same_messages(world, client, api_as):
    provider = world.users[Role.PROVIDER]
    client.force_login(provider)
    web = client.post(reverse("records:servicerecord_add"), {
        "instrument": world.instrument.pk, "activity": "verification", "performed_on": "01/01/2099",
        "result": "done"}, HTTP_ACCEPT_LANGUAGE="en")
    assert web.status_code == 400
    r = api_as(Role.PROVIDER).post(url(ServiceRecord), _record_payload(world, performed_on="2099-01-01",
                                                                       result="done"), format="json")
    assert r.status_code == 400
    errors = r.json()
    assert errors["performed_on"] == ["The date 01/01/2099 is in the future."]
    assert errors["result"] == ["A verification ends in pass or fail."]
    assert "designation" in errors["non_field_errors"][0]
    messages = [m for ms in errors.values() for m in ms]
    # the web page is in the user's language (Vietnamese unless chosen): compare in Vietnamese too
    vi = api_as(Role.PROVIDER, "vi").post(url(ServiceRecord), _record_payload(
        world, performed_on="2099-01-01", result="done"), format="json").json()
    vi_messages = [m for ms in vi.values() for m in ms]
    assert vi_messages != messages
    assert _web_messages_contain(web, vi_messages) == []
    assert not ServiceRecord.objects.filter(performed_on=dt.date(2099, 1, 1)).exists()


def test_declared_rules_refuse_the_same_on_both_faces(world, client, api_as):
    officer = world.users[Role.OFFICER]
    client.force_login(officer)
    client.post("/i18n/setlang/", {"language": "en"})
    data = {"provider": world.provider.pk, "decision_number": "9/QĐ", "decision_date": "2020-05-01",
            "expires_on": "2019-01-01"}
    web = client.post(reverse("providers:designation_add"), {**data, "decision_date": "01/05/2020",
                                                              "expires_on": "01/01/2019"})
    r = api_as(Role.OFFICER).post(url(Designation), data, format="json")
    assert web.status_code == r.status_code == 400
    assert r.json() == {"expires_on": ["The expiry date is before the decision date."]}
    assert _web_messages_contain(web, r.json()["expires_on"]) == []
    assert not Designation.objects.filter(decision_number="9/QĐ").exists()
    missing = api_as(Role.OFFICER).post(url(Designation), {"provider": world.provider.pk}, format="json").json()
    assert missing["decision_number"] == ["This field is required."]


def test_an_organisation_changes_its_contact_details_only(world, api_as):
    client = api_as(Role.ENTERPRISE)
    org = world.enterprise
    r = client.patch(url(Organization, org.pk), {"phone": "0216 3123456"}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["phone"] == "0216 3123456"
    r = client.patch(url(Organization, org.pk), {"tax_code": "0101234567"}, format="json")
    assert r.status_code == 403
    assert r.json()["detail"].startswith("Your organisation may not change: tax code")
    other = world.stranger(Role.ENTERPRISE)
    assert client.patch(url(Organization, other.pk), {"phone": "1"}, format="json").status_code == 404


def test_workflow_fields_are_changed_only_by_the_workflow(world, api_as):
    from doluong.programmes.models import AssuranceCase

    case = world.objects[AssuranceCase]
    r = api_as(Role.OFFICER).patch(url(AssuranceCase, case.pk), {"stage": "closed"}, format="json")
    assert r.status_code == 400
    assert r.json() == {"stage": ["This field is changed only by its workflow (the buttons on the object's page)."]}
    case.refresh_from_db()
    assert case.stage != "closed"


def test_values_of_the_wrong_kind_are_400_not_500(world, api_as):
    designate(world.provider, world.kind, decision_date=dt.date(2018, 1, 1), expires_on=dt.date(2030, 12, 31))
    client = api_as(Role.PROVIDER)
    for bad in ({"instrument": {"id": 1}}, {"instrument": True}, {"performed_on": 20240305},
                {"performed_on": ["2024-03-05"]}, {"points": [1, 2]}, {"scale_interval_e": [1]},
                {"instrument": 10**30}, {"notes": {"a": 1}}):
        r = client.post(url(ServiceRecord), {**_record_payload(world), **bad}, format="json")
        assert r.status_code == 400, (bad, r.content)
        assert set(r.json()) & set(bad), (bad, r.json())
    assert client.post(url(ServiceRecord), [1, 2], format="json").status_code == 400
    assert client.post(url(ServiceRecord), "text", format="json").status_code == 400
    r = client.generic("POST", url(ServiceRecord), "{not json", content_type="application/json")
    assert r.status_code == 400


def test_a_locked_object_is_refused_with_its_reason(world, api_as):
    from doluong.plans.models import ProgressReport

    report = world.objects[ProgressReport]
    ProgressReport.objects.filter(pk=report.pk).update(status="submitted")
    reason = ProgressReport.objects.get(pk=report.pk).edit_lock()
    assert reason
    client = api_as(Role.OFFICER)
    r = client.patch(url(ProgressReport, report.pk), {"done_text": "x"}, format="json")
    assert r.status_code == 400 and reason in str(r.json())
    r = client.delete(url(ProgressReport, report.pk))
    assert r.status_code == 400 and reason in str(r.json())


def test_a_delete_refused_because_others_refer_to_it_is_409(world, api_as):
    instrument = InstrumentFactory(owner=world.enterprise, kind=world.kind)
    RecordFactory(provider=world.provider, instrument=instrument)
    r = api_as(Role.OFFICER).delete(url(type(instrument), instrument.pk))
    assert r.status_code == 409 and "cannot be deleted" in r.json()["detail"]


def test_users_are_the_officers_and_never_show_a_password(world, api_as):
    from doluong.orgs.models import User

    stranger = user_for(Role.AGENCY, world.agency)
    assert api_as(Role.AGENCY).get(url(User)).status_code == 403
    body = api_as(Role.OFFICER).get(url(User, stranger.pk)).json()
    assert body["username"] == stranger.username and "password" not in body
    r = api_as(Role.OFFICER).post(url(User), {"username": "lims", "role": "provider",
                                             "organization": world.provider.pk, "password": "short"}, format="json")
    assert r.status_code == 400 and "password" in r.json()
