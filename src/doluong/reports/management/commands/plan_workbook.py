"""``doluong plan_workbook export --plan NUMBER --out FILE`` / ``doluong plan_workbook load FILE [--user U]``.

A plan with its phases, tasks and targets as one workbook (see ``doluong.reports.planbook``): any province's
plan is loaded without code; Plan 210 ships as ``plans/data/plan-210.xlsx``.
"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from doluong.core.changelog import change_context
from doluong.orgs.models import User
from doluong.plans.models import Plan
from doluong.reports import planbook


class Command(BaseCommand):
    help = "Export a plan to a workbook, or load a plan from one."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        exp = sub.add_parser("export")
        exp.add_argument("--plan", required=True)
        exp.add_argument("--out", required=True)
        load = sub.add_parser("load")
        load.add_argument("file")
        load.add_argument("--user", help="act as this user (default: the first administrator)")

    def handle(self, action, **options):
        if action == "export":
            plan = Plan.objects.filter(number__iexact=options["plan"].strip()).first()
            if plan is None:
                raise CommandError(f"no plan numbered {options['plan']!r}")
            Path(options["out"]).write_bytes(planbook.export(plan))
            self.stdout.write(options["out"])
            return
        username = options.get("user")
        user = (User.objects.filter(username=username).first() if username
                else User.objects.filter(is_superuser=True).order_by("pk").first())
        if user is None:
            raise CommandError("no user to act as: pass --user or create an administrator")
        try:
            with change_context(user):
                plan = planbook.load(Path(options["file"]).read_bytes(), user=user)
        except planbook.PlanbookError as exc:
            raise CommandError("the workbook was not loaded:\n" + "\n".join(f"- {p}" for p in exc.problems)) from None
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(f"{plan}: {plan.phases.count()} phases, {plan.tasks.count()} tasks, "
                          f"{plan.targets.count()} targets")
