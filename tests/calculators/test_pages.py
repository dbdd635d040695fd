"""Calculator pages: published examples (docs/calc.md) give the published figures; errors land on their field."""

import pytest
from django.urls import reverse

from doluong.calculators.examples import EA4_02_S2, GUM_H1
from doluong.core.roles import Role
from doluong.records.forms import payload_to_rows
from tests.factories import OrganizationFactory, ProviderFactory, make_user

pytestmark = pytest.mark.django_db


def budget_post(payload: dict, prefix: str = "budget") -> dict:
    """What a browser posts for the budget builder filled with ``payload``."""
    settings, rows, corr = payload_to_rows(payload)
    data = {f"{prefix}-{k}": v for k, v in settings.items()}
    data[f"{prefix}-rows"] = str(len(rows))
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{k}": v for k, v in row.items()})
    data[f"{prefix}-corr"] = str(len(corr))
    for j, c in enumerate(corr):
        data.update({f"{prefix}-c{j}-{k}": v for k, v in c.items()})
    return data


def points_post(points, name="points") -> dict:
    data = {f"{name}-rows": str(len(points))}
    for i, p in enumerate(points):
        data[f"{name}-{i}-reference"] = str(p[0])
        data[f"{name}-{i}-indication"] = str(p[1])
    return data


@pytest.fixture
def provider_client(client):
    client.force_login(make_user(Role.PROVIDER, ProviderFactory()))
    return client


def post(client, kind, data):
    return client.post(reverse(f"calculators:{kind}"), data)


def test_index_lists_every_calculator_and_needs_sign_in(client):
    r = client.get(reverse("calculators:index"))
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]
    assert client.post(reverse("calculators:uncertainty"), {}).status_code == 302
    client.force_login(make_user(Role.OFFICER))
    page = client.get(reverse("calculators:index")).content.decode()
    for kind in ("prepackages", "mpe", "decide", "uncertainty", "linefit", "interval"):
        assert f'data-testid="calc-{kind}"' in page
        assert client.get(reverse(f"calculators:{kind}")).status_code == 200


@pytest.mark.parametrize("role", [Role.OFFICER, Role.LEADER, Role.PROVIDER, Role.ENTERPRISE])
def test_every_signed_in_role_may_use_the_tools(client, role):
    client.force_login(make_user(role, OrganizationFactory()))
    r = post(client, "decide", {"value": "10.25", "U": "0.1", "lower": "9.7", "upper": "10.3", "rule": "non-binary",
                                "r": "1"})
    assert r.status_code == 200 and "đạt có điều kiện" in r.content.decode()


def test_uncertainty_ea4_02_weight(provider_client):
    r = post(provider_client, "uncertainty", budget_post(EA4_02_S2))
    page = r.content.decode()
    assert r.status_code == 200, page
    assert 'data-testid="u">0,0292451<' in page  # u(m_X) = 29.3 mg
    assert 'data-testid="U">0,0584902<' in page  # U = 59 mg
    assert 'data-testid="value">10000,025<' in page
    assert "k = 2 · 95,45 %" in page
    for name in ("mS", "dD", "dm", "dC", "dB"):
        assert f'<td class="font-monospace">{name}</td>' in page
    assert '<svg class="chart hchart"' in page  # chart of contributions
    assert "JCGM 100:2008 (GUM) 5.1-5.2" in page  # the normative reference


def test_uncertainty_gum_h1_end_gauge_with_student_t(provider_client):
    page = post(provider_client, "uncertainty", budget_post(GUM_H1)).content.decode()
    assert 'data-testid="u">31,7106<' in page  # u_c = 32 nm
    assert 'data-testid="U">92,6198<' in page  # U99 = 93 nm
    assert "16,66" in page and "k = 2,921" in page  # ν_eff = 16.7 → 16, k = t99(16) = 2.92
    assert 'data-testid="interval">[50000745,38; 50000930,62]' in page


def test_uncertainty_type_a_readings_and_decimal_commas(provider_client):
    data = budget_post({"model": "x", "inputs": {}})
    data.update({"budget-rows": "1", "budget-0-name": "x", "budget-0-type": "A",
                 "budget-0-readings": "10,1 10,3 10,2 10,2"})
    page = post(provider_client, "uncertainty", data).content.decode()
    assert 'data-testid="value">10,2<' in page
    assert 'data-testid="u">0,0408248<' in page  # s/√n = 0.08165/2


def test_uncertainty_errors_are_shown_next_to_the_model_and_the_row(provider_client):
    r = post(provider_client, "uncertainty", budget_post({"model": "x ^ 2", "inputs": {"x": {"value": 1, "u": 1}}}))
    page = r.content.decode()
    assert r.status_code == 400
    assert "is-invalid" in page and "BitXor" in page
    assert "Biểu thức có thành phần không được phép" in page  # Vietnamese first
    bad = budget_post({"model": "a + b", "inputs": {"a": {"value": 1, "u": 0.1}, "b": {"value": 2, "u": 0.1,
                                                                                     "dof": 0}}})
    page = post(provider_client, "uncertainty", bad).content.decode()
    assert 'data-testid="row-error">b: Bậc tự do phải dương' in page
    assert "inputs.b.dof" in page


