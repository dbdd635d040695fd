"""Digital calibration certificates: PTB DCC 3.3.0 (namespace ``https://ptb.de/dcc``) with D-SI units.

:func:`export_record` writes a calibration record as DCC XML; :func:`validate` checks a document
offline against the schema copied into ``records/data/dcc/`` (``dcc.xsd`` 3.3.0, D-SI 2.2.1, XML-DSig,
and a local stand-in for the QUDT import — see its README), exactly as that README shows;
:func:`parse` reads a valid DCC back into plain values and :func:`import_dcc` turns them into a
calibration record (source ``dcc``).

Where a record's data has no DCC element of its own it travels in standard containers, marked by a
``refType`` starting with ``doluong_``: the decision rule and limits in ``administrativeData/
statements`` (with ``conformity`` and the ILAC G8 norm), the measured points as two
``si:realListXMLList`` quantities, the uncertainty budget (``calc uncertainty`` input, JSON) in
``measurementMetaData``.
"""

import datetime as dt
import functools
import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import xmlschema
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from doluong.core import access, writes
from doluong.core.roles import Role, role_of
from doluong.instruments.models import Instrument, InstrumentKind
from doluong.orgs.models import Organization
from doluong.providers.models import Activity
from doluong.records.models import Result, ServiceRecord, Source

SCHEMA_DIR = Path(__file__).resolve().parent / "data" / "dcc"
DCC = "https://ptb.de/dcc"
SI = "https://ptb.de/si"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
NS = {"dcc": DCC, "si": SI}
SOFTWARE = "doluong"

# Units as people type them -> D-SI (BIPM SI brochure, 9th edition, D-SI syntax).
DSI_UNITS = {
    "kg": r"\kilogram", "g": r"\gram", "mg": r"\milli\gram", "µg": r"\micro\gram", "t": r"\tonne",
    "L": r"\litre", "l": r"\litre", "mL": r"\milli\litre", "ml": r"\milli\litre", "cL": r"\centi\litre",
    "m3": r"\metre\tothe{3}", "m³": r"\metre\tothe{3}", "m": r"\metre", "cm": r"\centi\metre",
    "mm": r"\milli\metre", "µm": r"\micro\metre", "km": r"\kilo\metre", "°C": r"\degreeCelsius",
    "K": r"\kelvin", "Pa": r"\pascal", "kPa": r"\kilo\pascal", "MPa": r"\mega\pascal", "bar": r"\bar",
    "N": r"\newton", "kN": r"\kilo\newton", "V": r"\volt", "mV": r"\milli\volt", "A": r"\ampere",
    "mA": r"\milli\ampere", "Ω": r"\ohm", "ohm": r"\ohm", "W": r"\watt", "kW": r"\kilo\watt",
    "kWh": r"\kilo\watt\hour", "s": r"\second", "min": r"\minute", "h": r"\hour", "Hz": r"\hertz",
    "%": r"\percent", "": r"\one",
}
FROM_DSI = {}
for _unit, _dsi in DSI_UNITS.items():
    FROM_DSI.setdefault(_dsi, _unit)

CONFORMITY = {"pass": "pass", "fail": "fail", "conditional-pass": "conditionalPass",
              "conditional-fail": "conditionalFail"}
FROM_CONFORMITY = {v: k for k, v in CONFORMITY.items()}


class DCCError(ValueError):
    """A DCC that cannot be read or imported; the message says why."""


# ------------------------------------------------------------------------------------ validation
@functools.cache
def schema() -> xmlschema.XMLSchema:
    """The DCC 3.3.0 schema, loaded from the package's copy without any network access."""
    qudt = SCHEMA_DIR / "si" / "qudt" / "quantitykind.xsd"
    mapper = {"https://www.ptb.de/si/v2.2.1/qudt/quantitykind.xsd": str(qudt)}
    return xmlschema.XMLSchema(str(SCHEMA_DIR / "dcc.xsd"), allow="local", uri_mapper=mapper)


