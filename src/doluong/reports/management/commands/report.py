"""``doluong report KIND --plan NUMBER [--year Y | --phase N] [--as-of dd/mm/yyyy] [--out DIR] [--user U]``.

KIND is ``annual`` (yearly report), ``review`` (sơ kết of a phase), ``final`` (tổng kết of the whole plan),
``budget`` (budget estimate) or ``workplan`` (the annual workplan in the appendix's columns). The command uses
the plan's latest document of that kind and period (the prose, number and signer an officer wrote on the web),
or creates one with defaults, generates it and copies the files to ``--out``. Every generation is kept.
"""

import datetime as dt
import shutil
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from doluong.core import writes
from doluong.core.changelog import change_context
from doluong.core.writes import Via
from doluong.orgs.models import User
from doluong.plans.models import Plan
from doluong.reports import services
from doluong.reports.models import DocumentKind, GenerationStatus, PlanDocument

KINDS = {"annual": DocumentKind.ANNUAL, "review": DocumentKind.PHASE_REVIEW, "final": DocumentKind.FINAL_REVIEW,
         "budget": DocumentKind.BUDGET, "workplan": DocumentKind.WORKPLAN}


def _system_user():
    user = User.objects.filter(is_superuser=True).order_by("pk").first()
    if user is None:
        raise CommandError("no user to act as: create an administrator or pass --user")
    return user


class Command(BaseCommand):
    help = "Generate a plan's yearly report, phase or final review, budget estimate or workplan (Word, PDF, XLSX)."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("--plan", required=True, help="the plan's number, e.g. 210/KH-UBND")
        parser.add_argument("--year", type=int, help="year of a yearly report, budget estimate or workplan")
        parser.add_argument("--phase", type=int, help="phase number of a review (default: the last ended phase)")
        parser.add_argument("--as-of", dest="as_of", help="figures as of this date (dd/mm/yyyy)")
        parser.add_argument("--out", help="folder to copy the files to")
        parser.add_argument("--user", help="act as this user (default: the first administrator)")

    def handle(self, kind, plan, year=None, phase=None, as_of=None, out=None, user=None, **options):
        kind = KINDS[kind]
        try:
            plan_obj = Plan.objects.get(number__iexact=plan.strip())
        except Plan.DoesNotExist:
            raise CommandError(f"no plan numbered {plan!r}") from None
        actor = User.objects.filter(username=user).first() if user else _system_user()
        if actor is None:
            raise CommandError(f"no user {user!r}")
        day = None
        if as_of:
            try:
                day = dt.datetime.strptime(as_of, "%d/%m/%Y").date()
            except ValueError:
                raise CommandError(f"--as-of {as_of!r} is not a date dd/mm/yyyy") from None
        if kind in (DocumentKind.ANNUAL, DocumentKind.BUDGET, DocumentKind.WORKPLAN) and not year:
            raise CommandError("give --year")
        phase_obj = None
        if kind == DocumentKind.PHASE_REVIEW:
            phases = plan_obj.phases.order_by("number")
            phase_obj = phases.filter(number=phase).first() if phase else phases.first()
            if phase_obj is None:
                raise CommandError(f"plan {plan_obj.number} has no phase {phase or ''}".strip())
        found = PlanDocument.objects.filter(plan=plan_obj, kind=kind, year=year if year else None,
                                            phase=phase_obj).order_by("-dated", "-pk").first()
        with change_context(actor):
            try:
                if found is None:
                    found = PlanDocument(plan=plan_obj, kind=kind, year=year, phase=phase_obj)
                    writes.save(found, user=actor, via=Via.SERVICE)
                generation = services.start(found, user=actor, as_of=day, run_now=True)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from None
        if generation.status != GenerationStatus.DONE:
            raise CommandError(generation.error or "generation failed")
        self.stdout.write(f"{found} · figures as of {generation.figures_as_of:%d/%m/%Y} · {generation.seconds:.2f} s")
        for _key, _label, f in generation.files():
            if out:
                Path(out).mkdir(parents=True, exist_ok=True)
                target = Path(out) / Path(f.name).name
                shutil.copyfile(f.path, target)
                self.stdout.write(str(target))
            else:
                self.stdout.write(f.path)
