"""DCC import of real certificates published by national labs (files/ORIGIN.md), compared with the XML by hand.

Each expected number below was read from the file itself (the line is named in the comment)."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from doluong.core.models import ObjectChange
from doluong.core.roles import Role
from doluong.records import dcc
from doluong.records.models import Result, ServiceRecord, Source
from tests.factories import FieldFactory, InstrumentFactory, KindFactory, ProviderFactory, make_user

pytestmark = pytest.mark.django_db
FILES = Path(__file__).parent / "files"


def data(name: str) -> bytes:
    return (FILES / name).read_bytes()


def instrument(field: str, serial: str, manufacturer: str, unit_name: str = ""):
    kind = KindFactory(field=FieldFactory(code=field, name=field), mpe_rule="")
    return InstrumentFactory(kind=kind, serial_number=serial, manufacturer=manufacturer)


@pytest.fixture
def officer():
    return make_user(Role.OFFICER)


@pytest.fixture
def lab():
    return ProviderFactory(name="Trung tâm Hiệu chuẩn", provider_code="HC-01")


@pytest.fixture
def thermometer():  # dcclib-valid.xml and gp-temperature-typical.xml: manufacturer "String", serial below
    return instrument("temperature", "string-manufacturer-item", "String")


@pytest.fixture
def gauge():  # ptb-vacuum-CDG.xml: "The Manufacturer", Serial No. 99999-999
    return instrument("pressure", "99999-999", "The Manufacturer")


@pytest.fixture
def weight():  # ptb-singleweight.xml: "manufacturer name", Kennnummer TH477D
    return instrument("mass", "TH477D", "manufacturer name")


@pytest.fixture
def axle_scale():  # ph-force-0043-valid.xml names no serial number: chosen by the user
    return instrument("mass", "AWS-1", "Intercomp")


def imported(xml, user, **kw) -> dcc.DCCImport:
    return dcc.run_import(xml, user, **kw)


# ------------------------------------------------------------------------ what each real file yields
def test_ptb_singleweight_keeps_the_mass_its_U_k_and_the_conditions(officer, lab, weight):
    out = imported(data("ptb-singleweight.xml"), officer, provider=lab, accept_deviations=True)
    r = ServiceRecord.objects.get()
    assert out.action == "created" and r == out.record and r.source == Source.DCC and r.instrument == weight
    # <si:value>0.999997191</si:value> <si:unit>/kilogram</si:unit> <si:uncertainty>0.000000030</si:uncertainty>
    # <si:coverageFactor>2</si:coverageFactor> <si:coverageProbability>0.95</si:coverageProbability>
    assert (r.measured_value, r.expanded_uncertainty, r.coverage_factor, r.coverage_probability) == (
        0.999997191, 3.0e-8, 2, 0.95)
    assert r.measurement_unit == "kg" and r.measurand == "mass" and r.points == []
    assert r.performed_on == dt.date(2017, 4, 25) and r.certificate_number == "unique Identifier"
    assert r.result == Result.DONE and r.decision == ""  # no statement of conformity in the file
    # influence conditions, readably: Temperatur von 20.85 °C bis 20.86 °C, Luftdruck 1008.04 hPa …
    assert "20.85 °C (U = 0.02 °C, k = 2, p = 95 %)" in r.notes and "1008.04 hPa" in r.notes
    assert "/kilogram" in r.notes  # the unit as written, and how it was read
    assert ("DCC 3.0.0, checked against DCC 3.3.0" in r.notes  # the notes are in the site's language
            or "DCC 3.0.0, kiểm tra theo DCC 3.3.0" in r.notes), r.notes


def test_ptb_vacuum_keeps_14_points_with_U_k_in_pascal(officer, lab, gauge):
    imported(data("ptb-vacuum-CDG.xml"), officer, provider=lab, accept_deviations=True)
    r = ServiceRecord.objects.get()
    # kilogram metre^-1 second^-2 is the pressure field's pascal: converted (by pint), the D-SI kept whole
    assert r.measurement_unit == "Pa" and r.measurand == "offset corrected indicated pressure"
    assert len(r.points) == 2 + 12 and r.certificate_number == "75999PTB20"
    first, third, last = r.points[0], r.points[2], r.points[-1]
    # static expansion: calibration pressure 2.6650e+01 (U 0.040), indicated 2.6900e+01 (U 0.15), k 2
    assert (first["reference"], first["indication"], first["U"], first["k"], first["p"]) == (26.65, 26.9, 0.15, 2,
                                                                                            0.95)
    assert first["group"] == "Result for the test gas nitrogen, static expansion method"
    # direct comparison: 2.69923e+02 → 2.7075e+02 (U 0.24); last 2.67064e+04 → 2.67701e+04 (U 5.4)
    assert (third["reference"], third["indication"], third["U"]) == (269.923, 270.75, 0.24)
    assert (last["reference"], last["indication"], last["U"]) == (26706.4, 26770.1, 5.4)
    assert last["group"] == "Result for the test gas nitrogen, direct comparison method"
    cols = {q["name"]: q for q in first["quantities"]}
    assert cols["calibration pressure"]["dsi"] == r"\kilogram\metre\tothe{-1}\second\tothe{-2}"
    assert cols["calibration pressure"]["unit"] == "kg·m⁻¹·s⁻²" and cols["calibration pressure"]["U"] == 0.040
    assert (cols["relative error of indication"]["value"], cols["relative error of indication"]["U"]) == (0.0094,
                                                                                                          0.0060)
    assert cols["correction factor"]["value"] == 0.9907
    # the record's U: the largest over the points, k common to all
    assert (r.measured_value, r.expanded_uncertainty, r.coverage_factor, r.coverage_probability) == (None, 5.4, 2,
                                                                                                    0.95)
    assert r.result == Result.DONE
    assert "gas temperature: 296.719 K (U = 0.031 K, k = 2, p = 95 %)" in r.notes


def test_dcclib_takes_the_celsius_column_and_the_conformity_it_states(officer, lab, thermometer):
    imported(data("dcclib-valid.xml"), officer, provider=lab)
    r = ServiceRecord.objects.get()
    # si:hybrid: kelvin and \degreecelsius; the temperature instrument reads °C
    assert r.measurement_unit == "°C" and r.measurand == "Indicated measured value probe"
    assert len(r.points) == 5
    p1, p5 = r.points[0], r.points[-1]
    # Bezugswert 33.098 … 320.004 °C; Angezeigter Messwert 33.17 … 319.92 °C; Messabweichung U 0.061 K, k 2
    assert (p1["reference"], p1["indication"], p1["U"], p1["k"], p1["p"]) == (33.098, 33.17, 0.061, 2, 0.95)
    assert (p5["reference"], p5["indication"]) == (320.004, 319.92)
    assert p1["conformity"] == "pass"  # <dcc:conformityXMLList>pass</dcc:conformityXMLList>
    error = next(q for q in p1["quantities"] if q["role"] == "error")
    assert (error["value"], error["unit"], error["dsi"]) == (0.072, "K", r"\kelvin")
    # <dcc:statement refType="basic_conformity"> … <dcc:conformity>pass</dcc:conformity>
    assert r.result == Result.PASS and "customer's specifications" in r.notes
    assert (r.expanded_uncertainty, r.coverage_factor) == (0.061, 2)
    # the order number in coreData is not the certificate number; the uniqueIdentifier is
    assert r.certificate_number == "1234" and "string-calibrationLaboratory-coreData" not in r.certificate_number


def test_philippine_force_scale_reads_thousands_and_relative_U(officer, lab, axle_scale):
    with pytest.raises(dcc.DCCError, match="endPerformanceDate"):  # the file is not schema-valid
        imported(data("ph-force-0043-valid.xml"), officer, provider=lab)
    # "Axle Weighing Scale" is no serial number
    with translation.override("en"), pytest.raises(dcc.DCCError, match="serial number"):
        imported(data("ph-force-0043-valid.xml"), officer, provider=lab, accept_deviations=True)
    imported(data("ph-force-0043-valid.xml"), officer, provider=lab, instrument=axle_scale, accept_deviations=True)
    r = ServiceRecord.objects.get()
    assert r.instrument == axle_scale and r.measurand == "Indicated Force" and r.measurement_unit == "kgf"
    assert r.certificate_number == "Calibration No. Calibration No. 02-2025-FORC-0043"
    # "0.00 3 000 6 000 …" / "0.00 2 850 5 700 …" with six units each; relative U "0.00 1.04 0.56 …" \%
    assert [(p["reference"], p["indication"]) for p in r.points] == [
        (0, 0), (3000, 2850), (6000, 5700), (9000, 8550), (12000, 11433), (15000, 14300)]
    assert (r.points[1]["U_rel"], r.points[1]["U_rel_unit"], r.points[1]["k"]) == (1.04, "%", 2)
    # "coverage factor k = 2 … probability of approximately 95%" in the uncertainty method's text
    assert (r.coverage_factor, r.coverage_probability, r.expanded_uncertainty) == (2, 0.95, None)
    assert r.result == Result.DONE and "Ambient Temperature: 22 ± 2" in r.notes
    assert "spaces between digit groups" in r.notes or "dấu cách giữa các nhóm chữ số" in r.notes


def test_version_2_is_refused_naming_the_version(officer, lab):
    with pytest.raises(dcc.DCCError, match=r"2\.3\.0") as exc:
        imported(data("lutaml-example-2.3.0.xml"), officer, provider=lab, accept_deviations=True)
    assert "3.x" in str(exc.value) and not ServiceRecord.objects.exists()


# ------------------------------------------------------------------------ identity
def test_reimport_is_idempotent_and_a_changed_file_updates(officer, lab, gauge):
    xml = data("ptb-vacuum-CDG.xml")
    first = imported(xml, officer, provider=lab, accept_deviations=True)
    history = ObjectChange.objects.count()
    again = imported(xml, officer, provider=lab, accept_deviations=True)
    assert again.action == "unchanged" and again.record.pk == first.record.pk and again.changes == []
    assert ServiceRecord.objects.count() == 1 and ObjectChange.objects.count() == history  # no write at all
    revised = xml.replace(b"<si:value>2.6900e+01</si:value>", b"<si:value>2.6910e+01</si:value>", 1)
    third = imported(revised, officer, provider=lab, accept_deviations=True)
    assert third.action == "updated" and third.record.pk == first.record.pk
    assert [name for name, _old, _new in third.changes] == ["points"]
    assert ServiceRecord.objects.get().points[0]["indication"] == 26.91
    assert ObjectChange.objects.count() == history + 1  # the update has its history row


def test_two_certificates_of_one_lab_and_instrument_do_not_collide(officer, lab, thermometer):
    # same laboratory (Kalibrierfirma GmbH), same item, same order number, same date; other uniqueIdentifier
    a = imported(data("dcclib-valid.xml"), officer, provider=lab).record
    b = imported(data("gp-temperature-typical.xml"), officer, provider=lab, accept_deviations=True).record
    assert a.pk != b.pk and {a.certificate_number, b.certificate_number} == {"1234", "GP_DCC_temperature_typical_1.2"}
    assert a.instrument == b.instrument == thermometer and ServiceRecord.objects.count() == 2


def test_another_labs_certificate_with_the_same_number_is_refused(officer, lab, thermometer):
    imported(data("dcclib-valid.xml"), officer, provider=lab)
    other = data("dcclib-valid.xml").replace(b"Kalibrierfirma GmbH", b"Andere Kalibrier AG")
    with translation.override("en"), pytest.raises(dcc.DCCError, match="another laboratory"):
        imported(other, officer, provider=lab)
    assert ServiceRecord.objects.count() == 1


def test_a_number_entered_by_form_is_never_overwritten(officer, lab, thermometer):
    ServiceRecord.objects.create(provider=lab, instrument=thermometer, activity="calibration",
                                 performed_on=dt.date(2020, 1, 1), result="done", certificate_number="1234")
    with translation.override("en"), pytest.raises(dcc.DCCError, match="not imported from a DCC"):
        imported(data("dcclib-valid.xml"), officer, provider=lab)


def test_long_identifiers_stay_distinct():
    base = "PTB-" + "x" * 70
    a, b = dcc.certificate_number_for(base + "-A"), dcc.certificate_number_for(base + "-B")
    assert a != b and len(a) <= 60 and len(b) <= 60
    assert dcc.certificate_number_for("75999PTB20") == "75999PTB20"


# ------------------------------------------------------------------------ units
@pytest.mark.parametrize(("dsi", "readable"), [
    (r"\kilogram", "kg"), (r"\degreecelsius", "°C"), (r"\degreeCelsius", "°C"), (r"\milli\gram", "mg"),
    (r"\kilogram\metre\tothe{-1}\second\tothe{-2}", "kg·m⁻¹·s⁻²"), (r"\metre\tothe{3}", "m³"), (r"\one", ""),
    (r"\%", "%"), (r"\hecto\pascal", "hPa"), (r"\kgf", "kgf"), ("/kilogram", "kg"), (r"\kilo\watt\hour", "kWh"),
])
def test_dsi_units_are_shown_readably(dsi, readable):
    assert dcc.read_unit(dsi).readable == readable and dcc.read_unit(dsi).dsi == dsi


def test_pint_converts_compound_and_offset_units():
    assert dcc.same_dimension(dcc.read_unit(r"\kilogram\metre\tothe{-1}\second\tothe{-2}").pint, "pascal")
    assert dcc.convert_value(306.248, "kelvin", "degree_Celsius") == pytest.approx(33.098)
    assert dcc.convert_interval(306.248, 0.061, "kelvin", "degree_Celsius") == 0.061
    assert dcc.convert_value(1.5, dcc.read_unit(r"\kilo\pascal").pint, "pascal") == 1500


# ------------------------------------------------------------------------ signature, schema versions
SIGNATURE = b"""<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>
<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>
<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>
<ds:Reference URI=""><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>
<ds:DigestValue>AAAA</ds:DigestValue></ds:Reference></ds:SignedInfo><ds:SignatureValue>AAAA</ds:SignatureValue>
<ds:KeyInfo><ds:KeyName>Lab signing key 2025</ds:KeyName></ds:KeyInfo></ds:Signature>"""


def test_a_signed_certificate_keeps_the_fact_signature_not_verified(officer, lab, thermometer):
    signed = data("dcclib-valid.xml").replace(b"</dcc:digitalCalibrationCertificate>",
                                              SIGNATURE + b"</dcc:digitalCalibrationCertificate>")
    assert dcc.validation_errors(signed) == []
    r = imported(signed, officer, provider=lab).record
    assert ("signature not verified" in r.notes or "chữ ký chưa được xác minh" in r.notes)
    assert "Lab signing key 2025" in r.notes and "rsa-sha256" in r.notes


def test_other_3x_versions_are_checked_against_the_closest_shipped_schema():
    check = dcc.schema_check(data("ptb-vacuum-CDG.xml"))
    assert (check.version, check.against, check.exact) == ("3.1.1", "3.3.0", False)
    assert len(check.findings) == 1 and "3.1.1" in check.findings[0]  # nothing else differs from 3.3.0
    assert dcc.schema_check(data("dcclib-valid.xml")).findings == []
    with pytest.raises(dcc.DCCError, match=r"4\.0\.0"):
        dcc.schema_check(data("dcclib-valid.xml").replace(b'schemaVersion="3.3.0"', b'schemaVersion="4.0.0"'))


# ------------------------------------------------------------------------ round trip
def quantities(record: ServiceRecord) -> dict:
    return {f: getattr(record, f) for f in ("measurand", "measurement_unit", "measured_value", "expanded_uncertainty",
                                            "coverage_factor", "coverage_probability", "points", "result")}


def parsed_quantities(xml: bytes) -> list:
    p = dcc.read(xml)
    return [(t.name, [(c.name, c.ref_type, [(x.value, x.dsi, x.U, x.k, x.p, x.u) for x in c.cells])
                      for c in t.columns]) for t in p.tables]


@pytest.mark.parametrize(("name", "fixture"), [("ptb-vacuum-CDG.xml", "gauge"), ("ptb-singleweight.xml", "weight"),
                                              ("dcclib-valid.xml", "thermometer")])
def test_export_import_export_gives_the_same_quantities(request, officer, lab, name, fixture):
    request.getfixturevalue(fixture)
    a = imported(data(name), officer, provider=lab, accept_deviations=True).record
    before = quantities(a)
    x2 = dcc.export_record(a)
    assert dcc.validation_errors(x2) == []
    ServiceRecord.objects.filter(pk=a.pk).delete()
    b = imported(x2, officer, provider=lab).record
    assert quantities(b) == before and b.certificate_number == a.certificate_number
    x3 = dcc.export_record(b)
    assert dcc.validation_errors(x3) == [] and parsed_quantities(x3) == parsed_quantities(x2)


# ------------------------------------------------------------------------ command line
def test_command_previews_imports_and_finds_again(officer, lab, gauge, capsys):
    path = FILES / "ptb-vacuum-CDG.xml"
    with pytest.raises(CommandError, match=r"3\.1\.1"):
        call_command("dcc_import", str(path), "--provider", str(lab.pk))
    call_command("dcc_import", str(path), "--provider", str(lab.pk), "--preview")
    out = capsys.readouterr().out
    assert "preview only" in out and "26.65 → 26.9 Pa U 0.15 k 2" in out and not ServiceRecord.objects.exists()
    call_command("dcc_import", str(path), "--provider", str(lab.pk), "--accept-deviations")
    assert "created record" in capsys.readouterr().out and ServiceRecord.objects.count() == 1
    call_command("dcc_import", str(path), "--provider", str(lab.pk), "--accept-deviations")
    assert "unchanged" in capsys.readouterr().out and ServiceRecord.objects.count() == 1
    with pytest.raises(CommandError, match=r"2\.3\.0"):
        call_command("dcc_import", str(FILES / "lutaml-example-2.3.0.xml"), "--accept-deviations")


# ------------------------------------------------------------------------ web: preview, then confirm
def test_web_preview_shows_what_will_be_stored_then_confirm_writes_it(client, officer, lab, gauge):
    client.force_login(officer)
    url = reverse("records_flow:dcc_import")
    assert 'name="step" value="preview"' in client.get(url).content.decode()
    r = client.post(url, {"step": "preview", "provider": lab.pk,
                          "file": SimpleUploadedFile("cdg.xml", data("ptb-vacuum-CDG.xml"))})
    page = r.content.decode()
    assert r.status_code == 200 and not ServiceRecord.objects.exists()  # a preview stores nothing
    assert 'data-action="created"' in page and "offset corrected indicated pressure" in page
    assert re.search(r'data-testid="dcc-U">5,4 Pa', page) and re.search(r'data-testid="dcc-k">2', page)
    assert "26,65" in page and "26,9" in page and "0,15" in page and "14 " in page  # points, vi decimal comma
    assert "relative error of indication: 0.0094 (U = 0.006" in page and "296.719 K" in page
    assert "3.1.1" in page and 'name="accept_deviations"' in page
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    r = client.post(url, {"step": "confirm", "token": token})  # findings not accepted
    assert r.status_code == 400 and not ServiceRecord.objects.exists()
    r = client.post(url, {"step": "confirm", "token": token, "accept_deviations": "on"})
    record = ServiceRecord.objects.get()
    assert r.status_code == 302 and r["Location"] == record.get_absolute_url()
    assert len(record.points) == 14 and record.expanded_uncertainty == 5.4 and record.measurement_unit == "Pa"
    assert ObjectChange.objects.for_object(record).exists()  # written through the write path, with history
    r = client.post(url, {"step": "confirm", "token": token, "accept_deviations": "on"})
    assert r.status_code == 302 and ServiceRecord.objects.count() == 1  # token used up: upload again


def test_web_preview_of_a_reimport_says_nothing_changes(client, officer, lab, thermometer):
    imported(data("dcclib-valid.xml"), officer, provider=lab)
    client.force_login(officer)
    r = client.post(reverse("records_flow:dcc_import"), {
        "step": "preview", "provider": lab.pk, "file": SimpleUploadedFile("c.xml", data("dcclib-valid.xml"))})
    page = r.content.decode()
    assert r.status_code == 200 and 'data-action="unchanged"' in page and 'name="accept_deviations"' not in page
    assert "33,098" in page and "°C" in page and "pass" in page
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    r = client.post(reverse("records_flow:dcc_import"), {"step": "confirm", "token": token})
    assert r.status_code == 302 and ServiceRecord.objects.count() == 1


def test_web_refuses_version_2_with_the_version(client, officer, lab):
    client.force_login(officer)
    r = client.post(reverse("records_flow:dcc_import"), {
        "step": "preview", "provider": lab.pk, "file": SimpleUploadedFile("old.xml", data("lutaml-example-2.3.0.xml"))})
    assert r.status_code == 400 and "2.3.0" in r.content.decode() and not ServiceRecord.objects.exists()


def test_a_provider_previews_only_within_its_own_scope(client, thermometer):
    provider = ProviderFactory()
    client.force_login(make_user(Role.PROVIDER, provider))
    r = client.post(reverse("records_flow:dcc_import"), {
        "step": "preview", "file": SimpleUploadedFile("c.xml", data("dcclib-valid.xml"))})
    page = r.content.decode()
    assert r.status_code == 200 and str(provider) in page  # the provider's own organisation, whatever the file says
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    assert client.post(reverse("records_flow:dcc_import"), {"step": "confirm", "token": token}).status_code == 302
    assert ServiceRecord.objects.get().provider == provider