def validation_errors(xml: bytes | str) -> list[str]:
    """The schema's messages for ``xml`` (empty when valid). Never fetches anything remote."""
    try:
        resource = xmlschema.XMLResource(xml.encode() if isinstance(xml, str) else xml, allow="none",
                                         defuse="always")
    except Exception as exc:  # not XML at all, or forbidden constructs (entities, DTDs)
        return [_("Not a readable XML document: %(error)s") % {"error": exc}]
    errors = []
    for err in schema().iter_errors(resource):
        where = f" ({err.path})" if getattr(err, "path", None) else ""
        errors.append(f"{err.reason or err.message}{where}")
        if len(errors) >= 5:
            break
    return errors


def validate(xml: bytes | str) -> None:
    """Raise :class:`DCCError` with the schema's message when ``xml`` is not a valid DCC 3.3.0."""
    errors = validation_errors(xml)
    if errors:
        raise DCCError(_("The file is not a valid DCC 3.3.0: %(errors)s") % {"errors": "; ".join(errors)})


# ------------------------------------------------------------------------------------ export
def _num(x) -> str:
    """A float as D-SI writes numbers (decimal or exponent notation, no locale)."""
    return repr(float(x))


def _sub(parent, tag, text=None, **attrs):
    prefix, _sep, name = tag.partition(":")
    el = ET.SubElement(parent, f"{{{NS[prefix]}}}{name}", attrs)
    if text is not None:
        el.text = str(text)
    return el


def _text_el(parent, tag, *contents):
    """A ``dcc:textType``: one ``content`` per (lang, text); lang None leaves the attribute out."""
    el = _sub(parent, tag)
    for lang, text in contents:
        if lang:
            _sub(el, "dcc:content", text, lang=lang)
        else:
            _sub(el, "dcc:content", text)
    return el


def _location(parent, tag, org: Organization | None):
    loc = _sub(parent, tag)
    city = ""
    if org is not None and org.unit_id:
        unit = org.unit
        city = (unit.province.name if getattr(unit, "province_id", None) else unit.name) or ""
    _sub(loc, "dcc:city", city or "—")
    _sub(loc, "dcc:countryCode", "VN")
    if org is not None and org.address:
        _sub(loc, "dcc:street", org.address)
    return loc


def _contact(parent, tag, org: Organization | None, name: str):
    el = _sub(parent, tag)
    _text_el(el, "dcc:name", (None, name))
    if org is not None and org.phone:
        _sub(el, "dcc:phone", org.phone)
    _location(el, "dcc:location", org)
    return el


def dsi_unit(unit: str) -> str:
    unit = (unit or "").strip()
    return DSI_UNITS.get(unit, unit if unit.startswith("\\") else unit or r"\one")


def _real(parent, value, unit, *, U=None, k=None, p=None, label=None):
    real = _sub(parent, "si:real")
    if label:
        _sub(real, "si:label", label)
    _sub(real, "si:value", _num(value))
    _sub(real, "si:unit", dsi_unit(unit))
    if U is not None and k is not None:
        mu = _sub(_sub(real, "si:measurementUncertaintyUnivariate"), "si:expandedMU")
        _sub(mu, "si:valueExpandedMU", _num(U))
        _sub(mu, "si:coverageFactor", _num(k))
        _sub(mu, "si:coverageProbability", _num(p if p is not None else 0.95))
        _sub(mu, "si:distribution", "normal")
    return real


def _quantity(parent, ref_type, name_vi, name_en):
    q = _sub(parent, "dcc:quantity", refType=ref_type)
    _text_el(q, "dcc:name", ("vi", name_vi), ("en", name_en))
    return q


