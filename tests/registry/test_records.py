"""Records: designation scope, certificate uniqueness, validity and instruments' due dates."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from doluong.core import writes
from doluong.instruments.models import Instrument
from doluong.providers.models import Activity
from doluong.records.models import ServiceRecord
from tests.factories import InstrumentFactory, KindFactory, OfficerFactory, ProviderFactory, RecordFactory, designate

pytestmark = pytest.mark.django_db


def new_record(**kw):
    return ServiceRecord(**{"activity": Activity.VERIFICATION, "result": "pass",
                            "performed_on": dt.date(2024, 3, 5), **kw})


def test_record_outside_designation_scope_is_refused_with_reason():
    provider, instrument = ProviderFactory(), InstrumentFactory()
    record = new_record(provider=provider, instrument=instrument)
    with pytest.raises(ValidationError) as err:
        record.full_clean()
    assert "Vào ngày 05/03/2024, tổ chức kiểm định không có quyết định chỉ định còn hiệu lực" in str(err.value)
    assert "không thuộc phạm vi của quyết định chỉ định nào" in str(err.value)  # which rule failed


@pytest.mark.parametrize(("performed_on", "reason"), [
    (dt.date(2018, 12, 31), "designation 7/QĐ-TĐC takes effect on 01/01/2019"),
    (dt.date(2024, 1, 1), "designation 7/QĐ-TĐC expired on 31/12/2023"),
])
def test_each_refusal_names_the_rule_and_its_dates(performed_on, reason):
    from django.utils import translation

    provider, instrument = ProviderFactory(), InstrumentFactory()
    designate(provider, instrument.kind, decision_number="7/QĐ-TĐC", decision_date=dt.date(2019, 1, 1),
              expires_on=dt.date(2023, 12, 31))
    with translation.override("en"), pytest.raises(ValidationError) as err:
        new_record(provider=provider, instrument=instrument, performed_on=performed_on).full_clean()
    assert reason in str(err.value)


def test_a_record_after_a_revocation_is_refused_with_the_revocation_date():
    from django.utils import translation

    provider, instrument = ProviderFactory(), InstrumentFactory()
    scope = designate(provider, instrument.kind, decision_number="8/QĐ-TĐC", decision_date=dt.date(2019, 1, 1))
    scope.designation.revoked_on = dt.date(2024, 2, 1)
    scope.designation.save()
    new_record(provider=provider, instrument=instrument, performed_on=dt.date(2024, 1, 31)).full_clean()
    with translation.override("en"), pytest.raises(ValidationError, match="was revoked on 01/02/2024"):
        new_record(provider=provider, instrument=instrument, performed_on=dt.date(2024, 2, 1)).full_clean()


def test_a_record_in_the_future_or_by_an_inactive_officer_is_refused():
    from django.utils import timezone, translation

    provider, instrument = ProviderFactory(), InstrumentFactory()
    designate(provider, instrument.kind, decision_date=dt.date(2019, 1, 1))
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with translation.override("en"), pytest.raises(ValidationError, match="is in the future"):
        new_record(provider=provider, instrument=instrument, performed_on=tomorrow).full_clean()
    officer = OfficerFactory(provider=provider, full_name="Lê Văn Bình", is_active=False)
    with translation.override("en"), pytest.raises(ValidationError, match="Lê Văn Bình is not active"):
        new_record(provider=provider, instrument=instrument, officer=officer).full_clean()


def test_record_after_designation_expiry_is_refused_and_inside_accepted():
    provider, instrument = ProviderFactory(), InstrumentFactory()
    designate(provider, instrument.kind, decision_date=dt.date(2019, 1, 1), expires_on=dt.date(2023, 12, 31))
    new_record(provider=provider, instrument=instrument, performed_on=dt.date(2023, 12, 31)).full_clean()
    with pytest.raises(ValidationError):
        new_record(provider=provider, instrument=instrument, performed_on=dt.date(2024, 1, 1)).full_clean()


def test_scope_of_another_kind_or_activity_does_not_count():
    provider, instrument = ProviderFactory(), InstrumentFactory()
    designate(provider, KindFactory())
    designate(provider, instrument.kind, activity=Activity.CALIBRATION)
    with pytest.raises(ValidationError):
        new_record(provider=provider, instrument=instrument).full_clean()


def test_capacity_beyond_designated_range_is_refused():
    provider = ProviderFactory()
    instrument = InstrumentFactory(range_max=120000)
    scope = designate(provider, instrument.kind)
    scope.range_max = 60000
    scope.save()
    with pytest.raises(ValidationError) as err:
        new_record(provider=provider, instrument=instrument).full_clean()
    assert "Giới hạn đo 120.000 của phương tiện đo vượt quá phạm vi được chỉ định (tối đa 60.000)" in str(err.value)


def test_certificate_numbers_are_unique_per_provider_only():
    p1, p2, instrument = ProviderFactory(), ProviderFactory(), InstrumentFactory()
    designate(p1, instrument.kind)
    designate(p2, instrument.kind)
    RecordFactory(provider=p1, instrument=instrument, certificate_number="A-1")
    with pytest.raises(ValidationError) as err:
        new_record(provider=p1, instrument=instrument, certificate_number="A-1").full_clean()
    assert "certificate_number" in err.value.message_dict
    new_record(provider=p2, instrument=instrument, certificate_number="A-1").full_clean()


def test_valid_until_follows_the_kinds_interval_and_only_for_passing_verifications():
    provider = ProviderFactory()
    instrument = InstrumentFactory(kind=KindFactory(verification_interval_months=24))
    designate(provider, instrument.kind)
    ok = new_record(provider=provider, instrument=instrument)
    ok.full_clean()
    assert ok.valid_until == dt.date(2026, 3, 4)
    failed = new_record(provider=provider, instrument=instrument, result="fail")
    failed.full_clean()
    assert failed.valid_until is None


def test_due_dates_follow_records_and_the_two_one_query_selections(django_assert_num_queries):
    provider = ProviderFactory()
    kind = KindFactory(verification_interval_months=12)
    designate(provider, kind)
    a, b, c = (InstrumentFactory(kind=kind) for _ in range(3))
    for inst, day in ((a, dt.date(2023, 1, 10)), (b, dt.date(2024, 6, 1)), (c, dt.date(2024, 1, 20))):
        writes.save(new_record(provider=provider, instrument=inst, performed_on=day), user=None, via=writes.Via.FORM)
    a.refresh_from_db()
    assert a.verification_due_on == dt.date(2024, 1, 9)
    assert a.last_verified_on == dt.date(2023, 1, 10)
    on = dt.date(2024, 12, 31)
    with django_assert_num_queries(1):
        assert {i.pk for i in Instrument.objects.overdue(on)} == {a.pk}
    with django_assert_num_queries(1):
        assert {i.pk for i in Instrument.objects.due_within(30, on=dt.date(2024, 12, 25))} == {c.pk}
    # a newer verification moves the due date
    r = writes.save(new_record(provider=provider, instrument=a, performed_on=dt.date(2024, 12, 1)), user=None,
                    via=writes.Via.FORM)
    a.refresh_from_db()
    assert a.verification_due_on == dt.date(2025, 11, 30)
    writes.delete(r, user=None, via=writes.Via.FORM)  # the follow-up refreshes the due date
    a.refresh_from_db()
    assert a.verification_due_on == dt.date(2024, 1, 9)
