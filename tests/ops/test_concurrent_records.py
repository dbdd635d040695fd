"""Two providers recording on the same instrument at the same moment lose nothing, the instrument's due date
follows the latest passing record, and a certificate number is never issued twice by one provider.

Real concurrency: two threads, each with its own database connection and its own transactions, released
together by a barrier, writing through the write path (``writes.save``) as provider users. PostgreSQL only:
SQLite takes the write lock at BEGIN (``transaction_mode=IMMEDIATE``), so its writers never overlap and there
is nothing to race.
"""

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.db.models import Max
from django.utils import timezone, translation

from doluong.core import writes
from doluong.core.roles import Role
from doluong.instruments.models import Instrument
from doluong.providers.models import Activity
from doluong.records.models import ServiceRecord
from tests.factories import InstrumentFactory, KindFactory, ProviderFactory, designate, make_user

pytestmark = pytest.mark.django_db(transaction=True)

N = 30  # records per provider
TIMEOUT = 120  # seconds a thread may wait at a barrier before the test fails instead of hanging


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (set DATABASE_URL=postgres://…): SQLite serialises "
                    "write transactions, so two providers can never write at the same moment there")


@pytest.fixture
def world():
    kind = KindFactory(code="CAN-OTO", name="Cân ô tô", verification_interval_months=12)
    instrument = InstrumentFactory(kind=kind, serial_number="SN-RACE")
    providers = []
    for code in ("TTKD-A", "TTKD-B"):
        provider = ProviderFactory(provider_code=code)
        designate(provider, kind, decision_date=dt.date(2018, 1, 1), expires_on=dt.date(2030, 12, 31))
        providers.append((provider, make_user(Role.PROVIDER, organization=provider)))
    return instrument, providers


def run_threads(*targets, barriers=()):
    """Run each target in its own thread (own connection, closed at the end); re-raise the first failure.
    A failing thread breaks the ``barriers``, so that its partner stops instead of waiting for it."""
    failures = []

    def wrap(fn):
        def body():
            try:
                with translation.override("en"):  # the messages checked below (threads start in Vietnamese)
                    fn()
            except threading.BrokenBarrierError as exc:  # the partner failed: its error is the one to see
                failures.append(exc)
            except BaseException as exc:  # handed to the test thread
                failures.insert(0, exc)
                for barrier in barriers:
                    barrier.abort()
            finally:
                connections.close_all()

        return body

    threads = [threading.Thread(target=wrap(fn)) for fn in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT + 30)
    assert not any(t.is_alive() for t in threads), "a writer thread hung"
    if failures:
        raise failures[0]


def record(provider, instrument, day, number, result="pass"):
    return ServiceRecord(provider=provider, instrument_id=instrument.pk, activity=Activity.VERIFICATION,
                         performed_on=day, result=result, certificate_number=number)


def latest_passing_valid_until(instrument):
    return ServiceRecord.objects.filter(instrument=instrument, activity=Activity.VERIFICATION, result="pass",
                                        withdrawn_on__isnull=True, superseded_by__isnull=True,
                                        ).aggregate(m=Max("valid_until"))["m"]


def due_on(instrument):
    return Instrument.objects.values_list("verification_due_on", flat=True).get(pk=instrument.pk)


def test_two_providers_at_once_lose_nothing_and_the_due_date_follows(world):
    """Free-running: both providers save N records as fast as they can, released together."""
    instrument, ((a, user_a), (b, user_b)) = world
    start = threading.Barrier(2, timeout=TIMEOUT)
    first = timezone.localdate() - dt.timedelta(days=2 * N + 10)

    def writer(provider, user, offset):
        def run():
            start.wait()
            for i in range(N):
                day = first + dt.timedelta(days=2 * i + offset)  # the two providers' dates interleave
                result = "fail" if i % 7 == 3 else "pass"
                writes.save(record(provider, instrument, day, f"{provider.provider_code}/{i:03d}", result),
                            user=user, via=writes.Via.FORM)
        return run

    run_threads(writer(a, user_a, 0), writer(b, user_b, 1), barriers=[start])

    records = ServiceRecord.objects.filter(instrument=instrument)
    assert records.count() == 2 * N
    for provider in (a, b):
        numbers = set(records.filter(provider=provider).values_list("certificate_number", flat=True))
        assert numbers == {f"{provider.provider_code}/{i:03d}" for i in range(N)}
    assert ServiceRecord.objects.values("provider", "certificate_number").distinct().count() == 2 * N
    assert due_on(instrument) == latest_passing_valid_until(instrument) is not None


def test_due_date_right_after_every_simultaneous_pair(world):
    """Lockstep: in each round both providers save one record at the same moment, one of them with the later
    date (alternating, sometimes a failed verification); after each round the due date must be the latest
    passing record's — a refresh computed without the other transaction's record would leave it behind."""
    instrument, ((a, user_a), (b, user_b)) = world
    start, done, checked = (threading.Barrier(2, timeout=TIMEOUT) for _ in range(3))
    first = timezone.localdate() - dt.timedelta(days=2 * N + 10)
    wrong = []

    def writer(provider, user, me):
        def run():
            for i in range(N):
                later = (i % 2 == 0) == (me == 0)
                day = first + dt.timedelta(days=2 * i + (1 if later else 0))
                result = "fail" if later and i % 5 == 4 else "pass"
                start.wait()
                writes.save(record(provider, instrument, day, f"{provider.provider_code}/{i:03d}", result),
                            user=user, via=writes.Via.FORM)
                done.wait()
                if me == 0:
                    expected, found = latest_passing_valid_until(instrument), due_on(instrument)
                    if found != expected:
                        wrong.append((i, found, expected))
                checked.wait()
        return run

    run_threads(writer(a, user_a, 0), writer(b, user_b, 1), barriers=[start, done, checked])

    assert ServiceRecord.objects.filter(instrument=instrument).count() == 2 * N
    assert not wrong, f"due date behind the latest passing record after {len(wrong)} of {N} rounds " \
                      f"(round, stored, expected): {wrong[:5]}"


def test_same_certificate_number_at_once_one_wins_the_other_is_told(world):
    """Two users of one provider issue the same number at the same moment: one record, one clear refusal."""
    instrument, ((a, user_a), _b) = world
    colleague = make_user(Role.PROVIDER, organization=a)
    rounds = 8
    start = threading.Barrier(2, timeout=TIMEOUT)
    outcomes: list[list] = [[], []]
    day = timezone.localdate() - dt.timedelta(days=30)

    def writer(user, me):
        def run():
            for i in range(rounds):
                start.wait()
                try:
                    writes.save(record(a, instrument, day, f"GCN-SAME-{i}"), user=user, via=writes.Via.FORM)
                    outcomes[me].append("saved")
                except ValidationError as exc:
                    outcomes[me].append(exc)
        return run

    run_threads(writer(user_a, 0), writer(colleague, 1), barriers=[start])

    for i in range(rounds):
        pair = [outcomes[0][i], outcomes[1][i]]
        assert pair.count("saved") == 1, f"round {i}: {pair}"
        refusal = next(o for o in pair if o != "saved")
        assert isinstance(refusal, ValidationError)
        assert refusal.message_dict.get("certificate_number") == [
            f"Certificate number GCN-SAME-{i} is already used by this provider."], refusal.message_dict
        assert ServiceRecord.objects.filter(provider=a, certificate_number=f"GCN-SAME-{i}").count() == 1
    assert ServiceRecord.objects.filter(provider=a).count() == rounds
    assert due_on(instrument) == latest_passing_valid_until(instrument)
