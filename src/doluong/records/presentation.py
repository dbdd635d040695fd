"""What the record page and the certificate show of a record's metrology (no arithmetic: stored results)."""

from django.utils.translation import gettext as _

from doluong.records.dcc import rule_statement


def contributions(result: dict) -> list[tuple[str, float]]:
    """(input name, |c·u|) of a stored ``calc uncertainty`` result, for the contributions chart."""
    return [(row["name"], row["contribution"]) for row in (result or {}).get("budget", [])]


def record_context(record) -> dict:
    evaluated = record.points_evaluated or {}
    result = record.uncertainty_result or {}
    return {
        "points_rows": evaluated.get("points") or [],
        "points_ok": evaluated.get("ok"),
        "points_source": evaluated.get("source", ""),
        "points_skipped": evaluated.get("skipped") == "no-rule",
        "raw_points": record.points or [],
        "budget": result,
        "budget_chart": contributions(result),
        "rule_vi": rule_statement(record, "vi"),
        "rule_en": rule_statement(record, "en"),
        "decision_source": (record.decision_detail or {}).get("source", ""),
        "decision_vi": (record.decision_detail or {}).get("decision_vi", ""),
        "is_calibration": record.activity == "calibration",
        "coverage_percent": (record.coverage_probability * 100) if record.coverage_probability else None,
        "no_rule_text": _("The kind of this instrument has no MPE rule: the points are stored but not evaluated."),
    }


def as_found_rows(points) -> list[dict]:
    """The as-found points with their error (indication − reference)."""
    rows = []
    for p in points or ():
        ref, ind = p.get("reference"), p.get("indication")
        error = ind - ref if isinstance(ref, int | float) and isinstance(ind, int | float) else None
        rows.append({"reference": ref, "indication": ind, "error": error})
    return rows


def detail_extra(request, record) -> dict:
    """The record page: its metrology, and for an issued certificate its state, its versions and what may be done
    with it (correct, withdraw; never delete: the Delete button is not offered)."""
    from doluong.core import access, writes
    from doluong.records import certificates, flags
    from doluong.records.forms import AttachmentForm

    ctx = record_context(record)
    may_attach = writes.may(request.user, record, "change") and not record.edit_lock()
    ctx.update({
        "flags": flags.reasons(record),
        "as_found": as_found_rows(record.points_as_found),
        "attachments": list(access.restrict(record.attachments.all(), request.user, "view")),
        "attachment_form": AttachmentForm() if may_attach else None,
        "may_remove_attachments": may_attach,
    })
    if record.certificate_number:
        may_change = writes.may(request.user, record, "change")
        open_ = certificates.why_not_correctable(record) is None
        ctx.update({
            "can_delete": False,
            "certificate_state": certificates.state_of(record),
            "certificate_versions": certificates.versions(record),
            "can_correct": may_change and open_,
            "can_withdraw": may_change and open_,
        })
    return ctx