def test_mpe_r76_class_iii(provider_client):
    data = {"rule": "OIML-R76", "cls": "III", "unit": "kg", "e": "0,005", "stage": "initial",
            **points_post([(2.5, 2.5025), (10, 10.006)])}
    page = post(provider_client, "mpe", data).content.decode()
    assert 'data-testid="points-table"' in page
    assert "±0,0025" in page and "±0,005<" in page  # 0.5 e up to 500 e, 1 e above
    assert '<tr class="table-danger">' in page and "0,006" in page
    assert "OIML R 76-1:2006, 3.5.1 Table 6" in page


def test_mpe_r111_with_uncertainty(provider_client):
    data = {"rule": "OIML-R111", "cls": "F2", "unit": "g", "U": "0.05", "stage": "initial",
            **points_post([(10000, 10000.12)])}
    page = post(provider_client, "mpe", data).content.decode()
    assert "±0,16" in page and "0,0533333" in page  # MPE 160 mg, U max = MPE/3


def test_mpe_errors_name_the_field(provider_client):
    data = {"rule": "OIML-R76", "cls": "III", "unit": "kg", "e": "", "stage": "initial",
            **points_post([(2.5, 2.5025)])}
    r = post(provider_client, "mpe", data)
    assert r.status_code == 400
    assert "verification scale interval" in r.content.decode()
    data = {"rule": "OIML-R76", "cls": "V", "unit": "kg", "e": "0.005", "stage": "initial",
            **points_post([(2.5, 2.5025)])}
    page = post(provider_client, "mpe", data).content.decode()
    assert 'data-testid="error-cls"' in page and "Cấp chính xác không có trong quy tắc" in page


def test_decide_ilac_g8_non_binary(provider_client):
    page = post(provider_client, "decide", {"value": "10.25", "U": "0.1", "lower": "9.7", "upper": "10.3",
                                            "rule": "non-binary", "r": "1"}).content.decode()
    assert "đạt có điều kiện" in page
    assert 'data-testid="acceptance">9,8 … 10,2<' in page
    assert "ILAC G8:09/2019, section 4" in page


def test_decide_needs_a_limit(provider_client):
    r = post(provider_client, "decide", {"value": "10", "rule": "simple"})
    assert r.status_code == 400
    assert 'data-testid="error-lower"' in r.content.decode()


def test_prepackages_r87_lot_of_40(provider_client):
    page = post(provider_client, "prepackages", {
        "scheme": "OIML-R87:2016", "nominal": "500", "unit": "g", "lot_size": "40", "plan": "single",
        "actual": "503.1 498.2 501.7 499.9 484.6 502.3 500.8 497.5 504.0 501.2"}).content.decode()
    assert "Lô hàng không đạt yêu cầu" in page
    assert 'data-testid="T">15 g<' in page
    assert "499,33" in page and "1,028" in page and "494,28618" in page
    assert "(packages 5)" in page or "5)" in page  # the 5th package is the T1 defective
    assert "OIML R 87:2016, Table 1" in page


def test_prepackages_missing_nominal_is_reported_on_the_field(provider_client):
    r = post(provider_client, "prepackages", {"scheme": "OIML-R87:2016", "nominal": "abc", "unit": "g",
                                              "lot_size": "40", "plan": "single", "actual": "1 2 3"})
    page = r.content.decode()
    assert r.status_code == 400 and 'data-testid="error-nominal"' in page and "Phải là một số" in page


def test_linefit_gum_h3_with_prediction(provider_client):
    page = post(provider_client, "linefit", {
        "x": "21.521 22.012 22.512 23.003 23.507 23.999 24.513 25.002 25.503 26.01 26.511",
        "y": "-0.171 -0.169 -0.166 -0.159 -0.164 -0.165 -0.156 -0.157 -0.159 -0.161 -0.16",
        "x0": "20", "predict_at": "30"}).content.decode()
    assert "-0,171204" in page and "0,0021827" in page and "-0,93" in page  # a, b, r(a, b)
    assert "<td>30</td><td>-0,149377</td><td>0,0041386</td>" in page  # b(30 °C) = −0.1494, u = 0.0041
    assert "GUM (JCGM 100:2008) H.3" in page


def test_interval_staircase(provider_client):
    page = post(provider_client, "interval", {
        "current_interval": "12", "history": "in in in", "extend_factor": "1.5", "shorten_factor": "0.5",
        "min_interval": "3", "max_interval": "36", "consecutive_in_to_extend": "3"}).content.decode()
    assert 'data-testid="verdict">18 ' in page and "extend" in page
    assert "3 lần liên tiếp trong dung sai" in page
    assert "ILAC G24:2022 / OIML D 10:2022 method 1" in page


def test_examples_prefill_the_forms(provider_client):
    page = provider_client.get(reverse("calculators:uncertainty") + "?example=gum-h1").content.decode()
    assert 'value="ls + d - ls*(da*theta + als*dth)"' in page and 'value="dth"' in page
    page = provider_client.get(reverse("calculators:mpe") + "?example=r76").content.decode()
    assert 'name="points-1-indication" value="10.006"' in page
