"""Digital calibration certificates: PTB DCC 3.x (namespace ``https://ptb.de/dcc``) with D-SI units.

:func:`export_record` writes a calibration record as DCC 3.3.0 XML; :func:`validate` checks a document
offline against the schema copied into ``records/data/dcc/`` (``dcc.xsd`` 3.3.0, D-SI 2.2.1, XML-DSig,
and a local stand-in for the QUDT import — see its README).

Reading (docs/dcc.md says the same for users): :func:`schema_check` names the version and the schema
findings (3.3.0 against its own schema; other 3.x versions against 3.3.0, the closest shipped; 2.x and
others refused); :func:`read` turns any DCC 3.x into plain values — every ``dcc:result`` with its
``dcc:quantity`` in ``si:real``, ``si:constant``, ``si:list``, ``si:realListXMLList``, ``si:hybrid``,
``si:complex`` and ``si:complexListXMLList`` form, D-SI units kept whole, expanded / standard uncertainty,
coverage factor and probability, influence conditions, statements of conformity, the signature block;
:func:`run_import` makes (or finds again) the calibration record through the write path, and
:func:`preview_import` does the same inside a transaction that is rolled back, to show what would be stored.

Where a record's data has no DCC element of its own it travels in standard containers, marked by a
``refType`` starting with ``doluong_``: the decision rule and limits in ``administrativeData/statements``
(with ``conformity`` and the ILAC G8 norm), the measured points as ``si:realListXMLList`` quantities, the
uncertainty budget (``calc uncertainty`` input, JSON) in ``measurementMetaData``.
"""

import datetime as dt
import functools
import hashlib
import json
import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import xmlschema
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
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
DS = "http://www.w3.org/2000/09/xmldsig#"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
NS = {"dcc": DCC, "si": SI, "ds": DS}
SOFTWARE = "doluong"
SHIPPED_SCHEMAS = {"3.3.0": "dcc.xsd"}  # version -> schema file in SCHEMA_DIR
CLOSEST_SCHEMA = "3.3.0"
CERTIFICATE_NUMBER_MAX = 60  # ServiceRecord.certificate_number

