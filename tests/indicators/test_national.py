"""The national roll-up: every province's figures side by side, on today's map and on the one before 01/07/2025,
equal to each province's own dashboard; only nationwide readers open it."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from doluong.indicators.services import load_plan_targets
from tests.core.test_provinces import Provinces
from tests.programmes.factories import AttendanceFactory, TrainingFactory

pytestmark = pytest.mark.django_db
AS_OF = "24/11/2026"


@pytest.fixture
def w(geo_map):
    w = Provinces(geo_map)
    w.plan_tq.start_year = 2026
    w.plan_tq.save()
    load_plan_targets(w.plan_210, [{"code": "T4", "label_vi": "T4", "by_2025": 100, "by_2030": 150}])
    load_plan_targets(w.plan_tq, [{"code": "T4", "label_vi": "T4", "by_2025": 2, "by_2030": 4}])
    # person-times: 3 in old Yên Bái in 2024 (old map), 2 in Lào Cai in 2025 (after the reform), 4 in Tuyên Quang
    # in 2026 and 1 there in 2025, before its plan began
    for unit, day, n in ((geo_map.old_commune, dt.date(2024, 5, 14), 3), (geo_map.new_commune, dt.date(2025, 9, 1), 2),
                         (w.tq_commune, dt.date(2026, 3, 2), 4), (w.tq_commune, dt.date(2025, 10, 6), 1)):
        training = TrainingFactory(starts_on=day, ends_on=day, unit=unit)
        for _ in range(n):
            AttendanceFactory(training=training)
    return w


def table(client, user, **params):
    client.force_login(user)
    r = client.get(reverse("indicators_flow:national"), {"as_of": AS_OF, **params})
    assert r.status_code == 200
    return {row.province: row for row in r.context["rows"]}, r


def t4(row):
    return next(c for c in row.cells if c.indicator.code == "T4")


def test_each_province_side_by_side_on_todays_map(w, client):
    rows, r = table(client, w.users["national"])
    assert set(rows) == {w.geo.lao_cai, w.tq}
    assert rows[w.geo.lao_cai].plan == w.plan_210 and rows[w.tq].plan == w.plan_tq
    lc, tq = t4(rows[w.geo.lao_cai]), t4(rows[w.tq])
    assert (lc.value, tq.value) == (Decimal(5), Decimal(4))  # Tuyên Quang from its plan's start (2026)
    assert lc.progress.target.value == 150 and lc.progress.status == "off_track"  # 2025's milestone has passed
    assert tq.progress.status == "achieved"
    html = r.content.decode()
    assert f'href="{reverse("indicators_flow:dashboard")}?unit={w.tq.pk}' in html


def test_a_figure_equals_the_provinces_own_dashboard_and_its_records(w, client):
    rows, _r = table(client, w.users["national"])
    for province, plan in ((w.geo.lao_cai, w.plan_210), (w.tq, w.plan_tq)):
        client.force_login(w.users["national"])
        dash = client.get(reverse("indicators_flow:dashboard"), {"unit": province.pk, "plan": plan.pk, "as_of": AS_OF})
        shown = next(p for p in dash.context["progress"] if p.target.indicator.code == "T4"
                     and p.target.milestone.year == 2030)
        assert shown.value == t4(rows[province]).value
        facts = client.get(reverse("indicators_flow:facts", args=["T4"]),
                           {"unit": province.pk, "plan": plan.pk, "as_of": AS_OF})
        assert facts.context["value"] == t4(rows[province]).value
        assert facts.context["table"].paginator.count == t4(rows[province]).value


def test_on_the_old_map_the_old_provinces_count_what_happened_there(w, client):
    rows, _r = table(client, w.users["national"], map="record")
    assert set(rows) == {w.geo.yen_bai, w.geo.old_lao_cai}  # Tuyên Quang has no older province in this map
    assert rows[w.geo.yen_bai].plan == w.plan_210  # issued by the old Yên Bái
    assert t4(rows[w.geo.yen_bai]).value == 3  # the 2025 training was held after the reform, on the new map
    assert t4(rows[w.geo.old_lao_cai]).value == 0 and t4(rows[w.geo.old_lao_cai]).progress is None


def test_only_nationwide_readers_open_it(w, client):
    client.force_login(w.users["officer_tq"])
    r = client.get(reverse("indicators_flow:national"))
    assert r.status_code == 302 and r.url == reverse("indicators_flow:dashboard")
    client.force_login(w.users["provider"])
    assert client.get(reverse("indicators_flow:national")).status_code == 404
    client.force_login(w.users["national"])
    assert 'data-testid="nav-national"' in client.get(reverse("indicators_flow:dashboard")).content.decode()
    client.force_login(w.users["officer_tq"])
    assert 'data-testid="nav-national"' not in client.get(reverse("indicators_flow:dashboard")).content.decode()
