"""Remove a user's second factor (a lost phone and no recovery code): ``doluong reset_two_step USERNAME``.

The user then signs in with the password and, where two-step sign-in is required, sets it up again.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from doluong.accounts import policy
from doluong.accounts.models import Outcome, SignInEvent


class Command(BaseCommand):
    help = "Remove a user's authenticator app and recovery codes (they set them up again at the next sign-in)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = get_user_model()._default_manager.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        policy.remove_second_factor(user)
        SignInEvent.objects.create(user=user, username=username, outcome=Outcome.OTP_REMOVED,
                                   detail="reset_two_step command")
        self.stdout.write(f"Two-step sign-in removed for {username}.")