# Units as people type them -> D-SI (BIPM SI brochure, 9th edition, D-SI syntax).
DSI_UNITS = {
    "kg": r"\kilogram", "g": r"\gram", "mg": r"\milli\gram", "µg": r"\micro\gram", "t": r"\tonne",
    "L": r"\litre", "l": r"\litre", "mL": r"\milli\litre", "ml": r"\milli\litre", "cL": r"\centi\litre",
    "m³": r"\metre\tothe{3}", "m3": r"\metre\tothe{3}", "m": r"\metre", "cm": r"\centi\metre",
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
# A certificate's statement of conformity -> the record's result (conditional pass, noPass, noFail: no verdict).
CONFORMITY_RESULT = {"pass": Result.PASS, "fail": Result.FAIL, "conditionalFail": Result.FAIL}

# What the instrument kind's metrology field expects, when the instrument has no earlier record with a unit.
FIELD_UNITS = {"mass": "kg", "temperature": "°C", "pressure": "Pa", "length": "m", "volume_flow": "L"}


class DCCError(ValueError):
    """A DCC that cannot be read or imported; the message says why."""


# ------------------------------------------------------------------------------------ D-SI units
PREFIXES = {
    "yotta": ("Y", "yotta"), "zetta": ("Z", "zetta"), "exa": ("E", "exa"), "peta": ("P", "peta"),
    "tera": ("T", "tera"), "giga": ("G", "giga"), "mega": ("M", "mega"), "kilo": ("k", "kilo"),
    "hecto": ("h", "hecto"), "deca": ("da", "deca"), "deci": ("d", "deci"), "centi": ("c", "centi"),
    "milli": ("m", "milli"), "micro": ("µ", "micro"), "nano": ("n", "nano"), "pico": ("p", "pico"),
    "femto": ("f", "femto"), "atto": ("a", "atto"), "zepto": ("z", "zepto"), "yocto": ("y", "yocto"),
    "kibi": ("Ki", "kibi"), "mebi": ("Mi", "mebi"), "gibi": ("Gi", "gibi"), "tebi": ("Ti", "tebi"),
}
# D-SI unit name (lower case) -> (symbol, pint name)
UNITS = {
    "metre": ("m", "meter"), "kilogram": ("kg", "kilogram"), "gram": ("g", "gram"), "second": ("s", "second"),
    "ampere": ("A", "ampere"), "kelvin": ("K", "kelvin"), "mole": ("mol", "mole"), "candela": ("cd", "candela"),
    "one": ("", "dimensionless"), "percent": ("%", "percent"), "ppm": ("ppm", "ppm"),
    "radian": ("rad", "radian"), "steradian": ("sr", "steradian"), "hertz": ("Hz", "hertz"),
    "newton": ("N", "newton"), "pascal": ("Pa", "pascal"), "joule": ("J", "joule"), "watt": ("W", "watt"),
    "coulomb": ("C", "coulomb"), "volt": ("V", "volt"), "farad": ("F", "farad"), "ohm": ("Ω", "ohm"),
    "siemens": ("S", "siemens"), "weber": ("Wb", "weber"), "tesla": ("T", "tesla"), "henry": ("H", "henry"),
    "degreecelsius": ("°C", "degree_Celsius"), "lumen": ("lm", "lumen"), "lux": ("lx", "lux"),
    "becquerel": ("Bq", "becquerel"), "sievert": ("Sv", "sievert"), "gray": ("Gy", "gray"),
    "katal": ("kat", "katal"), "day": ("d", "day"), "hour": ("h", "hour"), "minute": ("min", "minute"),
    "degree": ("°", "degree"), "arcminute": ("′", "arcminute"), "arcsecond": ("″", "arcsecond"),
    "hectare": ("ha", "hectare"), "litre": ("L", "liter"), "tonne": ("t", "tonne"),
    "electronvolt": ("eV", "electron_volt"), "dalton": ("Da", "dalton"), "bar": ("bar", "bar"),
    "astronomicalunit": ("au", "astronomical_unit"), "neper": ("Np", "neper"), "bel": ("B", "bel"),
    "decibel": ("dB", "decibel"), "mmhg": ("mmHg", "mmHg"), "kgf": ("kgf", "kilogram_force"),
    "byte": ("B", "byte"), "bit": ("bit", "bit"), "clight": ("c", "speed_of_light"),
}
_SUPERSCRIPT = str.maketrans("0123456789-/.", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻ᐟ·")
_TOKEN = re.compile(r"\\([A-Za-z]+)(?:\{([^}]*)\})?")


@dataclass(frozen=True)
class Unit:
    """A D-SI unit as the certificate wrote it (``dsi``, whole), readable, and in pint's syntax (or None)."""

    dsi: str
    readable: str
    pint: str | None
    note: str = ""


@functools.lru_cache(maxsize=512)
def read_unit(dsi: str) -> Unit:
    """``\\kilogram`` → kg, ``\\degreecelsius`` → °C, ``\\metre\\tothe{-1}\\second\\tothe{-2}`` → m⁻¹·s⁻²."""
    raw = (dsi or "").strip()
    text, note = raw.replace("\\%", "\\percent"), ""
    if text and "\\" not in text and text.startswith("/") and re.fullmatch(r"(/[A-Za-z]+(\{[^}]*\})?)+", text):
        text, note = text.replace("/", "\\"), _("unit “%(raw)s” read as “%(dsi)s”") % {"raw": raw, "dsi": text.replace(
            "/", "\\")}
    if not text:
        return Unit(raw, "", "dimensionless", note)
    if "\\" not in text:  # not D-SI: a plain symbol such as "kg"
        return Unit(raw, text, _pint_symbol(text), note)
    parts: list[list] = []  # [symbol, pint name or None, exponent]
    prefix = None
    pos = 0
    per = False
    for m in _TOKEN.finditer(text):
        if text[pos:m.start()].strip():
            return Unit(raw, raw, None, note)  # something that is not D-SI between the tokens
        pos = m.end()
        word, arg = m.group(1), m.group(2)
        low = word.lower()
        if low == "tothe" and parts:
            parts[-1][2] = _exponent(arg, parts[-1][2])
            continue
        if low == "per":  # D-SI 1.x
            per = True
            continue
        if low in PREFIXES and prefix is None and low not in UNITS:
            prefix = PREFIXES[low]
            continue
        sym, pname = UNITS.get(low, (word, None))
        if prefix is not None:
            sym, pname = prefix[0] + sym, (prefix[1] + pname) if pname else None
            prefix = None
        parts.append([sym, pname, -1 if per else 1])
        per = False
    if text[pos:].strip() or prefix is not None or not parts:
        return Unit(raw, raw, None, note)
    if FROM_DSI.get(text) is not None and text != r"\one":
        readable = FROM_DSI[text]
    else:
        shown = [p for p in parts if p[0]] or parts
        readable = "·".join(p[0] + ("" if p[2] == 1 else str(_fmt_exp(p[2])).translate(_SUPERSCRIPT)) for p in shown)
    pint = None
    if all(p[1] for p in parts):
        pint = "*".join(p[1] + ("" if p[2] == 1 else f"**({_fmt_exp(p[2])})") for p in parts)
    return Unit(raw, readable, pint, note)


def _exponent(arg, current):
    try:
        value = float(eval_fraction(arg))
    except (TypeError, ValueError, ZeroDivisionError):
        return current
    return current * value


def eval_fraction(text: str) -> float:
    text = (text or "").strip()
    if "/" in text:
        a, b = text.split("/", 1)
        return float(a) / float(b)
    return float(text)


def _fmt_exp(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _pint_symbol(symbol: str) -> str | None:
    """pint's name for a unit as people type it (the keys of DSI_UNITS)."""
    if symbol in DSI_UNITS:
        return read_unit(DSI_UNITS[symbol]).pint if symbol else "dimensionless"
    return None


def _ureg():
    from doluong.metrology.units import registry

    return registry()


def _pint_unit(expr: str | None):
    if not expr:
        return None
    try:
        return _ureg().Unit(expr)
    except Exception:
        return None


def same_dimension(a: str | None, b: str | None) -> bool:
    ua, ub = _pint_unit(a), _pint_unit(b)
    return ua is not None and ub is not None and ua.dimensionality == ub.dimensionality


def convert_value(value: float, src: str, dst: str) -> float:
    q = _ureg().Quantity(value, _pint_unit(src))
    return float(q.to(_pint_unit(dst)).magnitude)


def convert_interval(value: float, width: float, src: str, dst: str) -> float:
    """An uncertainty (a difference) converted: by the units' scale only, so right for offset units too
    (0.061 K is 0.061 °C). The scale is rounded to 12 significant digits against floating-point noise."""
    scale = convert_value(1.0, src, dst) - convert_value(0.0, src, dst)
    scale = float(f"{scale:.12g}")
    return abs(width * scale)


def dsi_unit(unit: str) -> str:
    unit = (unit or "").strip()
    return DSI_UNITS.get(unit, unit if unit.startswith("\\") else unit or r"\one")


# ------------------------------------------------------------------------------------ validation
@functools.cache
def schema(version: str = CLOSEST_SCHEMA) -> xmlschema.XMLSchema:
    """A shipped DCC schema, loaded from the package's copy without any network access."""
    qudt = SCHEMA_DIR / "si" / "qudt" / "quantitykind.xsd"
    mapper = {"https://www.ptb.de/si/v2.2.1/qudt/quantitykind.xsd": str(qudt)}
    return xmlschema.XMLSchema(str(SCHEMA_DIR / SHIPPED_SCHEMAS[version]), allow="local", uri_mapper=mapper)


def _resource(xml: bytes | str) -> xmlschema.XMLResource:
    return xmlschema.XMLResource(xml.encode() if isinstance(xml, str) else xml, allow="none", defuse="always")


def validation_errors(xml: bytes | str, *, version: str = CLOSEST_SCHEMA, limit: int = 5) -> list[str]:
    """The schema's messages for ``xml`` (empty when valid) against a shipped schema. Never fetches anything."""
    try:
        resource = _resource(xml)
    except Exception as exc:  # not XML at all, or forbidden constructs (entities, DTDs)
        return [_("Not a readable XML document: %(error)s") % {"error": exc}]
    errors = []
    for err in schema(version).iter_errors(resource):
        where = f" ({err.path})" if getattr(err, "path", None) else ""
        errors.append(f"{err.reason or err.message}{where}")
        if len(errors) >= limit:
            break
    return errors


def validate(xml: bytes | str) -> None:
    """Raise :class:`DCCError` with the schema's message when ``xml`` is not a valid DCC 3.3.0."""
    errors = validation_errors(xml)
    if errors:
        raise DCCError(_("The file is not a valid DCC 3.3.0: %(errors)s") % {"errors": "; ".join(errors)})


@dataclass
class SchemaCheck:
    version: str
    against: str  # the shipped schema version it was checked against
    findings: list[str] = field(default_factory=list)  # what the user must accept before the import

    @property
    def exact(self) -> bool:
        return self.version == self.against


def _root(xml: bytes | str):
    try:
        return _resource(xml).root
    except Exception as exc:
        raise DCCError(_("Not a readable XML document: %(error)s") % {"error": exc}) from None


def schema_check(xml: bytes | str) -> SchemaCheck:
    """The certificate's schema version and what the offline check found; :class:`DCCError` for 2.x and others.

    A 3.3.0 document is checked against the shipped DCC 3.3.0 schema. No schema of the other 3.x versions is
    shipped: such a document is checked against 3.3.0, the closest (with its ``schemaVersion`` read as 3.3.0),
    and the findings say so."""
    root = _root(xml)
    if root.tag != f"{{{DCC}}}digitalCalibrationCertificate":
        raise DCCError(_("This is not a digital calibration certificate (no dcc:digitalCalibrationCertificate "
                         "root element in namespace https://ptb.de/dcc)."))
    version = (root.get("schemaVersion") or "").strip()
    if not re.fullmatch(r"\d+\.\d+\.\d+", version):
        raise DCCError(_("The certificate does not state its DCC schema version (schemaVersion “%(v)s”).")
                       % {"v": version})
    major = int(version.split(".")[0])
    if major < 3:
        raise DCCError(_("DCC schema version %(v)s is not supported: doluong reads DCC 3.x certificates "
                         "(3.0 to 3.3). Ask the laboratory for the certificate in DCC 3.x.") % {"v": version})
    if major > 3:
        raise DCCError(_("DCC schema version %(v)s is newer than doluong knows (3.x up to 3.3); it cannot be "
                         "read safely.") % {"v": version})
    data = xml.encode() if isinstance(xml, str) else xml
    if version in SHIPPED_SCHEMAS:
        return SchemaCheck(version, version, validation_errors(data, version=version, limit=20))
    # schemaVersion is an attribute of the root; rewrite it in the first start tag only.
    head, sep, rest = data.partition(b">")
    head = re.sub(rb'schemaVersion\s*=\s*(["\'])[^"\']*\1', b'schemaVersion="' + CLOSEST_SCHEMA.encode() + b'"',
                  head, count=1)
    findings = [_("schemaVersion %(v)s: no DCC %(v)s schema is shipped with doluong; the file was checked "
                  "against DCC %(closest)s, the closest shipped schema.") % {"v": version, "closest": CLOSEST_SCHEMA}]
    findings += validation_errors(head + sep + rest, version=CLOSEST_SCHEMA, limit=20)
    return SchemaCheck(version, CLOSEST_SCHEMA, findings)


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


def _real(parent, value, unit, *, U=None, k=None, p=None, label=None, dsi=None):
    real = _sub(parent, "si:real")
    if label:
        _sub(real, "si:label", label)
    _sub(real, "si:value", _num(value))
    _sub(real, "si:unit", dsi or dsi_unit(unit))
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


def _real_list(q, values, dsi, *, U=None, k=None, p=None, u=None):
    """A ``si:realListXMLList``: values, D-SI units, and the expanded (or standard) uncertainty when all have it."""
    lst = _sub(q, "si:realListXMLList")
    _sub(lst, "si:valueXMLList", " ".join(_num(v) for v in values))
    _sub(lst, "si:unitXMLList", " ".join(dsi) if len(set(dsi)) > 1 else dsi[0])
    if U and all(x is not None for x in U) and k and all(x is not None for x in k):
        mu = _sub(_sub(lst, "si:measurementUncertaintyUnivariateXMLList"), "si:expandedMUXMLList")
        _sub(mu, "si:valueExpandedMUXMLList", " ".join(_num(x) for x in U))
        _sub(mu, "si:coverageFactorXMLList", " ".join(_num(x) for x in k))
        probs = [x if x is not None else 0.95 for x in (p or [None] * len(U))]
        _sub(mu, "si:coverageProbabilityXMLList", " ".join(_num(x) for x in probs))
    elif u and all(x is not None for x in u):
        mu = _sub(_sub(lst, "si:measurementUncertaintyUnivariateXMLList"), "si:standardMUXMLList")
        _sub(mu, "si:valueStandardMUXMLList", " ".join(_num(x) for x in u))
    return lst


def _export_points(rs, record: ServiceRecord, points: list[dict]) -> None:
    """The points: as the certificate's own columns when the record keeps them (``quantities`` of each row,
    from a DCC), else as reference and indication in the record's unit (with U and k when every point has them)."""
    unit = record.measurement_unit
    groups: dict[str, list[dict]] = {}
    for p in points:
        groups.setdefault(str(p.get("group") or ""), []).append(p)
    for group, rows in groups.items():
        res = _sub(rs, "dcc:result", refType="doluong_points")
        if group:
            _text_el(res, "dcc:name", (None, group))
        else:
            _text_el(res, "dcc:name", ("vi", "Các điểm đo"), ("en", "Measuring points"))
        data = _sub(res, "dcc:data")
        columns = _columns_of(rows)
        if columns:
            for col in columns:
                q = _sub(data, "dcc:quantity", **({"refType": col["ref_type"]} if col["ref_type"] else {}))
                if col["name"]:
                    _text_el(q, "dcc:name", (None, col["name"]))
                _real_list(q, col["values"], col["dsi"], U=col["U"], k=col["k"], p=col["p"], u=col["u"])
                if len(col["conformity"]) == len(col["values"]):
                    meta = _sub(_sub(q, "dcc:measurementMetaData"), "dcc:metaData", refType="basic_conformity")
                    _sub(meta, "dcc:conformityXMLList", " ".join(col["conformity"]))
            continue
        for key, ref_type, vi, en in (("reference", "basic_referenceValue", "Giá trị chuẩn", "Reference value"),
                                      ("indication", "basic_measuredValue", "Giá trị chỉ thị", "Indication")):
            q = _quantity(data, ref_type, vi, en)
            dsi = [dsi_unit(p.get("unit", unit)) for p in rows]
            if key == "indication":
                _real_list(q, [p[key] for p in rows], dsi, U=[p.get("U") for p in rows],
                           k=[p.get("k") for p in rows], p=[p.get("p") for p in rows])
            else:
                _real_list(q, [p[key] for p in rows], dsi)


def _columns_of(rows: list[dict]) -> list[dict]:
    """The certificate's columns kept in the rows (``quantities``), when every row has the same, all numeric."""
    if not rows or not all(isinstance(r.get("quantities"), list) and r["quantities"] for r in rows):
        return []
    width = len(rows[0]["quantities"])
    if any(len(r["quantities"]) != width for r in rows):
        return []
    columns = []
    for i in range(width):
        cells = [r["quantities"][i] for r in rows]
        if any(not isinstance(c.get("value"), (int, float)) for c in cells):
            continue
        first = cells[0]
        columns.append({"name": first.get("name", ""), "ref_type": first.get("ref_type", ""),
                        "values": [c["value"] for c in cells], "dsi": [c.get("dsi") or r"\one" for c in cells],
                        "U": [c.get("U") for c in cells], "k": [c.get("k") for c in cells],
                        "p": [c.get("p") for c in cells], "u": [c.get("u") for c in cells],
                        "conformity": [c["conformity"] for c in cells if c.get("conformity")]})
    return columns


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
    elif record.result in (Result.PASS, Result.FAIL):
        # The record's verdict without a decision rule of ours (e.g. a certificate's own statement of conformity).
        st = _sub(_sub(adm, "dcc:statements"), "dcc:statement", refType="doluong_result")
        _text_el(st, "dcc:name", ("vi", "Kết luận"), ("en", "Statement of conformity"))
        vi, en = ("Đạt", "pass") if record.result == Result.PASS else ("Không đạt", "fail")
        _text_el(st, "dcc:declaration", ("vi", f"Kết quả: {vi}"), ("en", f"Result: {en}"))
        _sub(st, "dcc:conformity", record.result)

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
    points = [p for p in record.points or [] if isinstance(p, dict) and "reference" in p and "indication" in p]
    if points:
        _export_points(rs, record, points)
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


# ------------------------------------------------------------------------------------ reading
LANG_ORDER = ("vi", "en")
GENERIC_NAMES = {
    "giá trị đo", "measured value", "giá trị chỉ thị", "indication", "messwert", "value", "wert", "result",
    "results", "kết quả", "measurement results", "measuring results", "messergebnisse", "messergebnis",
    "kết quả hiệu chuẩn", "calibration result", "calibration results", "result of the calibration",
    "ergebnis der kalibrierung", "giá trị chuẩn", "reference value", "các điểm đo", "measuring points", "",
}
_K_TEXT = re.compile(r"(?<![A-Za-z])k\s*=\s*(\d+(?:[.,]\d+)?)")
_P_TEXT = re.compile(r"(?:probabilit|wahrscheinlichkeit)[^%]{0,80}?(\d{2}(?:[.,]\d+)?)\s*(?:\\,)?\s*"
                     r"(?:%|\}\{\\percent\})", re.IGNORECASE | re.DOTALL)


def _texts(el) -> dict[str, str]:
    """The ``dcc:content`` of a text element by language ('' for none), in document order."""
    out: dict[str, str] = {}
    if el is None:
        return out
    for c in el.findall("dcc:content", NS):
        text = " ".join((c.text or "").split())
        if text:
            out.setdefault(c.get("lang") or "", text)
    return out


def _content(el, lang: str | None = None) -> str:
    """A text in the certificate's languages: Vietnamese, then English, then the first given."""
    texts = _texts(el)
    for code in ((lang,) if lang else ()) + LANG_ORDER:
        if texts.get(code):
            return texts[code]
    return next(iter(texts.values()), "")


def _float(text):
    if text is None:
        return None
    text = str(text).strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _fmt(x) -> str:
    """A number as the certificate wrote it (no rounding), for notes and the preview."""
    if x is None:
        return "—"
    x = float(x)
    return str(int(x)) if x.is_integer() and abs(x) < 1e15 else repr(x)


@dataclass
class Cell:
    """One value of a quantity, in the certificate's unit, with its uncertainty."""

    value: float | None
    dsi: str = ""
    text: str = ""  # as written, when it is not a number (e.g. "22 ± 2")
    U: float | None = None
    k: float | None = None
    p: float | None = None
    u: float | None = None  # standard uncertainty, when that is what is given
    complex: dict | None = None
    label: str = ""
    k_from_text: bool = False

    @property
    def unit(self) -> Unit:
        return read_unit(self.dsi)

    def shown(self) -> str:
        """``20.85 °C (U = 0.02 °C, k = 2, p = 95 %)`` — readably, numbers unrounded."""
        unit = self.unit.readable
        sp = f" {unit}" if unit else ""
        if self.complex is not None:
            head = ", ".join(f"{k} {_fmt(v) if isinstance(v, float) else v}" for k, v in self.complex.items())
        elif self.value is None:
            head = self.text or "—"
        else:
            head = _fmt(self.value)
        out = f"{head}{sp}"
        extra = []
        if self.U is not None:
            extra.append(f"U = {_fmt(self.U)}{sp}")
        if self.k is not None:
            extra.append(f"k = {_fmt(self.k)}")
        if self.p is not None:
            extra.append(f"p = {_fmt(self.p * 100)} %")
        if self.u is not None and self.U is None:
            extra.append(f"u = {_fmt(self.u)}{sp}")
        return out + (f" ({', '.join(extra)})" if extra else "")


@dataclass
class Column:
    """One ``dcc:quantity`` of a result (or a ``dcc:list`` of single-valued quantities): name, role, values."""

    name: str
    ref_type: str
    reps: list[list[Cell]]  # one list of cells per representation (several for si:hybrid: other units)
    conformity: list[str] = field(default_factory=list)
    role: str = "other"
    chosen: int = 0

    @property
    def cells(self) -> list[Cell]:
        return self.reps[self.chosen]

    @property
    def unit(self) -> Unit:
        return self.cells[0].unit if self.cells else read_unit("")


@dataclass
class Table:
    name: str
    columns: list[Column]
    ref_type: str = ""

    def column(self, role: str) -> Column | None:
        return next((c for c in self.columns if c.role == role), None)

    @property
    def pair(self) -> tuple[Column, Column] | None:
        ref, ind = self.column("reference"), self.column("indication")
        if ref is not None and ind is not None and len(ref.cells) == len(ind.cells):
            return ref, ind
        return None


@dataclass
class Condition:
    name: str
    description: str
    items: list[tuple[str, list[Cell]]]

    def shown(self) -> str:
        parts = []
        for name, cells in self.items:
            values = "; ".join(c.shown() for c in cells)
            parts.append(f"{name}: {values}" if name else values)
        return f"{self.name}: {', '.join(parts)}" if parts else self.name


@dataclass
class ParsedDCC:
    schema: SchemaCheck | None = None
    unique_identifier: str = ""
    certificate_number: str = ""
    performed_on: dt.date | None = None
    issued_on: dt.date | None = None
    languages: list[str] = field(default_factory=list)
    provider_name: str = ""
    provider_code: str = ""
    provider_country: str = ""
    owner_name: str = ""
    kind_code: str = ""
    kind_name: str = ""
    serial_number: str = ""
    manufacturer: str = ""
    model_name: str = ""
    identifications: list[str] = field(default_factory=list)
    officer_name: str = ""
    result_name: str = ""  # the name of the (first) measurementResult
    tables: list[Table] = field(default_factory=list)
    conditions: list[Condition] = field(default_factory=list)
    text_k: float | None = None
    text_p: float | None = None
    text_k_source: str = ""
    # A statement of conformity the certificate makes (none: the record gets no verdict).
    conformity: str = ""  # DCC term: pass, fail, conditionalPass, …
    conformity_statement: str = ""  # its declaration, norm, reference, authority: the decision rule as stated
    decision_rule: str = ""  # doluong's own (refType doluong_decisionRule)
    guard_band_factor: float = 1
    lower_limit: float | None = None
    upper_limit: float | None = None
    uncertainty_budget: dict = field(default_factory=dict)
    signatures: list[str] = field(default_factory=list)  # one description per ds:Signature
    crypt_signature_declared: bool = False
    warnings: list[str] = field(default_factory=list)
    # The record's values for the certificate's own units (see measure() for an instrument's unit).
    measurand: str = ""
    measurement_unit: str = ""
    measured_value: float | None = None
    expanded_uncertainty: float | None = None
    coverage_factor: float | None = None
    coverage_probability: float | None = None
    points: list = field(default_factory=list)

    @property
    def lab_label(self) -> str:
        """The issuing laboratory as the certificate names it: with the identifier, "the same certificate"."""
        label = self.provider_name or "—"
        if self.provider_code:
            label += f" ({self.provider_code})"
        if self.provider_country:
            label += f", {self.provider_country}"
        return label


def certificate_number_for(identifier: str) -> str:
    """The record's certificate number: the DCC's uniqueIdentifier, whole when it fits; else cut, with a hash
    of the whole identifier, so that two long identifiers never become the same number."""
    identifier = " ".join((identifier or "").split())
    if len(identifier) <= CERTIFICATE_NUMBER_MAX:
        return identifier
    digest = hashlib.sha256(identifier.encode()).hexdigest()[:8]
    return f"{identifier[:CERTIFICATE_NUMBER_MAX - 10]}…~{digest}"


def _date(text):
    text = (text or "").strip()[:10]
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _regroup(tokens: list[str]) -> list[str]:
    """``0.00 3 000 6 000`` → ``0.00 3000 6000``: digit groups written with spaces as thousands separators."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if re.fullmatch(r"[+-]?\d{1,3}", tok):
            while i + 1 < len(tokens) and re.fullmatch(r"\d{3}(\.\d*)?", tokens[i + 1]):
                tok += tokens[i + 1]
                i += 1
                if "." in tok:
                    break
        out.append(tok)
        i += 1
    return out


def _list(el, tag, n=None) -> list[str]:
    text = el.findtext(tag, None, NS) if el is not None else None
    return (text or "").split()


def _broadcast(values: list, n: int) -> list:
    if not values:
        return [None] * n
    if len(values) == 1:
        return values * n
    return (values + [None] * n)[:n]


class _Reader:
    """Reads the si: forms of one certificate, collecting warnings on what it had to interpret."""

    def __init__(self, warnings: list[str]):
        self.warnings = warnings

    def _single_unc(self, el) -> dict:
        out: dict = {}
        mu = el.find("si:measurementUncertaintyUnivariate", NS)
        if mu is not None:
            ex = mu.find("si:expandedMU", NS)
            if ex is not None:
                out = {"U": _float(ex.findtext("si:valueExpandedMU", None, NS)),
                       "k": _float(ex.findtext("si:coverageFactor", None, NS)),
                       "p": _float(ex.findtext("si:coverageProbability", None, NS))}
            st = mu.find("si:standardMU", NS)
            if st is not None:
                out["u"] = _float(st.findtext("si:valueStandardMU", None, NS))
            ci = mu.find("si:coverageIntervalMU", NS)
            if ci is not None:
                out["u"] = _float(ci.findtext("si:valueStandardMU", None, NS))
                out["p"] = _float(ci.findtext("si:coverageProbability", None, NS))
        ex = el.find("si:expandedUnc", NS)
        if ex is not None:
            out = {"U": _float(ex.findtext("si:uncertainty", None, NS)),
                   "k": _float(ex.findtext("si:coverageFactor", None, NS)),
                   "p": _float(ex.findtext("si:coverageProbability", None, NS))}
        ci = el.find("si:coverageInterval", NS)
        if ci is not None:
            out = {"u": _float(ci.findtext("si:standardUnc", None, NS)),
                   "p": _float(ci.findtext("si:coverageProbability", None, NS))}
        return out

    def real(self, el) -> list[Cell]:
        text = (el.findtext("si:value", "", NS) or "").strip()
        value = _float(text)
        cell = Cell(value=value, dsi=(el.findtext("si:unit", "", NS) or "").strip(), text="" if value is not None
                    else text, label=(el.findtext("si:label", "", NS) or "").strip(), **self._single_unc(el))
        if el.tag == f"{{{SI}}}constant" and cell.u is None:
            cell.u = _float(el.findtext("si:uncertainty", None, NS))
        return [cell]

    def real_list(self, el) -> list[Cell]:
        tokens = _list(el, "si:valueXMLList")
        units = _list(el, "si:unitXMLList")
        exp = None
        mu = el.find("si:measurementUncertaintyUnivariateXMLList", NS)
        U = k = p = u = []
        if mu is not None:
            ex = mu.find("si:expandedMUXMLList", NS)
            if ex is not None:
                U, k, p = (_list(ex, "si:valueExpandedMUXMLList"), _list(ex, "si:coverageFactorXMLList"),
                           _list(ex, "si:coverageProbabilityXMLList"))
            st = mu.find("si:standardMUXMLList", NS)
            if st is not None:
                u = _list(st, "si:valueStandardMUXMLList")
        ex = el.find("si:expandedUncXMLList", NS)
        if ex is not None:
            U, k, p = (_list(ex, "si:uncertaintyXMLList"), _list(ex, "si:coverageFactorXMLList"),
                       _list(ex, "si:coverageProbabilityXMLList"))
        ci = el.find("si:coverageIntervalXMLList", NS)
        if ci is not None:
            u, p = _list(ci, "si:standardUncXMLList"), _list(ci, "si:coverageProbabilityXMLList")
        exp = max((len(x) for x in (units, U, u) if len(x) > 1), default=None)
        if exp is not None and len(tokens) != exp:
            regrouped = _regroup(tokens)
            if len(regrouped) == exp:
                self.warnings.append(_("The values “%(raw)s” were written with spaces between digit groups; "
                                       "they were read as %(read)s.") % {"raw": " ".join(tokens),
                                                                        "read": " ".join(regrouped)})
                tokens = regrouped
        n = len(tokens)
        units, U, k, p, u = (_broadcast(x, n) for x in (units, U, k, p, u))
        cells = []
        for i, tok in enumerate(tokens):
            value = _float(tok)
            cells.append(Cell(value=value, dsi=units[i] or "", text="" if value is not None else tok,
                              U=_float(U[i]), k=_float(k[i]), p=_float(p[i]), u=_float(u[i])))
        return cells

    def complex(self, el) -> list[Cell]:
        if el.find("si:valueReal", NS) is not None:
            c = {"re": _float(el.findtext("si:valueReal", None, NS)), "im": _float(el.findtext("si:valueImag", None,
                                                                                                NS))}
        else:
            c = {"magnitude": _float(el.findtext("si:valueMagnitude", None, NS)),
                 "phase": _float(el.findtext("si:valuePhase", None, NS)),
                 "phase_unit": (el.findtext("si:unitPhase", "", NS) or "").strip()}
        return [Cell(value=None, dsi=(el.findtext("si:unit", "", NS) or "").strip(), complex=c,
                     label=(el.findtext("si:label", "", NS) or "").strip())]

    def complex_list(self, el) -> list[Cell]:
        units = _list(el, "si:unitXMLList")
        if el.find("si:valueRealXMLList", NS) is not None:
            a, b = _list(el, "si:valueRealXMLList"), _list(el, "si:valueImagXMLList")
            keys = ("re", "im")
            phase_units = []
        else:
            a, b = _list(el, "si:valueMagnitudeXMLList"), _list(el, "si:valuePhaseXMLList")
            keys = ("magnitude", "phase")
            phase_units = _list(el, "si:unitPhaseXMLList")
        n = len(a)
        units, b, phase_units = _broadcast(units, n), _broadcast(b, n), _broadcast(phase_units, n)
        cells = []
        for i in range(n):
            c = {keys[0]: _float(a[i]), keys[1]: _float(b[i])}
            if phase_units[i]:
                c["phase_unit"] = phase_units[i]
            cells.append(Cell(value=None, dsi=units[i] or "", complex=c))
        return cells

    def representations(self, q) -> list[list[Cell]]:
        reps = self._representations(q)
        for rep in reps:
            for cell in rep:
                note = cell.unit.note
                if note and note not in self.warnings:
                    self.warnings.append(note)
        return reps

    def _representations(self, q) -> list[list[Cell]]:
        reps = []
        for child in q:
            if not isinstance(child.tag, str) or not child.tag.startswith(f"{{{SI}}}"):
                continue
            local = child.tag.split("}", 1)[1]
            if local == "hybrid":
                for alt in child:
                    cells = self.form(alt)
                    if cells:
                        reps.append(cells)
            else:
                cells = self.form(child)
                if cells:
                    reps.append(cells)
        return reps

    def form(self, el) -> list[Cell]:
        if not isinstance(el.tag, str):
            return []
        local = el.tag.split("}", 1)[1] if el.tag.startswith(f"{{{SI}}}") else ""
        if local in ("real", "constant"):
            return self.real(el)
        if local == "realListXMLList":
            return self.real_list(el)
        if local == "complex":
            return self.complex(el)
        if local == "complexListXMLList":
            return self.complex_list(el)
        if local == "list":
            cells = []
            for sub in el:
                cells += self.form(sub)
            return cells
        return []


def _conformity_of(q) -> list[str]:
    out: list[str] = []
    for meta in q.findall("dcc:measurementMetaData/dcc:metaData", NS):
        one = (meta.findtext("dcc:conformity", "", NS) or "").strip()
        if one:
            out.append(one)
        out += (meta.findtext("dcc:conformityXMLList", "", NS) or "").split()
    return out


def _role(col: Column) -> str:
    name, rt = col.name.lower(), col.ref_type.lower()
    if re.search(r"uncertaint|unsicherheit|không đảm bảo", name):
        return "uncertainty"
    if any(t in rt for t in ("referencevalue", "measurementstandard", "nominalvalue", "calibrationvalue")):
        return "reference"
    if any(t in rt for t in ("measuredvalue", "indicatedvalue", "indication")):
        return "indication"
    if "error" in rt or re.search(r"error|deviation|abweichung|sai số", name):
        return "error"
    if re.search(r"reference|applied|nominal|standard|bezugs|sollwert|giá trị chuẩn|"
                 r"calibration (pressure|value|point|temperature|force|mass)", name):
        return "reference"
    if re.search(r"indicat|measured|reading|anzeige|messwert|chỉ thị|giá trị đo", name):
        return "indication"
    return "other"


def _columns(container, reader: _Reader) -> list[Column]:
    cols: list[Column] = []
    for child in container:
        if child.tag == f"{{{DCC}}}quantity":
            reps = reader.representations(child)
            if reps:
                cols.append(Column(_content(child.find("dcc:name", NS)), child.get("refType") or "", reps,
                                   _conformity_of(child)))
        elif child.tag == f"{{{DCC}}}list":
            quantities = child.findall("dcc:quantity", NS)
            reps = [reader.representations(q) for q in quantities]
            singles = quantities and all(len(r) == 1 and len(r[0]) == 1 for r in reps) and not any(
                _content(q.find("dcc:name", NS)) for q in quantities)
            if singles:  # a column written as one quantity per row (PTB's vacuum certificates)
                cells = [r[0][0] for r in reps]
                cols.append(Column(_content(child.find("dcc:name", NS)), child.get("refType") or "", [cells]))
            else:
                cols += _columns(child, reader)
    return cols


def _table_rows(t: Table) -> int:
    return max((len(c.cells) for c in t.columns), default=0)


def _signature(sig) -> str:
    method = sig.find("ds:SignedInfo/ds:SignatureMethod", NS)
    parts = [method.get("Algorithm", "") if method is not None else ""]
    for path in ("ds:KeyInfo/ds:KeyName", "ds:KeyInfo/ds:X509Data/ds:X509SubjectName"):
        text = (sig.findtext(path, "", NS) or "").strip()
        if text:
            parts.append(text)
    refs = [r.get("URI", "") for r in sig.findall("ds:SignedInfo/ds:Reference", NS)]
    if refs:
        parts.append("URI " + ", ".join(u or '""' for u in refs))
    return " · ".join(p for p in parts if p)


def _serial(item, item_names: set[str]) -> str:
    """The item's serial number: the manufacturer's identification, or one named as a serial number. Never a
    generic value (the item's own name, "not given")."""
    for ident in item.findall("dcc:identifications/dcc:identification", NS):
        value = " ".join((ident.findtext("dcc:value", "", NS) or "").split())
        issuer = (ident.findtext("dcc:issuer", "", NS) or "").strip()
        names = " ".join(_texts(ident.find("dcc:name", NS)).values()).lower()
        if not value or value.lower() in item_names or value.lower() in ("not given", "n/a", "-", "—"):
            continue
        if issuer == "manufacturer" or re.search(r"serial|serien|kennnummer|số sản xuất|s/n", names):
            return value
    return ""


def read(xml: bytes | str) -> ParsedDCC:
    """Everything doluong keeps from a DCC 3.x, without validating it away: :func:`schema_check` findings are
    in ``parsed.schema``; :class:`DCCError` only for what cannot be read (not XML, 2.x, no core data)."""
    check = schema_check(xml)
    root = _root(xml)
    p = ParsedDCC(schema=check)
    adm = root.find("dcc:administrativeData", NS)
    core = adm.find("dcc:coreData", NS) if adm is not None else None
    if core is None:
        raise DCCError(_("The certificate has no administrativeData/coreData: it cannot be identified."))
    p.unique_identifier = " ".join((core.findtext("dcc:uniqueIdentifier", "", NS) or "").split())
    if not p.unique_identifier:
        raise DCCError(_("The certificate has no uniqueIdentifier: it cannot be identified."))
    p.certificate_number = certificate_number_for(p.unique_identifier)
    p.performed_on = _date(core.findtext("dcc:beginPerformanceDate", "", NS))
    if p.performed_on is None:
        raise DCCError(_("The certificate has no valid beginPerformanceDate (the date of the calibration)."))
    p.issued_on = _date(core.findtext("dcc:issueDate", "", NS))
    p.languages = [(e.text or "").strip() for e in core.findall("dcc:usedLangCodeISO639_1", NS)]
    lab = adm.find("dcc:calibrationLaboratory", NS)
    if lab is not None:
        p.provider_code = (lab.findtext("dcc:calibrationLaboratoryCode", "", NS) or "").strip()
        p.provider_name = _content(lab.find("dcc:contact/dcc:name", NS))
        p.provider_country = (lab.findtext("dcc:contact/dcc:location/dcc:countryCode", "", NS) or "").strip()
    p.owner_name = _content(adm.find("dcc:customer/dcc:name", NS))
    items = adm.findall("dcc:items/dcc:item", NS)
    if items:
        item = items[0]
        p.kind_name = _content(item.find("dcc:name", NS))
        for cls in item.findall("dcc:equipmentClass", NS):
            if (cls.findtext("dcc:reference", "", NS) or "").strip() == "doluong:InstrumentKind":
                p.kind_code = (cls.findtext("dcc:classID", "", NS) or "").strip()
        p.owner_name = _content(item.find("dcc:owner/dcc:name", NS)) or p.owner_name
        p.manufacturer = _content(item.find("dcc:manufacturer/dcc:name", NS))
        p.model_name = " ".join((item.findtext("dcc:model", "", NS) or "").split())
        item_names = {v.lower() for v in _texts(item.find("dcc:name", NS)).values()}
        p.serial_number = _serial(item, item_names)
        for ident in item.findall("dcc:identifications/dcc:identification", NS):
            label = _content(ident.find("dcc:name", NS)) or (ident.findtext("dcc:issuer", "", NS) or "").strip()
            value = " ".join((ident.findtext("dcc:value", "", NS) or "").split())
            if value:
                p.identifications.append(f"{label}: {value}" if label else value)
        if len(items) > 1:
            p.warnings.append(_("The certificate lists %(n)d items; the first, “%(name)s”, is taken as the "
                                "calibrated instrument.") % {"n": len(items), "name": p.kind_name})
    persons = adm.findall("dcc:respPersons/dcc:respPerson", NS)
    main = [r for r in persons if (r.findtext("dcc:mainSigner", "", NS) or "").strip() == "true"]
    for person in main + persons:
        name = _content(person.find("dcc:person/dcc:name", NS))
        if name:
            p.officer_name = name
            break
    p.crypt_signature_declared = any((r.findtext("dcc:cryptElectronicSignature", "", NS) or "").strip() == "true"
                                     for r in persons)
    _statements(adm, p)
    p.signatures = [_signature(s) for s in root.findall("ds:Signature", NS)]

    reader = _Reader(p.warnings)
    results = root.find("dcc:measurementResults", NS)
    containers = results.findall("dcc:measurementResult", NS) if results is not None else []
    if results is not None and not containers:
        containers = [results]  # results written straight under measurementResults
        p.warnings.append(_("The results are not inside a dcc:measurementResult; they were read where they are."))
    for container in containers:
        if not p.result_name:
            p.result_name = _content(container.find("dcc:name", NS))
        tables: list[Table] = []
        for res in container.iter(f"{{{DCC}}}result"):
            data = res.find("dcc:data", NS)
            cols = _columns(data if data is not None else res, reader)
            if not cols:
                continue
            table = Table(_content(res.find("dcc:name", NS)), cols, res.get("refType") or "")
            if len(cols) == 1 and not cols[0].name:
                cols[0].name = table.name  # a result of one unnamed quantity: the result names it
            for col in cols:
                col.role = _role(col)
            prev = tables[-1] if tables else None
            if (prev is not None and len(cols) == 1 and _table_rows(table) == _table_rows(prev) > 1
                    and cols[0].role not in {c.role for c in prev.columns if c.role != "other"}):
                prev.columns.append(cols[0])  # one column per result (as the Philippine lab writes them)
            else:
                tables.append(table)
        p.tables += tables
        for cond in container.iter(f"{{{DCC}}}influenceCondition"):
            items_ = []
            data = cond.find("dcc:data", NS)
            for q in (data.iter(f"{{{DCC}}}quantity") if data is not None else ()):
                reps = reader.representations(q)
                if reps:
                    items_.append((_content(q.find("dcc:name", NS)), reps[0]))
            p.conditions.append(Condition(_content(cond.find("dcc:name", NS)) or (cond.get("refType") or ""),
                                          _content(cond.find("dcc:description", NS)), items_))
        for method in container.iter(f"{{{DCC}}}usedMethod"):
            name = _content(method.find("dcc:name", NS))
            if "uncertainty" in (method.get("refType") or "").lower() or re.search(
                    r"uncertaint|unsicherheit", name, re.IGNORECASE):
                _text_k(p, " ".join(_texts(method.find("dcc:description", NS)).values()), name)
        for meta in container.findall("dcc:measurementMetaData/dcc:metaData", NS):
            if meta.get("refType") == "doluong_uncertaintyBudget":
                try:
                    p.uncertainty_budget = json.loads(_content(meta.find("dcc:declaration", NS)))
                except ValueError:
                    p.uncertainty_budget = {}
    _fill_text_k(p)
    _apply(p, measure(p, None))
    return p


def _statements(adm, p: ParsedDCC) -> None:
    for st in adm.findall("dcc:statements/dcc:statement", NS):
        declaration = _content(st.find("dcc:declaration", NS))
        if (st.findtext("dcc:norm", "", NS) or "").strip().upper().startswith("GUM") or "coverage factor" in \
                declaration.lower():
            _text_k(p, " ".join(_texts(st.find("dcc:declaration", NS)).values()), _("statement (GUM)"))
        conformity = (st.findtext("dcc:conformity", "", NS) or "").strip()
        if st.get("refType") == "doluong_decisionRule":
            p.decision_rule = (st.findtext("dcc:reference", "", NS) or "").strip()
            for q in st.findall("dcc:data/dcc:quantity", NS):
                value = _float(q.findtext("si:real/si:value", None, NS))
                ref = q.get("refType")
                if ref == "doluong_guardBandFactor" and value is not None:
                    p.guard_band_factor = value
                elif ref == "doluong_lowerLimit":
                    p.lower_limit = value
                elif ref == "doluong_upperLimit":
                    p.upper_limit = value
        if conformity and not p.conformity:
            p.conformity = conformity
            parts = [declaration] if declaration else []
            for tag in ("dcc:norm", "dcc:reference"):
                for el in st.findall(tag, NS):
                    if (el.text or "").strip():
                        parts.append((el.text or "").strip())
            authority = _content(st.find("dcc:respAuthority/dcc:name", NS))
            if authority:
                parts.append(_("responsible: %(name)s") % {"name": authority})
            p.conformity_statement = " — ".join(parts)


def _text_k(p: ParsedDCC, text: str, source: str) -> None:
    if p.text_k is not None or not text:
        return
    m = _K_TEXT.search(text)
    if m:
        p.text_k = float(m.group(1).replace(",", "."))
        p.text_k_source = source
        mp = _P_TEXT.search(text)
        if mp:
            p.text_p = float(mp.group(1).replace(",", ".")) / 100


def _fill_text_k(p: ParsedDCC) -> None:
    """An expanded uncertainty given without its coverage factor takes the k the certificate states in words."""
    if p.text_k is None:
        return
    used = False
    for t in p.tables:
        for col in t.columns:
            for rep in col.reps:
                for cell in rep:
                    has_u = cell.U is not None or col.role == "uncertainty"
                    if has_u and cell.k is None:
                        cell.k, cell.k_from_text = p.text_k, True
                        if cell.p is None:
                            cell.p = p.text_p
                        used = True
    if used:
        p.warnings.append(_("The coverage factor k = %(k)s%(p)s was read from the certificate's text (%(src)s).")
                          % {"k": _fmt(p.text_k), "src": p.text_k_source,
                             "p": f", p = {_fmt(p.text_p * 100)} %" if p.text_p else ""})


# ------------------------------------------------------------------------------------ the record's values
@dataclass
class Measured:
    """What a record stores of the certificate's results, in the unit chosen for the instrument."""

    measurand: str = ""
    measurement_unit: str = ""
    measured_value: float | None = None
    expanded_uncertainty: float | None = None
    coverage_factor: float | None = None
    coverage_probability: float | None = None
    points: list = field(default_factory=list)
    principal: tuple[int, int] | None = None  # (table, column) of the measurand
    converted_from: str = ""
    notes: list[str] = field(default_factory=list)


def _apply(p: ParsedDCC, m: Measured) -> None:
    for name in ("measurand", "measurement_unit", "measured_value", "expanded_uncertainty", "coverage_factor",
                 "coverage_probability", "points"):
        setattr(p, name, getattr(m, name))


def _generic(name: str) -> bool:
    return name.strip().lower() in GENERIC_NAMES


def _choose(col: Column, wanted: str | None) -> None:
    """Of a si:hybrid's representations, the one in the unit wanted (else the first)."""
    col.chosen = 0
    if wanted is None:
        return
    for i, rep in enumerate(col.reps):
        if rep and rep[0].unit.readable == wanted:
            col.chosen = i
            return


def _is_named_unit(unit: Unit) -> bool:
    return not re.search(r"[·⁰¹²³⁴⁵⁶⁷⁸⁹⁻]", unit.readable)


def _cell_json(cell: Cell, col: Column, i: int) -> dict:
    out = {"name": col.name, "ref_type": col.ref_type, "role": col.role}
    if col.conformity:
        out["conformity"] = col.conformity[i] if i < len(col.conformity) else col.conformity[0]
    if cell.complex is not None:
        out["complex"] = cell.complex
    elif cell.value is not None:
        out["value"] = cell.value
    else:
        out["text"] = cell.text
    out["unit"] = cell.unit.readable
    out["dsi"] = cell.dsi
    for key in ("U", "k", "p", "u"):
        if getattr(cell, key) is not None:
            out[key] = getattr(cell, key)
    if cell.k_from_text:
        out["k_from_text"] = True
    return out


def measure(p: ParsedDCC, expected: str | None, *, always_convert: bool = False) -> Measured:
    """The record's values from the certificate's tables. ``expected``: the unit the instrument's records use
    (converted to with pint when the dimension agrees; ``always_convert`` False: only from a compound D-SI unit
    such as kg·m⁻¹·s⁻², which people do not read)."""
    m = Measured()
    for t in p.tables:
        for col in t.columns:
            _choose(col, expected)
    # The measurand: a single value outside the points tables, else the indication of the first points table.
    principal = None
    for ti, t in enumerate(p.tables):
        if t.pair is None:
            for ci, col in enumerate(t.columns):
                if len(col.cells) == 1 and col.role != "uncertainty" and col.cells[0].value is not None:
                    principal = (ti, ci)
                    break
        if principal:
            break
    if principal is None:
        for ti, t in enumerate(p.tables):
            if t.pair is not None:
                principal = (ti, t.columns.index(t.pair[1]))
                break
    if principal is None and p.tables:
        principal = (0, 0)
    m.principal = principal
    if principal is None:
        m.measurand = "" if _generic(p.result_name) else p.result_name
        return m
    table = p.tables[principal[0]]
    col = table.columns[principal[1]]
    for name in (col.name, table.name, p.result_name):
        if not _generic(name):
            m.measurand = name[:200]
            break
    src = col.unit
    target = src
    if expected is not None and src.pint and same_dimension(src.pint, _pint_symbol(expected) or read_unit(
            dsi_unit(expected)).pint) and expected != src.readable and (always_convert or not _is_named_unit(src)):
        target = Unit(dsi_unit(expected), expected, _pint_symbol(expected) or read_unit(dsi_unit(expected)).pint)
        m.converted_from = src.readable
    m.measurement_unit = target.readable[:30]

    def conv(value, unit: Unit):
        if value is None or unit.readable == target.readable:
            return value
        if same_dimension(unit.pint, target.pint):
            return convert_value(value, unit.pint, target.pint)
        return None

    def conv_width(value, width, unit: Unit):
        if width is None:
            return None
        if unit.readable == target.readable:
            return width
        if not same_dimension(unit.pint, target.pint):
            return None
        return convert_interval(value if value is not None else 0.0, width, unit.pint, target.pint)

    if table.pair is None:
        cell = col.cells[0]
        m.measured_value = conv(cell.value, cell.unit)
        U, k = conv_width(cell.value, cell.U, cell.unit), cell.k
        if U is None and cell.u is not None:
            U, k = conv_width(cell.value, cell.u, cell.unit), 1.0
            m.notes.append(_("The certificate gives the standard uncertainty u; it is stored as U with k = 1."))
        if U is not None and k is None:
            m.notes.append(_("The expanded uncertainty is given without its coverage factor k; it is kept in the "
                             "notes only."))
            U = None
        m.expanded_uncertainty, m.coverage_factor = U, k
        m.coverage_probability = cell.p if U is not None else None
    point_tables = [t for t in p.tables if t.pair is not None]
    for t in point_tables:
        m.points += _rows(t, target, conv, conv_width, group=t.name if len(point_tables) > 1 else "")
    if table.pair is not None:
        us = [r.get("U") for r in m.points]
        ks = {r.get("k") for r in m.points}
        ps = {r.get("p") for r in m.points}
        if us and all(u is not None for u in us) and len(ks) == 1 and None not in ks:
            m.expanded_uncertainty, m.coverage_factor = max(us), ks.pop()
            m.coverage_probability = ps.pop() if len(ps) == 1 else None
            m.notes.append(_("The record's U is the largest expanded uncertainty over the points."))
        elif p.text_k is not None and any("U_rel" in r for r in m.points):
            m.coverage_factor, m.coverage_probability = p.text_k, p.text_p
    return m


def _rows(t: Table, target: Unit, conv, conv_width, *, group: str) -> list[dict]:
    ref, ind = t.pair
    unc, err = t.column("uncertainty"), t.column("error")
    plain = {c.role for c in t.columns} <= {"reference", "indication"} and all(
        c.unit.readable == target.readable and all(x.U is None and x.u is None for x in c.cells) for c in (ref, ind)
    ) and not _is_converted(ref, ind, target)
    rows = []
    for i in range(len(ref.cells)):
        r, x = ref.cells[i], ind.cells[i]
        rv, iv = conv(r.value, r.unit), conv(x.value, x.unit)
        own_unit = rv is None or iv is None
        if own_unit:  # a unit that cannot be converted to the record's: the row keeps its own
            rv, iv = r.value, x.value
        if rv is None or iv is None:
            continue
        row: dict = {"reference": rv, "indication": iv}
        if own_unit and x.unit.readable != target.readable:
            row["unit"] = x.unit.readable
        # U of the point: of the indication, else of the error (same dimension), else an uncertainty column
        for cell, column in ((x, ind), (_at(err, i), err), (_at(unc, i), unc)):
            if cell is None or column is None:
                continue
            width = cell.U if cell.U is not None else (cell.value if column.role == "uncertainty" else None)
            if width is None:
                continue
            if column.role == "uncertainty" and not same_dimension(cell.unit.pint, target.pint):
                row["U_rel"], row["U_rel_unit"] = width, cell.unit.readable
                if cell.k is not None:
                    row["k"] = cell.k
                if cell.p is not None:
                    row["p"] = cell.p
                break
            U = conv_width(cell.value if column.role != "uncertainty" else iv, width, cell.unit) if not own_unit \
                else width
            if U is None:
                continue
            row["U"] = U
            if cell.k is not None:
                row["k"] = cell.k
            if cell.p is not None:
                row["p"] = cell.p
            break
        verdicts = [c.conformity[i] if i < len(c.conformity) else c.conformity[0]
                    for c in t.columns if c.conformity]
        if verdicts:
            row["conformity"] = verdicts[0]
        if group:
            row["group"] = group
        if not plain:
            row["quantities"] = [_cell_json(c.cells[i], c, i) if i < len(c.cells) else {"name": c.name}
                                 for c in t.columns]
        rows.append(row)
    return rows


def _at(col: Column | None, i: int) -> Cell | None:
    if col is None or not col.cells:
        return None
    return col.cells[i] if i < len(col.cells) else (col.cells[0] if len(col.cells) == 1 else None)


def _is_converted(ref: Column, ind: Column, target: Unit) -> bool:
    return ref.unit.readable != target.readable or ind.unit.readable != target.readable


def parse(xml: bytes | str, *, accept_deviations: bool = False) -> ParsedDCC:
    """The values of a DCC 3.x; :class:`DCCError` with the schema's findings unless ``accept_deviations``."""
    parsed = read(xml)
    if parsed.schema.findings and not accept_deviations:
        raise DCCError(_("The file does not conform to the DCC schema: %(findings)s") % {
            "findings": "; ".join(parsed.schema.findings[:5])})
    return parsed


# ------------------------------------------------------------------------------------ import
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


def resolve_instrument(parsed: ParsedDCC, user, chosen: Instrument | None = None) -> Instrument:
    """The instrument: chosen, or the one with the DCC's serial number (and manufacturer, when given); officers
    may create it."""
    instruments = access.restrict(Instrument.objects.select_related("kind", "kind__field", "owner"), user)
    if chosen is not None:
        found = instruments.filter(pk=chosen.pk).first()
        if found is None:
            raise DCCError(_("You may not record a calibration of this instrument."))
        return found
    if not parsed.serial_number:
        raise DCCError(_("The DCC does not identify the item by a serial number (identifications: %(ids)s); "
                         "choose the instrument.") % {"ids": "; ".join(parsed.identifications) or "—"})
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
    instrument = Instrument(owner=owner, kind=kind, serial_number=parsed.serial_number[:100],
                            manufacturer=parsed.manufacturer, model_name=parsed.model_name, unit_id=owner.unit_id)
    try:
        instrument = writes.save(instrument, user=user, via=writes.Via.DCC)
    except ValidationError as exc:
        raise DCCError(_messages(exc)) from None
    instrument._dcc_created = True
    return instrument


def expected_unit(instrument: Instrument) -> tuple[str | None, bool]:
    """The unit the instrument's records use (latest record with a unit), else its kind's field's usual unit.
    The flag says whether it comes from the instrument's own records (then any unit of that dimension is
    converted to it; the field's unit converts only compound D-SI units)."""
    if instrument.pk:
        used = (ServiceRecord.objects.filter(instrument_id=instrument.pk).exclude(measurement_unit="")
                .order_by("-performed_on", "-pk").values_list("measurement_unit", flat=True).first())
        if used:
            return used, True
    field_code = instrument.kind.field.code if instrument.kind_id and instrument.kind.field_id else ""
    return FIELD_UNITS.get(field_code), False


def notes_for(parsed: ParsedDCC, m: Measured) -> str:
    """What the record keeps of the certificate beyond its fields, readably (docs/dcc.md)."""
    lines = [_("Imported from the digital calibration certificate %(id)s issued by %(lab)s.") % {
        "id": parsed.unique_identifier, "lab": parsed.lab_label}]
    check = parsed.schema
    if check.exact and not check.findings:
        lines.append(_("Schema: DCC %(v)s, valid against the shipped DCC %(v)s schema.") % {"v": check.version})
    else:
        lines.append(_("Schema: DCC %(v)s, checked against DCC %(against)s; findings accepted at import: "
                       "%(findings)s") % {"v": check.version, "against": check.against,
                                          "findings": "; ".join(check.findings)})
    if parsed.unique_identifier != parsed.certificate_number:
        lines.append(_("The identifier is longer than a certificate number; stored as %(n)s.")
                     % {"n": parsed.certificate_number})
    item = [parsed.kind_name or "—"]
    if parsed.manufacturer:
        item.append(_("manufacturer %(m)s") % {"m": parsed.manufacturer})
    if parsed.model_name:
        item.append(_("model %(m)s") % {"m": parsed.model_name})
    if parsed.identifications:
        item.append("; ".join(parsed.identifications))
    lines.append(_("Item: %(item)s") % {"item": ", ".join(item)})
    if parsed.officer_name:
        lines.append(_("Responsible person: %(name)s") % {"name": parsed.officer_name})
    if m.converted_from:
        lines.append(_("Values converted from %(src)s to %(dst)s (the instrument's unit); the D-SI units are "
                       "kept whole in the points.") % {"src": m.converted_from, "dst": m.measurement_unit})
    if parsed.conformity:
        lines.append(_("Statement of conformity: %(c)s. Decision rule as stated: %(rule)s") % {
            "c": parsed.conformity, "rule": parsed.conformity_statement or _("not stated")})
    else:
        lines.append(_("The certificate makes no statement of conformity: the record has no verdict."))
    others = []
    for ti, t in enumerate(parsed.tables):
        if t.pair is not None:
            continue
        for ci, col in enumerate(t.columns):
            if (ti, ci) == m.principal:
                continue
            others.append(f"{col.name or t.name}: " + "; ".join(c.shown() for c in col.cells))
    if others:
        lines.append(_("Other results: %(list)s") % {"list": " | ".join(others)})
    if parsed.conditions:
        lines.append(_("Influence conditions:"))
        lines += [f"- {c.shown()}" for c in parsed.conditions]
    if parsed.signatures:
        lines.append(_("Signed: %(n)d XML signature(s) (%(what)s); signature not verified.") % {
            "n": len(parsed.signatures), "what": " | ".join(parsed.signatures) or "—"})
    elif parsed.crypt_signature_declared:
        lines.append(_("A responsible person is declared to sign electronically, but the file carries no XML "
                       "signature."))
    for note in parsed.warnings + m.notes:
        lines.append(f"* {note}")
    return "\n".join(lines)


IMPORTED_FIELDS = ("provider_id", "instrument_id", "activity", "performed_on", "result", "certificate_number",
                   "measurand", "measurement_unit", "points", "uncertainty_budget", "measured_value",
                   "expanded_uncertainty", "coverage_factor", "coverage_probability", "decision_rule",
                   "guard_band_factor", "lower_limit", "upper_limit")


@dataclass
class DCCImport:
    """What an import did (or, in a preview, would do): ``action`` is created, updated or unchanged."""

    record: ServiceRecord
    action: str
    parsed: ParsedDCC
    measured: Measured
    changes: list[tuple[str, object, object]] = field(default_factory=list)
    instrument_created: bool = False
    expected_unit: str | None = None

    @property
    def findings(self) -> list[str]:
        return self.parsed.schema.findings


def _record_values(parsed: ParsedDCC, m: Measured, provider, instrument) -> dict:
    if parsed.decision_rule:  # doluong's own certificate: its rule, as before
        result = {"pass": Result.PASS, "fail": Result.FAIL, "conditionalFail": Result.FAIL}.get(
            parsed.conformity, Result.DONE)
    else:
        result = CONFORMITY_RESULT.get(parsed.conformity, Result.DONE)
    return {
        "provider": provider, "instrument": instrument, "activity": Activity.CALIBRATION,
        "performed_on": parsed.performed_on, "result": result, "certificate_number": parsed.certificate_number,
        "measurand": m.measurand, "measurement_unit": m.measurement_unit, "points": m.points,
        "uncertainty_budget": parsed.uncertainty_budget, "measured_value": m.measured_value,
        "expanded_uncertainty": m.expanded_uncertainty, "coverage_factor": m.coverage_factor,
        "coverage_probability": m.coverage_probability, "decision_rule": parsed.decision_rule,
        "guard_band_factor": parsed.guard_band_factor, "lower_limit": parsed.lower_limit,
        "upper_limit": parsed.upper_limit, "source": Source.DCC,
    }


def run_import(xml: bytes | str, user, *, provider: Organization | None = None,
               instrument: Instrument | None = None, accept_deviations: bool = False) -> DCCImport:
    """Record a DCC as a calibration, or find it again; :class:`DCCError` says why not.

    The same certificate — its uniqueIdentifier from the same laboratory, for the same provider — is the same
    record: importing it again changes nothing (``unchanged``), or updates the record when its values differ
    (``updated``, with history). A record of that provider with that number that came from elsewhere, or from
    another laboratory's certificate, is never overwritten. Everything is written through the write path."""
    parsed = parse(xml, accept_deviations=accept_deviations)
    if not access.can(user, ServiceRecord, "add"):
        raise DCCError(_("You may not add records."))
    with transaction.atomic():
        chosen_provider = resolve_provider(parsed, user, provider)
        inst = resolve_instrument(parsed, user, instrument)
        wanted, own = expected_unit(inst)
        m = measure(parsed, wanted, always_convert=own)
        values = _record_values(parsed, m, chosen_provider, inst)
        with translation.override(settings.LANGUAGE_CODE):
            notes = notes_for(parsed, m)
        existing = (ServiceRecord.objects.select_for_update()
                    .filter(provider=chosen_provider, certificate_number=parsed.certificate_number).first())
        outcome = DCCImport(record=existing, action="created", parsed=parsed, measured=m,
                            instrument_created=getattr(inst, "_dcc_created", False), expected_unit=wanted)
        if existing is not None:
            if existing.source != Source.DCC:
                raise DCCError(_("Certificate number %(n)s is already used by record #%(pk)s of this provider, "
                                 "which was not imported from a DCC; it is not overwritten.")
                               % {"n": parsed.certificate_number, "pk": existing.pk})
            if parsed.lab_label not in (existing.notes or ""):
                raise DCCError(_("Record #%(pk)s of this provider already has certificate number %(n)s, from "
                                 "another laboratory's certificate; this certificate (from %(lab)s) is a different "
                                 "one and is not imported over it.")
                               % {"n": parsed.certificate_number, "pk": existing.pk, "lab": parsed.lab_label})
            probe = ServiceRecord(**values)
            outcome.changes = [(name, getattr(existing, name), getattr(probe, name)) for name in IMPORTED_FIELDS
                               if getattr(existing, name) != getattr(probe, name)]
            if not outcome.changes:
                outcome.action = "unchanged"
                return outcome
            for name, value in values.items():
                setattr(existing, name, value)
            existing.notes = notes
            record, outcome.action = existing, "updated"
        else:
            record = ServiceRecord(notes=notes, **values)
        try:
            writes.save(record, user=user, via=writes.Via.DCC)
        except ValidationError as exc:
            raise DCCError(_messages(exc)) from None
        except writes.WriteRefused:
            raise DCCError(_("This record would be outside what your organisation may change.")) from None
        outcome.record = record
    return outcome


class _Rollback(Exception):  # control flow: carries the outcome out of the rolled-back transaction
    def __init__(self, outcome):
        super().__init__()
        self.outcome = outcome


def preview_import(xml: bytes | str, user, *, provider: Organization | None = None,
                   instrument: Instrument | None = None) -> DCCImport:
    """What :func:`run_import` would store, done inside a transaction that is rolled back: the same rules,
    derived values and access check, nothing kept (no record, no instrument, no history). Schema findings do
    not stop a preview: they are shown, and the import asks to accept them."""
    try:
        with transaction.atomic():
            raise _Rollback(run_import(xml, user, provider=provider, instrument=instrument, accept_deviations=True))
    except _Rollback as done:
        return done.outcome


def import_dcc(xml: bytes | str, user, *, provider: Organization | None = None,
               instrument: Instrument | None = None, accept_deviations: bool = False) -> ServiceRecord:
    """The calibration record of a DCC (created, found again or updated: ``record.dcc_action``)."""
    outcome = run_import(xml, user, provider=provider, instrument=instrument, accept_deviations=accept_deviations)
    outcome.record.dcc_action = outcome.action
    return outcome.record


def summary_lines(outcome: DCCImport) -> list[str]:
    """The preview as text (the command line prints it; the web page shows the same in tables)."""
    r, p, m = outcome.record, outcome.parsed, outcome.measured
    lines = [
        _("Certificate: %(id)s (DCC %(v)s) from %(lab)s") % {"id": p.unique_identifier, "v": p.schema.version,
                                                            "lab": p.lab_label},
        _("Record: %(action)s — provider %(provider)s, instrument %(inst)s%(new)s, date %(date)s") % {
            "action": ACTIONS.get(outcome.action, outcome.action), "provider": r.provider,
            "inst": r.instrument.serial_number, "date": r.performed_on.strftime("%d/%m/%Y"),
            "new": _(" (registered now)") if outcome.instrument_created else ""},
        _("Measurand: %(m)s; unit: %(u)s") % {"m": r.measurand or "—", "u": r.measurement_unit or "—"},
        _("Value %(v)s, U %(U)s, k %(k)s, p %(p)s") % {"v": _fmt(r.measured_value), "U": _fmt(r.expanded_uncertainty),
                                                      "k": _fmt(r.coverage_factor), "p": _fmt(r.coverage_probability)},
        _("Result: %(r)s") % {"r": r.get_result_display()},
        _("Points: %(n)d") % {"n": len(r.points or [])},
    ]
    for i, pt in enumerate(r.points or [], start=1):
        u = f" U {_fmt(pt['U'])}" if "U" in pt else (f" U {_fmt(pt['U_rel'])} {pt.get('U_rel_unit', '')}"
                                                    if "U_rel" in pt else "")
        k = f" k {_fmt(pt['k'])}" if "k" in pt else ""
        unit = pt.get("unit", r.measurement_unit)
        group = f" [{pt['group']}]" if pt.get("group") else ""
        lines.append(f"  {i}. {_fmt(pt['reference'])} → {_fmt(pt['indication'])} {unit}{u}{k}{group}")
    for c in p.conditions:
        lines.append(_("Condition: %(c)s") % {"c": c.shown()})
    if p.signatures:
        lines.append(_("Signed (%(n)d XML signature(s)); signature not verified.") % {"n": len(p.signatures)})
    for f in p.schema.findings:
        lines.append(_("Schema: %(f)s") % {"f": f})
    for w in p.warnings + m.notes:
        lines.append(f"* {w}")
    for name, old, new in outcome.changes:
        lines.append(_("Change %(field)s: %(old)s → %(new)s") % {"field": name, "old": _short(old), "new": _short(new)})
    return lines


def _short(value) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str) if isinstance(value, (list, dict)) else str(value)
    return text if len(text) <= 80 else text[:77] + "…"


ACTIONS = {"created": _("new record"), "updated": _("update of an earlier import"),
           "unchanged": _("already imported, nothing changes")}


def _messages(exc: ValidationError) -> str:
    if not hasattr(exc, "error_dict"):
        return " ".join(exc.messages)
    return "; ".join(f"{k}: {' '.join(v)}" if k != "__all__" else " ".join(v) for k, v in exc.message_dict.items())


__all__ = ["DCCError", "DCCImport", "ParsedDCC", "export_record", "import_dcc", "parse",
           "preview_import", "read", "run_import", "schema_check", "validate", "validation_errors"]
