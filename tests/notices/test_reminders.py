"""Reminders: the right users only, once; e-mail where configured, never failing the run."""

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone, translation

from doluong.core.roles import Role
from doluong.instruments.models import Instrument, InstrumentStatus
from doluong.notices import services
from doluong.notices.models import NoticeKind, Notification
from tests.factories import (
    DesignationFactory,
    InstrumentFactory,
    OfficerFactory,
    OrganizationFactory,
    ProviderFactory,
    StandardFactory,
    make_user,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 1)


def due(instrument, day):
    Instrument.objects.filter(pk=instrument.pk).update(verification_due_on=day)


@pytest.fixture
def world():
    w = type("W", (), {})()
    w.a, w.b = OrganizationFactory(name="Công ty A"), OrganizationFactory(name="Công ty B")
    w.a_user = make_user(Role.ENTERPRISE, w.a, username="a1")
    w.a_user2 = make_user(Role.ENTERPRISE, w.a, username="a2")
    w.a_gone = make_user(Role.ENTERPRISE, w.a, username="a-gone")
    w.a_gone.is_active = False
    w.a_gone.save()
    w.b_user = make_user(Role.ENTERPRISE, w.b, username="b1")
    w.provider = ProviderFactory(name="Trung tâm P")
    w.p_user = make_user(Role.PROVIDER, w.provider, username="p1")
    w.other_provider = ProviderFactory(name="Trung tâm Q")
    w.q_user = make_user(Role.PROVIDER, w.other_provider, username="q1")
    w.officer = make_user(Role.OFFICER, username="officer1")

    w.due_soon = InstrumentFactory(owner=w.a)
    due(w.due_soon, TODAY + dt.timedelta(days=10))
    w.overdue = InstrumentFactory(owner=w.a)
    due(w.overdue, TODAY - dt.timedelta(days=3))
    w.later = InstrumentFactory(owner=w.a)
    due(w.later, TODAY + dt.timedelta(days=90))
    w.retired = InstrumentFactory(owner=w.b, status=InstrumentStatus.RETIRED)
    due(w.retired, TODAY - dt.timedelta(days=3))

    w.officer_expiring = OfficerFactory(provider=w.provider, expires_on=TODAY + dt.timedelta(days=20))
    OfficerFactory(provider=w.provider, expires_on=TODAY + dt.timedelta(days=200))
    OfficerFactory(provider=w.provider, expires_on=TODAY + dt.timedelta(days=5), is_active=False)
    w.standard = StandardFactory(owner=w.provider, calibration_due_on=TODAY + dt.timedelta(days=30))
    StandardFactory(owner=w.provider, calibration_due_on=TODAY + dt.timedelta(days=300))
    w.designation = DesignationFactory(provider=w.provider, expires_on=TODAY + dt.timedelta(days=40))
    DesignationFactory(provider=w.provider, expires_on=TODAY + dt.timedelta(days=40), revoked_on=TODAY)
    DesignationFactory(provider=w.other_provider, expires_on=TODAY + dt.timedelta(days=400))
    return w


def kinds_of(user):
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", "object_id"))


def test_reminders_reach_the_right_users_only_and_only_once(world):
    w = world
    done = services.remind(days=30, today=TODAY)
    assert done.counts == {NoticeKind.INSTRUMENT_DUE: 2, NoticeKind.INSTRUMENT_OVERDUE: 2,
                           NoticeKind.OFFICER_EXPIRING: 1, NoticeKind.STANDARD_DUE: 1,
                           NoticeKind.DESIGNATION_EXPIRING: 1}
    expected_a = sorted([(NoticeKind.INSTRUMENT_DUE, w.due_soon.pk), (NoticeKind.INSTRUMENT_OVERDUE, w.overdue.pk)])
    assert kinds_of(w.a_user) == kinds_of(w.a_user2) == expected_a
    assert kinds_of(w.p_user) == sorted([(NoticeKind.OFFICER_EXPIRING, w.officer_expiring.pk),
                                         (NoticeKind.STANDARD_DUE, w.standard.pk),
                                         (NoticeKind.DESIGNATION_EXPIRING, w.designation.pk)])
    for nobody in (w.a_gone, w.b_user, w.q_user, w.officer):
        assert kinds_of(nobody) == []

    again = services.remind(days=30, today=TODAY)
    assert again.total == 0
    assert Notification.objects.count() == done.total

    # The same instrument, once overdue, is a new event; a new verification (a new due date) another one.
    later = services.remind(days=30, today=TODAY + dt.timedelta(days=11))
    assert later.counts[NoticeKind.INSTRUMENT_OVERDUE] == 2  # due_soon is now overdue, for both users
    due(w.overdue, TODAY + dt.timedelta(days=20))
    assert services.remind(days=30, today=TODAY).counts == {NoticeKind.INSTRUMENT_DUE: 2}