def export_record(record: ServiceRecord, *, issued: dt.date | None = None) -> bytes:
    """The calibration ``record`` as DCC 3.3.0 XML (UTF-8). The caller checks access first."""
    inst = record.instrument
    kind = inst.kind
    provider = record.provider
    owner = inst.owner
    unit = record.measurement_unit
    ET.register_namespace("dcc", DCC)
    ET.register_namespace("si", SI)
    ET.register_namespace("xsi", XSI)
    root = ET.Element(f"{{{DCC}}}digitalCalibrationCertificate", {
        "schemaVersion": "3.3.0", f"{{{XSI}}}schemaLocation": "https://ptb.de/dcc https://ptb.de/dcc/v3.3.0/dcc.xsd"})
    adm = _sub(root, "dcc:administrativeData")
    sw = _sub(_sub(adm, "dcc:dccSoftware"), "dcc:software")
    _text_el(sw, "dcc:name", (None, SOFTWARE))
    from doluong.metrology import __version__

    _sub(sw, "dcc:release", __version__)
    _sub(sw, "dcc:type", "application")

    core = _sub(adm, "dcc:coreData")
    _sub(core, "dcc:countryCodeISO3166_1", "VN")
    _sub(core, "dcc:usedLangCodeISO639_1", "vi")
    _sub(core, "dcc:usedLangCodeISO639_1", "en")
    _sub(core, "dcc:mandatoryLangCodeISO639_1", "vi")
    _sub(core, "dcc:uniqueIdentifier", record.certificate_number or f"doluong-record-{record.pk}")
    _sub(core, "dcc:beginPerformanceDate", record.performed_on.isoformat())
    _sub(core, "dcc:endPerformanceDate", record.performed_on.isoformat())
    _sub(core, "dcc:performanceLocation", "laboratory")
    _sub(core, "dcc:issueDate", (issued or timezone.localdate()).isoformat())

    item = _sub(_sub(adm, "dcc:items"), "dcc:item")
    _text_el(item, "dcc:name", ("vi", kind.name))
    cls = _sub(item, "dcc:equipmentClass")
    _sub(cls, "dcc:reference", "doluong:InstrumentKind")
    _sub(cls, "dcc:classID", kind.code)
    if inst.accuracy_class:
        _text_el(item, "dcc:description", ("vi", f"Cấp chính xác {inst.accuracy_class}"),
                 ("en", f"Accuracy class {inst.accuracy_class}"))
    _contact(item, "dcc:owner", owner, owner.name)
    if inst.manufacturer:
        man = _sub(item, "dcc:manufacturer")
        _text_el(man, "dcc:name", (None, inst.manufacturer))
    if inst.model_name:
        _sub(item, "dcc:model", inst.model_name)
    ident = _sub(_sub(item, "dcc:identifications"), "dcc:identification")
    _sub(ident, "dcc:issuer", "manufacturer")
    _sub(ident, "dcc:value", inst.serial_number)
    _text_el(ident, "dcc:name", ("vi", "Số sản xuất"), ("en", "Serial number"))

    lab = _sub(adm, "dcc:calibrationLaboratory")
    if provider.provider_code:
        _sub(lab, "dcc:calibrationLaboratoryCode", provider.provider_code)
    _contact(lab, "dcc:contact", provider, provider.name)

    person = _sub(_sub(adm, "dcc:respPersons"), "dcc:respPerson")
    _text_el(_sub(person, "dcc:person"), "dcc:name", (None, record.officer.full_name if record.officer_id
                                                      else provider.name))
    _sub(person, "dcc:mainSigner", "true")
    _contact(adm, "dcc:customer", owner, owner.name)

    if record.decision_rule:
        st = _sub(_sub(adm, "dcc:statements"), "dcc:statement", refType="doluong_decisionRule")
        _text_el(st, "dcc:name", ("vi", "Quy tắc quyết định"), ("en", "Decision rule"))
        _sub(st, "dcc:norm", "ILAC G8:09/2019")
        _sub(st, "dcc:reference", record.decision_rule)
        r = record.guard_band_factor if record.guard_band_factor is not None else 1
        _text_el(st, "dcc:declaration", ("vi", rule_statement(record, "vi")), ("en", rule_statement(record, "en")))
        if record.decision:
            _sub(st, "dcc:conformity", CONFORMITY[record.decision])
        data = _sub(st, "dcc:data")
        _real(_quantity(data, "doluong_guardBandFactor", "Hệ số dải bảo vệ r", "Guard band factor r"), r, "")
        for ref_type, value, vi, en in (("doluong_lowerLimit", record.lower_limit, "Giới hạn dưới", "Lower limit"),
                                        ("doluong_upperLimit", record.upper_limit, "Giới hạn trên", "Upper limit")):
            if value is not None:
                _real(_quantity(data, ref_type, vi, en), value, unit)

    results = _sub(root, "dcc:measurementResults")
    mr = _sub(results, "dcc:measurementResult")
    _text_el(mr, "dcc:name", ("vi", record.measurand or "Kết quả hiệu chuẩn"),
             ("en", record.measurand or "Calibration result"))
    rs = _sub(mr, "dcc:results")
    if record.measured_value is not None:
        res = _sub(rs, "dcc:result", refType="doluong_measuredValue")
        _text_el(res, "dcc:name", ("vi", "Giá trị đo"), ("en", "Measured value"))
        q = _quantity(_sub(res, "dcc:data"), "basic_measuredValue", "Giá trị đo", "Measured value")
        _real(q, record.measured_value, unit, U=record.expanded_uncertainty, k=record.coverage_factor,
              p=record.coverage_probability)
    points = [p for p in record.points or [] if isinstance(p, dict)]
    if points:
        res = _sub(rs, "dcc:result", refType="doluong_points")
        _text_el(res, "dcc:name", ("vi", "Các điểm đo"), ("en", "Measuring points"))
        data = _sub(res, "dcc:data")
        for key, ref_type, vi, en in (("reference", "basic_referenceValue", "Giá trị chuẩn", "Reference value"),
                                      ("indication", "basic_measuredValue", "Giá trị chỉ thị", "Indication")):
            q = _quantity(data, ref_type, vi, en)
            lst = _sub(q, "si:realListXMLList")
            _sub(lst, "si:valueXMLList", " ".join(_num(p[key]) for p in points))
            _sub(lst, "si:unitXMLList", dsi_unit(unit))
    if record.measured_value is None and not points:
        res = _sub(rs, "dcc:result", refType="doluong_note")
        _text_el(res, "dcc:name", ("vi", "Kết quả"), ("en", "Result"))
        _text_el(_sub(res, "dcc:data"), "dcc:text", ("vi", record.notes or record.get_result_display()))
    if record.uncertainty_budget:
        meta = _sub(_sub(mr, "dcc:measurementMetaData"), "dcc:metaData", refType="doluong_uncertaintyBudget")
        _text_el(meta, "dcc:name", ("vi", "Bảng ngân sách độ không đảm bảo đo"), ("en", "Uncertainty budget"))
        _sub(meta, "dcc:norm", "JCGM 100:2008")
        _text_el(meta, "dcc:declaration", (None, json.dumps(record.uncertainty_budget, ensure_ascii=False)))
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def rule_statement(record: ServiceRecord, lang: str = "vi") -> str:
    """The decision rule as a certificate states it (ILAC G8 asks that it be stated)."""
    r = record.guard_band_factor if record.guard_band_factor is not None else 1
    if lang == "vi":
        texts = {
            "simple": "Quy tắc chấp nhận đơn giản (nhị phân, dải bảo vệ w = 0) theo ILAC G8:09/2019.",
            "guard-band": f"Quy tắc nhị phân có dải bảo vệ w = {r:g}·U theo ILAC G8:09/2019.",
            "non-binary": f"Quy tắc không nhị phân có dải bảo vệ w = {r:g}·U theo ILAC G8:09/2019.",
        }
    else:
        texts = {
            "simple": "Binary simple acceptance rule (guard band w = 0), ILAC G8:09/2019.",
            "guard-band": f"Binary decision rule with guard band w = {r:g}·U, ILAC G8:09/2019.",
            "non-binary": f"Non-binary decision rule with guard band w = {r:g}·U, ILAC G8:09/2019.",
        }
    return texts.get(record.decision_rule, "")


