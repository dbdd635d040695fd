"""The demo loaded once per test module at a small scale (reference data first), flushed afterwards."""

import pytest
from django.core.management import call_command

from doluong.demo.generator import DEMO_NOTE, load_demo
from doluong.demo.reference import load_reference
from doluong.orgs.models import Organization, OrganizationKind

SCALE = 0.05
SEED = 7


def quiet(_message):
    pass


@pytest.fixture(scope="module")
def demo_loaded(django_db_setup, django_db_blocker):
    """{"result": what load_demo returned, "first": the first 20 demo enterprises' (name, tax code)}."""
    with django_db_blocker.unblock():
        load_reference()
        result = load_demo(scale=SCALE, seed=SEED, log=quiet)
        first = list(Organization.objects.filter(kind=OrganizationKind.ENTERPRISE, notes__startswith=DEMO_NOTE)
                     .order_by("pk").values_list("name", "tax_code")[:20])
    yield {"result": result, "first": first}
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)