def test_a_notification_says_what_and_when_in_the_readers_language(world):
    services.remind(days=30, today=TODAY)
    n = Notification.objects.get(recipient=world.a_user, kind=NoticeKind.INSTRUMENT_OVERDUE)
    assert n.due_on == TODAY - dt.timedelta(days=3)
    assert "26/02/2026" in n.title and str(world.overdue.serial_number) in n.title  # stored for the e-mail
    assert n.url == world.overdue.get_absolute_url()
    with translation.override("en"):
        assert n.shown_title.startswith("Verification overdue since 26/02/2026")


def test_the_window_comes_from_the_setting(world, settings):
    settings.DOLUONG_REMIND_DAYS = 5
    done = services.remind(today=TODAY)
    assert NoticeKind.INSTRUMENT_DUE not in done.counts  # due in 10 days: outside 5
    settings.DOLUONG_REMIND_DAYS = 30
    assert services.remind(today=TODAY).counts[NoticeKind.INSTRUMENT_DUE] == 2


def test_a_dry_run_writes_nothing(world):
    done = services.remind(days=30, today=TODAY, dry_run=True)
    assert done.total == 7
    assert Notification.objects.count() == 0


def test_the_command_runs_the_task_and_is_idempotent(world, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    call_command("remind", "--days", "30", "--dry-run")
    assert Notification.objects.count() == 0
    call_command("remind", "--days", "30")
    first = Notification.objects.count()
    assert first == 7
    call_command("remind")
    assert Notification.objects.count() == first


def test_email_is_sent_when_configured(world, settings, django_capture_on_commit_callbacks):
    settings.DOLUONG_EMAIL_ENABLED = True
    settings.DOLUONG_SITE_URL = "https://doluong.example.vn"
    User = type(world.a_user)
    User.objects.filter(pk=world.a_user.pk).update(email="a1@example.vn")
    User.objects.filter(pk=world.p_user.pk).update(email="p1@example.vn")
    with django_capture_on_commit_callbacks(execute=True):
        services.remind(days=30, today=TODAY)
    by_to = {m.to[0]: m for m in mail.outbox}
    assert len(mail.outbox) == 2
    assert set(by_to) == {"a1@example.vn", "p1@example.vn"}  # one message each; a2 has no address
    assert "https://doluong.example.vn/instruments/instrument/" in by_to["a1@example.vn"].body
    assert Notification.objects.filter(recipient=world.a_user, emailed_at__isnull=False).count() == 2
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.remind(days=30, today=TODAY)
    assert mail.outbox == []


def test_no_email_when_not_configured(world, settings, django_capture_on_commit_callbacks):
    settings.DOLUONG_EMAIL_ENABLED = False
    type(world.a_user).objects.filter(pk=world.a_user.pk).update(email="a1@example.vn")
    with django_capture_on_commit_callbacks(execute=True):
        services.remind(days=30, today=TODAY)
    assert mail.outbox == []
    assert Notification.objects.filter(recipient=world.a_user).count() == 2


def test_a_mail_failure_does_not_fail_the_run(world, settings, monkeypatch, django_capture_on_commit_callbacks):
    settings.DOLUONG_EMAIL_ENABLED = True
    type(world.a_user).objects.filter(pk=world.a_user.pk).update(email="a1@example.vn")

    def broken(*args, **kwargs):
        raise OSError("smtp down")

    monkeypatch.setattr(services, "send_mass_mail", broken)
    with django_capture_on_commit_callbacks(execute=True):
        done = services.remind(days=30, today=TODAY)
    assert done.total == 7
    assert not Notification.objects.filter(emailed_at__isnull=False).exists()