# ------------------------------------------------------------------------------------ import
@dataclass
class ParsedDCC:
    certificate_number: str = ""
    performed_on: dt.date | None = None
    provider_name: str = ""
    provider_code: str = ""
    owner_name: str = ""
    kind_code: str = ""
    kind_name: str = ""
    serial_number: str = ""
    manufacturer: str = ""
    model_name: str = ""
    officer_name: str = ""
    measurand: str = ""
    measurement_unit: str = ""
    measured_value: float | None = None
    expanded_uncertainty: float | None = None
    coverage_factor: float | None = None
    coverage_probability: float | None = None
    points: list = field(default_factory=list)
    decision_rule: str = ""
    guard_band_factor: float = 1
    lower_limit: float | None = None
    upper_limit: float | None = None
    conformity: str = ""
    uncertainty_budget: dict = field(default_factory=dict)


def _content(el, lang="vi") -> str:
    if el is None:
        return ""
    contents = el.findall("dcc:content", NS)
    for c in contents:
        if c.get("lang") == lang:
            return (c.text or "").strip()
    return (contents[0].text or "").strip() if contents else ""


def _float(text):
    return float(text) if text not in (None, "") else None


def _unit(dsi: str) -> str:
    dsi = (dsi or "").strip()
    return FROM_DSI.get(dsi, dsi)


