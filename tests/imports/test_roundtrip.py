import csv
import io
import itertools
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from doluong.imports import export
from doluong.imports import spec as registry
from doluong.instruments.models import Instrument
from tests.imports.conftest import run

pytestmark = pytest.mark.django_db

_n = itertools.count()
texts = st.text(alphabet=st.sampled_from("aăâbcdđeêghiklmnoôơpqrstuưvxyÀÁẠẢÃàáạảãĐđ =+-@'.,;\"0123456789"),
                max_size=30).map(str.strip)
instrument = st.fixed_dictionaries({
    "manufacturer": texts,
    "model_name": texts,
    "range_max": st.one_of(st.none(), st.decimals(min_value=Decimal("-1e6"), max_value=Decimal("1e6"), places=3,
                                                  allow_nan=False, allow_infinity=False)),
    "status": st.sampled_from(["in_use", "out_of_service", "retired"]),
    "location": texts,
})


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(instrument, min_size=1, max_size=8))
def test_random_table_round_trips(tmp_path, world, table):
    serials = []
    for row in table:
        serial = f"H-{next(_n)}"
        serials.append(serial)
        Instrument.objects.create(owner=world.owner, kind=world.kind, serial_number=serial, **row)
    spec = registry.get("instruments")
    qs = Instrument.objects.filter(serial_number__in=serials)
    for fmt in ("csv", "xlsx"):
        path = tmp_path / f"export.{fmt}"
        if fmt == "csv":
            path.write_bytes(b"".join(export.csv_stream(spec, qs)))
            parsed = list(csv.reader(io.StringIO(path.read_text("utf-8-sig"))))
            assert len(parsed) == len(table) + 1
        else:
            export.write_xlsx(spec, qs, path)
        out = run("instruments", path)
        b = out.batch
        assert (b.created_count, b.changed_count, b.unchanged_count, b.rejected_count) == (0, 0, len(table), 0), \
            (out.errors, fmt)
