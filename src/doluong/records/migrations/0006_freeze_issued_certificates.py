"""Freeze the statement of every certificate issued before statements were kept (``ServiceRecord.certificate``).

The same shape as ``records.certificates.freeze``, built here from the historical models (set-based: a few
queries per thousand records). Records created later by the demo generator are frozen by
``records.certificates.freeze_missing``.
"""

from django.db import migrations

CHUNK = 2000


def _iso(day):
    return day.isoformat() if day else None


def _num(x):
    return None if x is None else float(x)


def freeze_existing(apps, schema_editor):
    record = apps.get_model("records", "ServiceRecord")
    instrument = apps.get_model("instruments", "Instrument")
    organization = apps.get_model("orgs", "Organization")
    officer = apps.get_model("providers", "VerificationOfficer")
    scope = apps.get_model("providers", "DesignationScope")
    pending = record.objects.exclude(certificate_number="").filter(certificate={}).order_by("pk")
    last = 0
    while True:
        chunk = list(pending.filter(pk__gt=last)[:CHUNK])
        if not chunk:
            break
        last = chunk[-1].pk
        instruments = {i["pk"]: i for i in instrument.objects.filter(pk__in={r.instrument_id for r in chunk}).values(
            "pk", "kind_id", "kind__name", "kind__code", "serial_number", "manufacturer", "model_name",
            "measuring_range", "accuracy_class", "kind__verification_method", "owner__name")}
        providers = {p["pk"]: p for p in organization.objects.filter(pk__in={r.provider_id for r in chunk}).values(
            "pk", "name", "provider_code", "address")}
        officers = {o["pk"]: o for o in officer.objects.filter(pk__in={r.officer_id for r in chunk} - {None}).values(
            "pk", "full_name", "certificate_number")}
        scopes = {}
        for s in scope.objects.filter(designation__provider_id__in=providers).values(
                "designation__provider_id", "kind_id", "activity", "designation__decision_number",
                "designation__decision_date", "designation__expires_on", "designation__revoked_on"):
            scopes.setdefault((s["designation__provider_id"], s["kind_id"], s["activity"]), []).append(s)
        for r in chunk:
            i = instruments[r.instrument_id]
            p = providers[r.provider_id]
            o = officers.get(r.officer_id)
            held = [s for s in scopes.get((r.provider_id, i["kind_id"], r.activity), ())
                    if s["designation__decision_date"] <= r.performed_on
                    and (s["designation__expires_on"] is None or s["designation__expires_on"] >= r.performed_on)
                    and (s["designation__revoked_on"] is None or s["designation__revoked_on"] > r.performed_on)]
            held.sort(key=lambda s: s["designation__decision_date"], reverse=True)
            evaluated = r.points_evaluated or {}
            detail = r.decision_detail or {}
            r.certificate = {
                "v": 1,
                "instrument": {"id": i["pk"], "kind": i["kind__name"], "kind_code": i["kind__code"],
                               "serial": i["serial_number"], "manufacturer": i["manufacturer"],
                               "model": i["model_name"], "range": i["measuring_range"],
                               "accuracy_class": i["accuracy_class"], "procedure": i["kind__verification_method"] or ""},
                "owner": {"name": i["owner__name"]},
                "provider": {"id": p["pk"], "name": p["name"], "code": p["provider_code"] or "",
                             "address": p["address"]},
                "designation": ({"number": held[0]["designation__decision_number"],
                                 "date": held[0]["designation__decision_date"].isoformat()} if held else None),
                "officer": ({"id": o["pk"], "name": o["full_name"], "certificate": o["certificate_number"]}
                            if o else None),
                "number": r.certificate_number, "stamp": r.stamp_number, "activity": r.activity,
                "performed_on": _iso(r.performed_on), "result": r.result, "valid_until": _iso(r.valid_until),
                "measurand": r.measurand, "unit": r.measurement_unit, "stage": r.verification_stage,
                "e": None if r.scale_interval_e is None else str(r.scale_interval_e),
                "points": evaluated.get("points") or r.points or [], "points_ok": evaluated.get("ok"),
                "mpe_source": evaluated.get("source", ""), "measured_value": _num(r.measured_value),
                "U": _num(r.expanded_uncertainty), "k": _num(r.coverage_factor), "p": _num(r.coverage_probability),
                "decision_rule": r.decision_rule, "limits": [_num(r.lower_limit), _num(r.upper_limit)],
                "decision": r.decision, "decision_vi": detail.get("decision_vi", ""),
                "acceptance_limits": detail.get("acceptance_limits"),
                "issued_at": r.created.isoformat(timespec="seconds") if r.created else None,
            }
        record.objects.bulk_update(chunk, ["certificate"])


class Migration(migrations.Migration):

    dependencies = [
        ("records", "0005_certificates_issued"),
    ]

    operations = [
        migrations.RunPython(freeze_existing, migrations.RunPython.noop, elidable=True),
    ]
