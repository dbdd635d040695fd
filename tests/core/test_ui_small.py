"""Small things users hit: the interface language, friendly error pages, the favicon, ranked lookups."""

import logging

import pytest
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.template import loader
from django.test import Client
from django.urls import include, path, reverse
from django.utils import translation

from doluong.core.lookup import EXACT, OTHER, PREFIX, WORD_PREFIX, WORD_STARTS, closeness, rank
from doluong.core.roles import Role
from doluong.orgs.models import Person
from tests.factories import OrganizationFactory, make_user
from tests.plans.factories import PlanFactory, TaskFactory


def boom(request):
    raise RuntimeError("a bug")


def forbidden(request):
    raise PermissionDenied


# Used by the tests marked with @pytest.mark.urls(__name__): the project's routes plus two failing views.
urlpatterns = [
    path("test-boom/", boom),
    path("test-forbidden/", forbidden),
    path("", include("doluong.urls")),
]


@pytest.fixture(autouse=True)
def _back_to_vietnamese():
    yield
    translation.activate("vi")


# --- 1. language ------------------------------------------------------------------------------------

def test_a_browser_asking_for_english_still_gets_vietnamese(client, db):
    r = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    html = r.content.decode()
    assert r.status_code == 200 and r["Content-Language"] == "vi"
    assert '<html lang="vi">' in html and "Đăng nhập" in html
    assert "Accept-Language" not in r.get("Vary", "")


def test_english_is_chosen_in_the_menu_and_remembered(client, db):
    user = make_user(Role.OFFICER)
    client.force_login(user)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="language-menu"' in page and reverse("set_language") in page
    assert 'name="language" value="en"' in page and '<html lang="vi">' in page

    r = client.post(reverse("set_language"), {"language": "en", "next": "/accounts/login/"})
    assert r.status_code == 302 and r["Location"] == "/accounts/login/"
    cookie = r.cookies["django_language"]
    assert cookie.value == "en" and int(cookie["max-age"]) >= 300 * 24 * 3600

    for accept in ("vi", "", "vi-VN,vi;q=0.9"):  # whatever the browser says, the choice holds
        r = client.get("/", HTTP_ACCEPT_LANGUAGE=accept)
        assert r["Content-Language"] == "en" and '<html lang="en">' in r.content.decode()
    assert "Sign out" in client.get("/").content.decode()

    client.post(reverse("set_language"), {"language": "vi", "next": "/"})
    assert '<html lang="vi">' in client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_the_sign_in_page_offers_english_too(client, db):
    html = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert reverse("set_language") in html and 'name="language" value="en"' in html
    client.post(reverse("set_language"), {"language": "en"}, HTTP_REFERER="/accounts/login/")
    html = client.get("/accounts/login/").content.decode()
    assert '<html lang="en">' in html and "Sign in" in html


def test_an_unknown_language_cookie_falls_back_to_vietnamese(client, db):
    client.cookies["django_language"] = "xx"
    r = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert r["Content-Language"] == "vi"


# --- 2. error pages ---------------------------------------------------------------------------------

def assert_friendly_404(r):
    html = r.content.decode()
    assert r.status_code == 404
    assert 'data-testid="error-404"' in html and "Không tìm thấy trang" in html
    assert "URLconf" not in html and "Django" not in html  # not the technical page
    assert 'style="' not in html and "<script>" not in html  # the strict CSP holds


@pytest.mark.parametrize("debug", [False, True])
def test_not_found_is_a_vietnamese_page_even_with_debug_on(client, db, settings, debug):
    settings.DEBUG = debug
    assert_friendly_404(client.get("/no-such-page/"))
    client.force_login(make_user(Role.OFFICER))
    assert_friendly_404(client.get("/no-such-page/"))
    assert_friendly_404(client.get(reverse("orgs:person", args=[999_999])))  # Http404 raised by a view
    html = client.get("/no-such-page/").content.decode()
    assert 'data-testid="user-menu"' in html  # the normal layout, menu included


