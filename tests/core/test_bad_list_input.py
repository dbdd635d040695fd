"""Bad values typed into a list's address never give a server error: paging, sorting, filters, search."""

import logging

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from doluong.core import ui as registry
from doluong.core.roles import Role
from tests.factories import InstrumentFactory, make_user

pytestmark = pytest.mark.django_db

LISTS = sorted(registry.all_registered(), key=lambda ui: ui.url_name())
# One of each kind of trouble: negative, not a number, too large, an impossible date, a NUL, an odd path.
HOSTILE = ["-1", "abc", "99999999999999999999", "32/13/2024", "\x00", "-__"]


@pytest.fixture
def officer_client(client):
    client.raise_request_exception = False
    client.force_login(make_user(Role.OFFICER))
    return client


@pytest.mark.parametrize("ui", LISTS, ids=lambda ui: ui.url_name())
def test_every_list_survives_hostile_paging_sorting_and_filters(officer_client, ui):
    logging.disable(logging.CRITICAL)
    try:
        url = reverse(ui.url_name("list"))
        tries = [(name, value) for name in ("per_page", "page", "sort", "q") for value in HOSTILE]
        tries += [(name, value) for name in ui.filterset.base_filters for value in HOSTILE[:4]]
        for name, value in tries:
            r = officer_client.get(url, {name: value})
            assert r.status_code < 500, (url, name, value)
    finally:
        logging.disable(logging.NOTSET)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(per_page=st.one_of(st.integers(), st.text(max_size=8)), page=st.one_of(st.integers(), st.text(max_size=8)))
def test_the_page_size_is_always_one_we_offer(officer_client, per_page, page):
    r = officer_client.get(reverse("instruments:instrument_list"), {"per_page": per_page, "page": page})
    assert r.status_code == 200
    assert r.context["table"].paginator.per_page in (25, 50, 100, 250)


def test_a_page_size_out_of_the_offer_is_not_honoured(officer_client):
    for _ in range(30):
        InstrumentFactory()
    page = officer_client.get(reverse("instruments:instrument_list"), {"per_page": "100000"})
    assert page.context["table"].paginator.per_page == 25 and len(page.context["table"].page.object_list) == 25
    page = officer_client.get(reverse("instruments:instrument_list"), {"per_page": "-1", "page": "999"})
    assert page.status_code == 200 and page.context["table"].page.number == 2  # the last page