def parse(xml: bytes | str) -> ParsedDCC:
    """The values of a DCC 3.3.0 (validated first; :class:`DCCError` with the schema's message if invalid)."""
    validate(xml)
    root = xmlschema.XMLResource(xml.encode() if isinstance(xml, str) else xml, allow="none", defuse="always").root
    p = ParsedDCC()
    adm = root.find("dcc:administrativeData", NS)
    core = adm.find("dcc:coreData", NS)
    p.certificate_number = core.findtext("dcc:uniqueIdentifier", "", NS).strip()
    p.performed_on = dt.date.fromisoformat(core.findtext("dcc:beginPerformanceDate", "", NS).strip()[:10])
    lab = adm.find("dcc:calibrationLaboratory", NS)
    p.provider_code = lab.findtext("dcc:calibrationLaboratoryCode", "", NS).strip()
    p.provider_name = _content(lab.find("dcc:contact/dcc:name", NS))
    p.owner_name = _content(adm.find("dcc:customer/dcc:name", NS))
    item = adm.find("dcc:items/dcc:item", NS)
    p.kind_name = _content(item.find("dcc:name", NS))
    for cls in item.findall("dcc:equipmentClass", NS):
        if cls.findtext("dcc:reference", "", NS).strip() == "doluong:InstrumentKind":
            p.kind_code = cls.findtext("dcc:classID", "", NS).strip()
    owner = _content(item.find("dcc:owner/dcc:name", NS))
    p.owner_name = owner or p.owner_name
    p.manufacturer = _content(item.find("dcc:manufacturer/dcc:name", NS))
    p.model_name = item.findtext("dcc:model", "", NS).strip()
    idents = item.findall("dcc:identifications/dcc:identification", NS)
    for ident in idents:
        if ident.findtext("dcc:issuer", "", NS) == "manufacturer":
            p.serial_number = ident.findtext("dcc:value", "", NS).strip()
            break
    if not p.serial_number and idents:
        p.serial_number = idents[0].findtext("dcc:value", "", NS).strip()
    p.officer_name = _content(adm.find("dcc:respPersons/dcc:respPerson/dcc:person/dcc:name", NS))

    for st in adm.findall("dcc:statements/dcc:statement", NS):
        conformity = st.findtext("dcc:conformity", "", NS).strip()
        if conformity:
            p.conformity = FROM_CONFORMITY.get(conformity, "")
        if st.get("refType") == "doluong_decisionRule":
            p.decision_rule = st.findtext("dcc:reference", "", NS).strip()
            for q in st.findall("dcc:data/dcc:quantity", NS):
                value = _float(q.findtext("si:real/si:value", None, NS))
                ref = q.get("refType")
                if ref == "doluong_guardBandFactor" and value is not None:
                    p.guard_band_factor = value
                elif ref == "doluong_lowerLimit":
                    p.lower_limit = value
                elif ref == "doluong_upperLimit":
                    p.upper_limit = value

    mr = root.find("dcc:measurementResults/dcc:measurementResult", NS)
    p.measurand = _content(mr.find("dcc:name", NS))
    if p.measurand == "Kết quả hiệu chuẩn":
        p.measurand = ""
    measured = None
    for res in mr.findall("dcc:results/dcc:result", NS):
        if res.get("refType") == "doluong_points":
            lists = {}
            for q in res.findall("dcc:data/dcc:quantity", NS):
                lst = q.find("si:realListXMLList", NS)
                if lst is None:
                    continue
                values = [float(v) for v in (lst.findtext("si:valueXMLList", "", NS)).split()]
                lists[q.get("refType")] = values
                p.measurement_unit = p.measurement_unit or _unit(lst.findtext("si:unitXMLList", "", NS).split()[0])
            refs, inds = lists.get("basic_referenceValue", []), lists.get("basic_measuredValue", [])
            p.points = [{"reference": r, "indication": i} for r, i in zip(refs, inds, strict=False)]
            continue
        if measured is None:
            measured = res.find(".//dcc:quantity/si:real", NS)
    if measured is not None:
        p.measured_value = _float(measured.findtext("si:value", None, NS))
        p.measurement_unit = _unit(measured.findtext("si:unit", "", NS)) or p.measurement_unit
        mu = measured.find("si:measurementUncertaintyUnivariate/si:expandedMU", NS)
        if mu is not None:
            p.expanded_uncertainty = _float(mu.findtext("si:valueExpandedMU", None, NS))
            p.coverage_factor = _float(mu.findtext("si:coverageFactor", None, NS))
            p.coverage_probability = _float(mu.findtext("si:coverageProbability", None, NS))
    for meta in mr.findall("dcc:measurementMetaData/dcc:metaData", NS):
        if meta.get("refType") == "doluong_uncertaintyBudget":
            try:
                p.uncertainty_budget = json.loads(_content(meta.find("dcc:declaration", NS)))
            except ValueError:
                p.uncertainty_budget = {}
    return p