def test_a_missing_slash_is_still_redirected(client, db, settings):
    settings.DEBUG = True
    r = client.get("/accounts/login")
    assert r.status_code == 301 and r["Location"] == "/accounts/login/"


def test_developers_can_ask_for_the_technical_pages(client, db, settings):
    settings.DEBUG = True
    settings.DOLUONG_DEBUG_PAGES = True
    r = client.get("/no-such-page/")
    assert r.status_code == 404 and "URLconf" in r.content.decode()


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("debug", [False, True])
def test_refusal_is_a_vietnamese_page(client, db, settings, debug):
    settings.DEBUG = debug
    client.force_login(make_user(Role.OFFICER))
    r = client.get("/test-forbidden/")
    html = r.content.decode()
    assert r.status_code == 403 and 'data-testid="error-403"' in html and "Không được phép" in html


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("debug", [False, True])
def test_server_error_is_a_vietnamese_page_and_is_logged(db, settings, caplog, debug):
    settings.DEBUG = debug
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        r = client.get("/test-boom/", HTTP_ACCEPT_LANGUAGE="en")
    html = r.content.decode()
    assert r.status_code == 500
    assert 'data-testid="error-500"' in html and "Đã có lỗi xảy ra" in html
    assert "RuntimeError" not in html and "Traceback" not in html
    assert any(rec.exc_info and rec.exc_info[0] is RuntimeError for rec in caplog.records)


def test_the_500_page_needs_no_database_and_no_context():
    """Rendered by Django with an empty context; the database may be what failed (no db fixture here)."""
    html = loader.get_template("500.html").render()
    assert "Đã có lỗi xảy ra" in html and "/static/doluong/favicon.svg" in html


# --- 3. favicon ---------------------------------------------------------------------------------------

def test_favicon_is_a_local_svg_linked_from_every_page(client, db):
    found = finders.find("doluong/favicon.svg")
    assert found
    with open(found, encoding="utf-8") as f:
        svg = f.read()
    assert svg.lstrip().startswith("<svg") and "href" not in svg  # nothing fetched from elsewhere
    html = client.get("/accounts/login/").content.decode()
    assert '<link rel="icon" href="/static/doluong/favicon.svg" type="image/svg+xml">' in html


def test_favicon_ico_answers(client, db):
    r = client.get("/favicon.ico")
    assert r.status_code == 302 and r["Location"] == "/static/doluong/favicon.svg"
    assert "sessionid" not in r.cookies


# --- 4. lookups ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("query,text,tier", [
    ("an", "an", EXACT),
    ("an", "an khanh", WORD_PREFIX),
    ("nv3", "nv3 kiem dinh", WORD_PREFIX),
    ("nv3", "nv3.a kiem dinh", WORD_PREFIX),
    ("an", "anh tuan", PREFIX),
    ("nv3", "nv30 dao tao", PREFIX),
    ("an", "le thi an", WORD_STARTS),
    ("van a", "nguyen van an", WORD_STARTS),
    ("an", "ban than", OTHER),
])
def test_closeness_tiers(query, text, tier):
    assert closeness(query, text) == tier


def test_rank_puts_the_closest_first_not_the_alphabetical_first():
    names = ["Bạn Thân", "Lê Thị An", "Anh Tuấn", "An Khánh Long", "An", "Đoàn Văn Thuận"]
    assert rank("an", names) == ["An", "An Khánh Long", "Anh Tuấn", "Lê Thị An", "Bạn Thân", "Đoàn Văn Thuận"]
    assert rank("AN", names, limit=2) == ["An", "An Khánh Long"]  # accents and case do not matter
    assert rank("nv3", ["NV30 Đào tạo", "NV3 Kiểm định phương tiện đo"]) == [
        "NV3 Kiểm định phương tiện đo", "NV30 Đào tạo"]  # the whole code before a longer one
    assert rank("", names) == names  # nothing typed: the given order
    assert rank("nguyen van a", ["Nguyễn Văn An", "Nguyễn Văn A"]) == ["Nguyễn Văn A", "Nguyễn Văn An"]


