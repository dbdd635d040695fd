"""``doluong api_token create --user U --name N [--days D]`` prints a new token's key (shown once);
``doluong api_token revoke --prefix P`` (or ``--user U --name N``) revokes; ``doluong api_token list``."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from doluong.api.models import ApiToken


class Command(BaseCommand):
    help = "Create, revoke or list API tokens."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a token and print its key (shown once).")
        create.add_argument("--user", required=True, help="User name of the owner; the token acts as this user.")
        create.add_argument("--name", required=True, help="Which system uses it.")
        create.add_argument("--days", type=int, default=None, help="Days until it expires (default: never).")
        revoke = sub.add_parser("revoke", help="Revoke tokens.")
        revoke.add_argument("--prefix", help="The beginning of the key, as listed (dl_…).")
        revoke.add_argument("--user", help="User name of the owner.")
        revoke.add_argument("--name", help="The token's name (with --user).")
        listing = sub.add_parser("list", help="List tokens (never their keys).")
        listing.add_argument("--user", help="Only this user's tokens.")

    def _user(self, username):
        try:
            return get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(_("No user %(name)s.") % {"name": username}) from None

    def handle(self, *args, action, **opts):
        if action == "create":
            days = opts["days"]
            if days is not None and days < 1:
                raise CommandError(_("--days must be at least 1."))
            token, key = ApiToken.issue(self._user(opts["user"]), opts["name"], days)
            self.stdout.write(key)
            expiry = token.expires.strftime("%d/%m/%Y %H:%M") if token.expires else _("never")
            self.stderr.write(_("Token %(token)s of %(user)s, expires: %(expiry)s. The key is shown only once.")
                              % {"token": token, "user": token.user.get_username(), "expiry": expiry})
            return
        tokens = ApiToken.objects.select_related("user")
        if action == "list":
            if opts.get("user"):
                tokens = tokens.filter(user=self._user(opts["user"]))
            for t in tokens:
                expiry = t.expires.strftime("%d/%m/%Y") if t.expires else "-"
                self.stdout.write(f"{t.prefix}…\t{t.user.get_username()}\t{t.name}\t{expiry}\t{t.state}")
            return
        if opts.get("prefix"):
            tokens = tokens.filter(prefix=opts["prefix"].rstrip("…"))
        elif opts.get("user") and opts.get("name"):
            tokens = tokens.filter(user=self._user(opts["user"]), name=opts["name"])
        else:
            raise CommandError(_("Give --prefix, or --user and --name."))
        found = list(tokens.filter(revoked__isnull=True))
        if not found:
            raise CommandError(_("No active token matches."))
        for t in found:
            t.revoke()
            self.stdout.write(_("Revoked %(token)s.") % {"token": t})