def _one(queryset, what: str):
    found = list(queryset[:2])
    if len(found) > 1:
        raise DCCError(_("More than one %(what)s matches the DCC; choose it explicitly.") % {"what": what})
    return found[0] if found else None


def resolve_provider(parsed: ParsedDCC, user, chosen: Organization | None = None) -> Organization:
    """The provider: a provider user's own organisation; otherwise chosen, or by provider code, then by name."""
    if role_of(user) == Role.PROVIDER:
        return Organization.objects.get(pk=user.organization_id)
    if chosen is not None:
        return chosen
    orgs = access.restrict(Organization.objects.all(), user)
    found = None
    if parsed.provider_code:
        found = _one(orgs.filter(provider_code__iexact=parsed.provider_code), _("provider"))
    if found is None and parsed.provider_name:
        found = _one(orgs.filter(name__iexact=parsed.provider_name), _("provider"))
    if found is None:
        raise DCCError(_("No provider named “%(name)s” (code %(code)s) is registered; choose the provider.")
                       % {"name": parsed.provider_name, "code": parsed.provider_code or "—"})
    return found


def resolve_instrument(parsed: ParsedDCC, user) -> Instrument:
    """The instrument with the DCC's serial number (and manufacturer, when given); officers may create it."""
    if not parsed.serial_number:
        raise DCCError(_("The DCC does not identify the item by a serial number."))
    instruments = access.restrict(Instrument.objects.select_related("kind", "owner"), user)
    candidates = instruments.filter(serial_number__iexact=parsed.serial_number)
    if parsed.manufacturer:
        candidates = candidates.filter(manufacturer__iexact=parsed.manufacturer)
    if parsed.owner_name and candidates.count() > 1:
        candidates = candidates.filter(owner__name__iexact=parsed.owner_name)
    found = _one(candidates, _("instrument"))
    if found is not None:
        return found
    if role_of(user) != Role.OFFICER:
        raise DCCError(_("No instrument with serial number %(sn)s (manufacturer %(man)s) is registered; ask the "
                         "programme officer to register it first.") % {"sn": parsed.serial_number,
                                                                     "man": parsed.manufacturer or "—"})
    owner = _one(Organization.objects.filter(name__iexact=parsed.owner_name), _("owner")) if parsed.owner_name else None
    if owner is None:
        raise DCCError(_("The owner “%(name)s” named in the DCC is not registered; register the organisation first.")
                       % {"name": parsed.owner_name or "—"})
    kinds = InstrumentKind.objects.in_force_on(parsed.performed_on or timezone.localdate())
    kind = None
    if parsed.kind_code:
        kind = kinds.filter(code=parsed.kind_code).order_by("-valid_from").first()
    if kind is None and parsed.kind_name:
        kind = kinds.filter(name__iexact=parsed.kind_name).order_by("-valid_from").first()
    if kind is None:
        raise DCCError(_("The kind of instrument “%(name)s” is not in the list of kinds; the instrument cannot be "
                         "created.") % {"name": parsed.kind_name or parsed.kind_code or "—"})
    instrument = Instrument(owner=owner, kind=kind, serial_number=parsed.serial_number,
                            manufacturer=parsed.manufacturer, model_name=parsed.model_name, unit_id=owner.unit_id)
    try:
        return writes.save(instrument, user=user, via=writes.Via.DCC)
    except ValidationError as exc:
        raise DCCError(_messages(exc)) from None


