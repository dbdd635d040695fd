"""Service requests: the scope rule with its message, who sees what, the provider's answer, the notifications."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from doluong.core import writes
from doluong.core.roles import Role
from doluong.notices import services
from doluong.notices.models import NoticeKind, Notification, RequestStatus, ServiceRequest
from doluong.providers.models import Activity
from doluong.providers.selectors import scope_problem
from doluong.web.waiting import waiting_for
from tests.factories import InstrumentFactory, KindFactory, OrganizationFactory, ProviderFactory, designate, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def w():
    w = type("W", (), {})()
    w.kind, w.other_kind = KindFactory(name="Cân ô tô"), KindFactory(name="Cột đo xăng dầu")
    w.a, w.b = OrganizationFactory(name="Công ty A"), OrganizationFactory(name="Công ty B")
    w.a_user, w.b_user = make_user(Role.ENTERPRISE, w.a, "ent-a"), make_user(Role.ENTERPRISE, w.b, "ent-b")
    w.pa, w.pb = ProviderFactory(name="Trung tâm A"), ProviderFactory(name="Trung tâm B")
    w.pa_user, w.pb_user = make_user(Role.PROVIDER, w.pa, "prov-a"), make_user(Role.PROVIDER, w.pb, "prov-b")
    w.officer = make_user(Role.OFFICER, username="officer-x")
    designate(w.pa, w.kind)  # A verifies truck scales; B only fuel dispensers, and an expired truck-scale one
    designate(w.pb, w.other_kind)
    designate(w.pb, w.kind, decision_date=dt.date(2015, 1, 1), expires_on=dt.date(2020, 12, 31))
    w.scale = InstrumentFactory(owner=w.a, kind=w.kind)
    w.b_scale = InstrumentFactory(owner=w.b, kind=w.kind)
    return w


def client_for(client, user):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def send(w, provider=None, instruments=None, user=None):
    return services.send_request(user=user or w.a_user, provider=provider or w.pa,
                                 instruments=instruments or [w.scale], activity=Activity.VERIFICATION,
                                 message="Đề nghị kiểm định cân ô tô")


def test_a_request_outside_the_kinds_scope_is_refused_with_the_scope_message(w):
    expected = scope_problem(provider_id=w.pb.pk, kind_id=w.kind.pk, activity=Activity.VERIFICATION,
                             on=timezone.localdate())
    assert "expired on 31/12/2020" in expected
    with pytest.raises(ValidationError) as exc:
        send(w, provider=w.pb)
    assert any(expected in m for m in exc.value.messages)
    nobody = ProviderFactory(name="Trung tâm C")
    with pytest.raises(ValidationError) as exc:
        send(w, provider=nobody)
    assert any("the kind is not in the scope of any of its designations" in m for m in exc.value.messages)
    assert not ServiceRequest.objects.exists() and not Notification.objects.exists()


def test_the_form_refuses_it_too_with_the_message(client, w):
    c = client_for(client, w.a_user)
    r = c.post(reverse("notices_flow:request_new") + f"?instrument={w.scale.pk}", {
        "provider": w.pb.pk, "instruments": [w.scale.pk], "activity": Activity.VERIFICATION, "message": "x"})
    assert r.status_code == 400
    assert "expired on 31/12/2020" in r.content.decode()
    assert not ServiceRequest.objects.exists()


def test_an_enterprise_may_not_ask_for_another_enterprises_instrument(w):
    with pytest.raises(ValidationError) as exc:
        send(w, instruments=[w.b_scale])
    assert "is not an instrument of the enterprise" in " ".join(exc.value.messages)


def test_the_request_page_offers_only_providers_covering_the_kind(client, w):
    c = client_for(client, w.a_user)
    page = c.get(reverse("instruments:instrument", args=[w.scale.pk])).content.decode()
    url = reverse("notices_flow:request_new") + f"?instrument={w.scale.pk}"
    assert url.replace("&", "&amp;") in page or url in page  # the "Request service" action of the owner
    r = c.get(url)
    assert r.status_code == 200
    choices = [str(p) for p in r.context["form"].fields["provider"].queryset]
    assert choices == ["Trung tâm A"]
    assert r.context["form"].initial["instruments"] == [w.scale.pk]
    # another enterprise's instrument is not found; its page offers no action to a provider
    assert c.get(reverse("notices_flow:request_new") + f"?instrument={w.b_scale.pk}").status_code == 404
    p = client_for(client, w.pa_user)
    assert "request/new/" not in p.get(reverse("instruments:instrument", args=[w.scale.pk])).content.decode()
    assert p.get(url).status_code == 404


def test_sending_through_the_page_notifies_the_provider(client, w):
    c = client_for(client, w.a_user)
    r = c.post(reverse("notices_flow:request_new") + f"?instrument={w.scale.pk}", {
        "provider": w.pa.pk, "instruments": [w.scale.pk], "activity": Activity.VERIFICATION,
        "message": "Xin kiểm định trước 15/04", "preferred_date": "15/04/2030"})
    assert r.status_code == 302, r.content.decode()[:3000]
    req = ServiceRequest.objects.get()
    assert (req.enterprise, req.provider, req.status, list(req.instruments.all())) == (
        w.a, w.pa, RequestStatus.SENT, [w.scale])
    assert req.preferred_date == dt.date(2030, 4, 15)
    note = Notification.objects.get(recipient=w.pa_user)
    assert note.kind == NoticeKind.REQUEST_RECEIVED and note.url == req.get_absolute_url()
    assert not Notification.objects.exclude(recipient=w.pa_user).exists()
    assert [i.key for i in waiting_for(w.pa_user, timezone.localdate())][:1] == ["requests_to_answer"]
    assert "requests_to_answer" not in [i.key for i in waiting_for(w.pb_user, timezone.localdate())]


def test_enterprises_and_providers_see_only_their_own_requests(client, w):
    mine = send(w)
    designate(w.pb, w.kind)
    other = send(w, provider=w.pb, instruments=[w.b_scale], user=w.b_user)

    def seen(user):
        c = client_for(client, user)
        listed = {r.pk for r in c.get(reverse("notices:servicerequest_list")).context["table"].data}
        opened = {r.pk for r in (mine, other)
                  if c.get(reverse("notices:servicerequest", args=[r.pk])).status_code == 200}
        return listed, opened

    assert seen(w.a_user) == ({mine.pk}, {mine.pk})
    assert seen(w.b_user) == ({other.pk}, {other.pk})
    assert seen(w.pa_user) == ({mine.pk}, {mine.pk})
    assert seen(w.pb_user) == ({other.pk}, {other.pk})
    assert seen(w.officer) == ({mine.pk, other.pk}, {mine.pk, other.pk})
    agency = make_user(Role.AGENCY, OrganizationFactory(), "agency-x")
    assert seen(agency) == (set(), set())


def test_the_provider_answers_and_the_enterprise_is_notified(client, w):
    req = send(w)
    c = client_for(client, w.pa_user)
    detail = c.get(req.get_absolute_url()).content.decode()
    assert 'data-testid="answer-accepted"' in detail
    r = c.post(reverse("notices_flow:request_answer", args=[req.pk]),
               {"status": RequestStatus.ACCEPTED, "text": "Chúng tôi sẽ đến ngày 20/04."})
    assert r.status_code == 302
    req.refresh_from_db()
    assert (req.status, req.answer, req.answered_on) == (RequestStatus.ACCEPTED, "Chúng tôi sẽ đến ngày 20/04.",
                                                          timezone.localdate())
    note = Notification.objects.get(recipient=w.a_user)
    assert note.kind == NoticeKind.REQUEST_ANSWERED
    assert "accepted" in note.shown_title and "Trung tâm A" in note.shown_title
    # done later: a second notification; answering the same status again is refused
    services.answer(request_obj=req, user=w.pa_user, status=RequestStatus.DONE)
    assert Notification.objects.filter(recipient=w.a_user).count() == 2
    with pytest.raises(ValidationError):
        services.answer(request_obj=req, user=w.pa_user, status=RequestStatus.ACCEPTED)
    assert req.edit_lock()


def test_only_the_addressed_provider_answers_and_a_refusal_needs_a_reason(client, w):
    req = send(w)
    for user in (w.a_user, w.pb_user, w.officer):
        with pytest.raises(PermissionDenied):
            services.answer(request_obj=req, user=user, status=RequestStatus.ACCEPTED)
    c = client_for(client, w.pb_user)
    assert c.post(reverse("notices_flow:request_answer", args=[req.pk]),
                  {"status": RequestStatus.ACCEPTED}).status_code == 404
    with pytest.raises(ValidationError):
        services.answer(request_obj=req, user=w.pa_user, status=RequestStatus.DECLINED, text="  ")
    services.answer(request_obj=req, user=w.pa_user, status=RequestStatus.DECLINED, text="Hết lịch tháng 4.")
    assert ServiceRequest.objects.get().status == RequestStatus.DECLINED


def test_the_status_moves_only_through_the_workflow(w):
    req = send(w)
    req.status = RequestStatus.DONE
    with pytest.raises(ValidationError):
        writes.save(req, user=w.a_user, via=writes.Via.FORM)


def test_notifications_page_badge_and_mark_read(client, w):
    send(w)
    send(w)
    c = client_for(client, w.pa_user)
    home = c.get(reverse("home")).content.decode()
    assert 'data-testid="unread-count">2<' in home
    r = c.get(reverse("notices_flow:inbox"))
    assert r.status_code == 200 and r.content.decode().count('data-testid="notice"') == 2
    first = Notification.objects.filter(recipient=w.pa_user).first()
    other = make_user(Role.PROVIDER, w.pb, "prov-b2")
    assert client_for(client, other).post(reverse("notices_flow:read", args=[first.pk])).status_code == 404
    c = client_for(client, w.pa_user)
    r = c.post(reverse("notices_flow:read", args=[first.pk]), {"open": "1"})
    assert r.status_code == 302 and r["Location"] == first.url
    assert Notification.objects.filter(recipient=w.pa_user, read_at__isnull=True).count() == 1
    assert c.get(reverse("notices_flow:read", args=[first.pk])).status_code == 405
    c.post(reverse("notices_flow:read_all"))
    assert not Notification.objects.filter(recipient=w.pa_user, read_at__isnull=True).exists()
    assert 'data-testid="unread-count"' not in c.get(reverse("home")).content.decode()


def test_the_provider_is_mailed_a_request_where_mail_is_configured(w, settings, django_capture_on_commit_callbacks):
    from django.core import mail

    settings.DOLUONG_EMAIL_ENABLED = True
    type(w.pa_user).objects.filter(pk=w.pa_user.pk).update(email="prov-a@example.vn")
    with django_capture_on_commit_callbacks(execute=True):
        send(w)
    assert [m.to for m in mail.outbox] == [["prov-a@example.vn"]]
    assert "Công ty A" in mail.outbox[0].subject
