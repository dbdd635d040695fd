from django.core.management.base import BaseCommand

from doluong.core.changelog import change_context
from doluong.plans.services import load_plan_210


class Command(BaseCommand):
    help = "Load (or bring up to date) Plan 210/KH-UBND of Yên Bái: its phases and the 13 tasks of its appendix."

    def handle(self, *args, **options):
        with change_context(None):
            plan = load_plan_210()
        self.stdout.write(f"{plan}: {plan.phases.count()} phases, {plan.tasks.count()} tasks")