def import_dcc(xml: bytes | str, user, *, provider: Organization | None = None) -> ServiceRecord:
    """Create a calibration record (source ``dcc``) from a DCC; :class:`DCCError` says why not.

    The document is validated against the schema first. The record is written through the write path
    (:func:`doluong.core.writes.save`): the same rules as the form, history, the instruments' due dates,
    and it must fall within what ``user`` may add.
    """
    parsed = parse(xml)
    if not access.can(user, ServiceRecord, "add"):
        raise DCCError(_("You may not add records."))
    with transaction.atomic():
        record = ServiceRecord(
            provider=resolve_provider(parsed, user, provider), instrument=resolve_instrument(parsed, user),
            activity=Activity.CALIBRATION, performed_on=parsed.performed_on,
            result={"pass": Result.PASS, "fail": Result.FAIL, "conditional-fail": Result.FAIL}.get(
                parsed.conformity, Result.DONE),
            certificate_number=parsed.certificate_number[:60], measurand=parsed.measurand[:200],
            measurement_unit=parsed.measurement_unit[:30], points=parsed.points,
            uncertainty_budget=parsed.uncertainty_budget, measured_value=parsed.measured_value,
            expanded_uncertainty=parsed.expanded_uncertainty, coverage_factor=parsed.coverage_factor,
            coverage_probability=parsed.coverage_probability, decision_rule=parsed.decision_rule,
            guard_band_factor=parsed.guard_band_factor, lower_limit=parsed.lower_limit,
            upper_limit=parsed.upper_limit, source=Source.DCC,
        )
        try:
            writes.save(record, user=user, via=writes.Via.DCC)
        except ValidationError as exc:
            raise DCCError(_messages(exc)) from None
        except writes.WriteRefused:
            raise DCCError(_("This record would be outside what your organisation may change.")) from None
    return record


def _messages(exc: ValidationError) -> str:
    if not hasattr(exc, "error_dict"):
        return " ".join(exc.messages)
    return "; ".join(f"{k}: {' '.join(v)}" if k != "__all__" else " ".join(v) for k, v in exc.message_dict.items())