def test_rank_uses_the_key_and_keeps_ties_in_order():
    rows = [(1, "Nhà máy A"), (2, "Nhà máy B"), (3, "nha may a")]
    assert [pk for pk, _ in rank("nha may a", rows, key=lambda r: r[1])] == [1, 3, 2]


def lookup(client, name, q):
    r = client.get(reverse(name), {"q": q})
    assert r.status_code == 200
    return [row["text"] for row in r.json()["results"]]


def test_person_lookup_is_ranked_and_shows_the_organisation(client, db):
    company = OrganizationFactory(name="Công ty X")
    for name in ("Bạn Thân", "Lê Thị An", "Anh Tuấn", "An Khánh Long", "An"):
        Person.objects.create(full_name=name, organization=company)
    Person.objects.create(full_name="Nguyễn Văn An")  # no organisation: the name alone
    client.force_login(make_user(Role.OFFICER))
    assert lookup(client, "orgs:person_lookup", "an") == [
        "An — Công ty X", "An Khánh Long — Công ty X", "Anh Tuấn — Công ty X", "Lê Thị An — Công ty X",
        "Nguyễn Văn An", "Bạn Thân — Công ty X"]
    assert lookup(client, "orgs:person_lookup", "nguyen van") == ["Nguyễn Văn An"]


def test_lookup_returns_twenty_of_a_bounded_candidate_set(client, db, django_assert_max_num_queries):
    company = OrganizationFactory(name="Công ty Y")
    Person.objects.bulk_create([Person(full_name=f"Trần Văn {i:02d}", organization=company) for i in range(30)])
    client.force_login(make_user(Role.OFFICER))
    with django_assert_max_num_queries(6):  # session, user, one query for the people and their organisations
        texts = lookup(client, "orgs:person_lookup", "tran")
    assert len(texts) == 20 and texts[0] == "Trần Văn 00 — Công ty Y"


def test_task_lookup_shows_the_plan_number(client, db):
    plan = PlanFactory(number="210/KH-UBND")
    TaskFactory(plan=plan, code="NV3", title="Kiểm định phương tiện đo nhóm 2")
    TaskFactory(plan=PlanFactory(number="99/KH-UBND"), code="NV30", title="Đào tạo")
    client.force_login(make_user(Role.OFFICER))
    assert lookup(client, "plans:plantask_lookup", "nv3") == [
        "210/KH-UBND · NV3 Kiểm định phương tiện đo nhóm 2", "99/KH-UBND · NV30 Đào tạo"]


def test_place_lookup_finds_words_first_and_labels_the_map(client, geo_map):
    """Hundreds of units merely containing the letters ("Nguyên" holds "yen") do not hide Huyện Yên Bình."""
    from doluong.geo.models import AdministrativeUnit, UnitLevel

    o = geo_map.old
    AdministrativeUnit.objects.bulk_create([AdministrativeUnit(
        edition=o, level=UnitLevel.COMMUNE, code=f"9{i:03d}", name=f"Xã Bình Nguyên {i}", parent=geo_map.district,
        province=geo_map.yen_bai, valid_from=o.valid_from, valid_to=o.valid_to) for i in range(250)])
    AdministrativeUnit.objects.create(edition=o, level=UnitLevel.DISTRICT, code="136", name="Huyện Yên Bình",
                                      parent=geo_map.yen_bai, province=geo_map.yen_bai, valid_from=o.valid_from,
                                      valid_to=o.valid_to)
    client.cookies["django_language"] = "en"
    client.force_login(make_user(Role.OFFICER))
    texts = lookup(client, "geo:administrativeunit_lookup", "yen binh")
    assert texts[0] == "Huyện Yên Bình · Tỉnh Yên Bái · map until 30/06/2025"
    lao_cai = lookup(client, "geo:administrativeunit_lookup", "tinh lao cai")
    assert sorted(lao_cai) == ["Tỉnh Lào Cai · map since 01/07/2025", "Tỉnh Lào Cai · map until 30/06/2025"]
