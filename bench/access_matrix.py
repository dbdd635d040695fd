"""The access matrix: every role × every endpoint, on a fresh database with two of each owner, measured.

Usage:

    .venv/bin/python bench/access_matrix.py                      # a temporary SQLite file, removed afterwards
    .venv/bin/python bench/access_matrix.py --database-url postgres://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/access_matrix.py --scale 0.1 --posts 3 --keep /tmp/matrix --verbose

It builds its own database — migrations, ``load_reference``, ``load_demo --scale`` (0.05 by default), then
whatever the demo leaves out so that each of **two providers, two enterprises and two agencies** owns at least one
object of every model whose access rule for its role is a path (standards, officers, records, attachments,
inspections, assurance cases, service requests, reports, evidence …), and a notification, an API token and an
import batch per user. With ``--database-url`` it creates a new database beside the one named (``<name>_matrix_<pid>``)
on that server and drops it at the end. Nothing it does touches the project's own database.

Then, signed in (``force_login``) as the officer, the leader, each agency, provider and enterprise, and anonymous,
it requests every GET endpoint with Django's test client and compares what comes back with
``doluong.core.access.restrict(…, user, action)`` — computed here, never written out:

* every registered model (``doluong.core.ui``): the list (``per_page=250``), the lookup (autocomplete JSON, empty and
  with the words of a hidden object), the detail, add, edit and delete pages of a sample of objects (for each user: one
  it may see, one it may not, one it may see but not change, the first and the last);
* every import spec's export, CSV and XLSX: each row must be one the export of the user's own scope contains;
* the global search, with the words of an object the user may not see, for every model;
* the REST API (``doluong.api``): each list (a token, and the session) and the detail of every sampled object;
* every other URL pattern (``get_resolver()`` walked): those without arguments once, those with an object id for the
  sampled objects of the model the route names (certificates, DCC, recall, plan / report / document / notice /
  inspection / programme / import / token pages …); a route whose model cannot be told fails the run;
* writes: for a few objects of every model each user may not change (one it may see, one it may not), the edit form
  posted back with the officer's current values and one text changed, the delete confirmed, the API's PATCH and
  DELETE, and every workflow route (submit, accept, withdraw, close, revert …) posted.

A **leak** is a 200 that shows an object outside the user's view scope: its detail page (or any page of a route on
it), or its link / id / row in a list, lookup, search, export, API list or a related list of a detail page. A **wrong
write** is a 200 GET of an edit, delete or add page (or a workflow route's form) the user's change / delete / add
scope does not cover; a refused write that is not 404 or 403 (anonymous: the sign-in redirect); or any write that
changed the database outside the user's scope (the target row compared before and after; every history row the
request wrote must be of an object in the user's add / change scope). Every HTTP 500 is counted with its exception.
A GET that writes anything outside the user's scope is a wrong write too. Also printed, not failing: registry or API
pages that refuse an object the user may see ("over-restricted"), links on detail pages to related objects the user
cannot open ("cross-links"), workflow steps a service grants a role beyond the model's rules (``WORKFLOW_GRANTS``,
"granted") and GETs that write within the user's scope ("GET writes").

Prints the number of checks, leaks, wrong writes and 500s per user, then every failure. Exits 1 if there is any
(or a route could not be mapped), 0 otherwise. Takes a few minutes on two cores (SQLite, scale 0.05).
"""

import argparse
import contextlib
import csv
import html.parser
import io
import json
import logging
import os
import re
import shutil
import signal
import sys
import tempfile
import time
import traceback
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


# --- the database ---------------------------------------------------------------------------------------

def prepare_environment(args) -> dict:
    """Environment for a throw-away installation; returns what cleanup needs."""
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="doluong-matrix-"))
    work.mkdir(parents=True, exist_ok=True)
    if not args.reuse:  # a fresh database each time, unless asked to reuse the kept one
        for old in ("doluong.sqlite3", "doluong.sqlite3-wal", "doluong.sqlite3-shm", "matrix-built"):
            (work / old).unlink(missing_ok=True)
        shutil.rmtree(work / "media", ignore_errors=True)
    state = {"work": work, "remove_work": not args.keep, "pg": None}
    os.environ.update({
        "DOLUONG_VAR_DIR": str(work),
        "DOLUONG_DEBUG": "0",            # 500s as responses (the test client keeps the exception for us)
        "DOLUONG_AXES": "0",
        "DOLUONG_REQUIRE_2FA": "0",
        "DOLUONG_IDLE_MINUTES": "0",
        "DOLUONG_TASKS_IMMEDIATE": "1",
        "DOLUONG_API_RATE": "1000000/minute",
        "DOLUONG_API_BULK_RATE": "1000000/minute",
        "DJANGO_SETTINGS_MODULE": "doluong.settings",
    })
    for name in ("DOLUONG_PRODUCTION", "DOLUONG_TRUSTED_PROXIES"):
        os.environ.pop(name, None)
    if args.database_url:
        from urllib.parse import urlsplit, urlunsplit

        import psycopg

        parts = urlsplit(args.database_url)
        if parts.scheme not in ("postgres", "postgresql", "pgsql"):
            raise SystemExit("--database-url must be a PostgreSQL URL (postgres://user@host:5432/name)")
        base = parts.path.lstrip("/") or "postgres"
        name = f"{base}_matrix_{os.getpid()}"
        admin = urlunsplit((parts.scheme.replace("pgsql", "postgresql"), parts.netloc, "/" + base, parts.query, ""))
        with psycopg.connect(admin.replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, ""))
        state["pg"] = (admin.replace("postgres://", "postgresql://", 1), name)
    else:
        os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(ROOT / "src"))
    return state


def cleanup(state, keep_db: bool) -> None:
    from django.db import connections

    connections.close_all()
    if state["pg"] and not keep_db:
        import psycopg

        admin, name = state["pg"]
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    if state["remove_work"]:
        shutil.rmtree(state["work"], ignore_errors=True)


# --- the world: two of each owner ------------------------------------------------------------------------

@dataclass
class Actor:
    label: str
    role: str | None
    user: object = None
    org: object = None
    client: object = None
    token_client: object = None
    token_key: str = ""


@dataclass
class Tally:
    checks: int = 0
    leaks: int = 0
    wrong_writes: int = 0
    errors: int = 0
    over_restricted: int = 0
    cross_links: int = 0
    granted: int = 0
    get_writes: int = 0


@dataclass
class Run:
    actors: list
    tallies: dict = field(default_factory=dict)
    failures: list = field(default_factory=list)  # (kind, actor, method, url, status, text)
    notes: list = field(default_factory=list)      # (kind, actor, method, url, status, text)
    unmapped: list = field(default_factory=list)
    coverage: list = field(default_factory=list)
    requests: int = 0
    last_exception: object = None
    verbose: bool = False
    scopes: object = None

    def tally(self, actor) -> Tally:
        return self.tallies.setdefault(actor.label, Tally())

    def check(self, actor, n: int = 1):
        self.tally(actor).checks += n

    def fail(self, kind, actor, method, url, status, text):
        t = self.tally(actor)
        if kind == "leak":
            t.leaks += 1
        elif kind == "wrong write":
            t.wrong_writes += 1
        else:
            t.errors += 1
        self.failures.append((kind, actor.label, method, url, status, text))
        if self.verbose:
            print(f"  !! {kind}: {actor.label} {method} {url} → {status}: {text}", flush=True)

    def note(self, kind, actor, method, url, status, text):
        t = self.tally(actor)
        if kind == "over-restricted":
            t.over_restricted += 1
        elif kind == "cross-link":
            t.cross_links += 1
        elif kind == "granted":
            t.granted += 1
        else:
            t.get_writes += 1
        self.notes.append((kind, actor.label, method, url, status, text))


def build(args, log) -> None:
    from django.core.management import call_command

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("load_reference", verbosity=0)
    log(f"reference data loaded ({time.perf_counter() - t0:.0f} s)")
    call_command("load_demo", scale=args.scale, verbosity=0)
    log(f"demo loaded at scale {args.scale} ({time.perf_counter() - t0:.0f} s)")


def pick_orgs():
    """Two providers, two enterprises, two agencies (not the officers' department): those owning the most kinds of
    objects, then the most objects."""
    from django.apps import apps

    from doluong.core import access
    from doluong.core.roles import Role
    from doluong.orgs.models import Organization, OrganizationKind, User

    kinds = {Role.PROVIDER: [OrganizationKind.PROVIDER, OrganizationKind.LAB],
             Role.ENTERPRISE: [OrganizationKind.ENTERPRISE], Role.AGENCY: [OrganizationKind.DEPARTMENT]}
    chosen = {}
    for role, org_kinds in kinds.items():
        paths = sorted({access.rule_for(m, role, a) for m in apps.get_models() if getattr(m, "access", None)
                        for a in access.ACTIONS} - {access.ALL, access.NONE})
        score = Counter()
        kinds_owned = Counter()
        models = [m for m in apps.get_models() if getattr(m, "access", None)]
        for m in models:
            path = next((access.rule_for(m, role, a) for a in access.ACTIONS
                         if access.rule_for(m, role, a) not in (access.ALL, access.NONE)), None)
            if path is None or path == "pk":
                continue
            rows = m._default_manager.filter(**{f"{path}__kind__in": org_kinds}).values_list(path, flat=True)
            owners = Counter(rows)
            for org_id, n in owners.items():
                score[org_id] += n
                kinds_owned[org_id] += 1
        del paths
        officers = set(User.objects.filter(role=Role.OFFICER).values_list("organization", flat=True))
        ranked = sorted((o for o in score if o not in officers), key=lambda o: (-kinds_owned[o], -score[o], o))
        # The demo's own account of the role is one of the two when it owns something (its data are the richest).
        picks = ranked[:2]
        if len(picks) < 2:
            extra = (Organization.objects.filter(kind__in=org_kinds).exclude(pk__in=[*picks, *officers])
                     .order_by("pk").values_list("pk", flat=True)[: 2 - len(picks)])
            picks += list(extra)
        chosen[role] = list(Organization.objects.filter(pk__in=picks).order_by("pk"))
    return chosen


def make_actors(orgs) -> list:
    from doluong.core.roles import Role
    from doluong.orgs.models import Organization, OrganizationKind, User

    dost = User.objects.filter(username="officer").values_list("organization", flat=True).first()
    dost = Organization.objects.filter(pk=dost).first() or Organization.objects.filter(
        kind=OrganizationKind.DEPARTMENT).first()
    actors = [Actor("officer", Role.OFFICER, org=dost), Actor("leader", Role.LEADER, org=dost)]
    for role in (Role.AGENCY, Role.PROVIDER, Role.ENTERPRISE):
        for letter, org in zip("AB", orgs[role], strict=False):
            actors.append(Actor(f"{role.value}-{letter}", role, org=org))
    for a in actors:
        a.user, _ = User.objects.update_or_create(username=f"matrix-{a.label}", defaults={
            "role": a.role, "organization": a.org, "is_active": True, "email": f"{a.label}@matrix.invalid"})
    actors.append(Actor("anonymous", None))
    return actors


_n = iter(range(1, 10**9))


def _perturb_unique(obj, skip=()):
    """Change one member of every unique field / group of ``obj`` so a copy can be stored beside the original."""
    import datetime as dt

    from django.db import models

    model = type(obj)
    groups = [(f.name,) for f in model._meta.concrete_fields if f.unique and not f.primary_key]
    groups += [tuple(g) for g in model._meta.unique_together]
    groups += [tuple(c.fields) for c in model._meta.constraints if getattr(c, "fields", None)]
    n = next(_n)
    for group in groups:
        if set(group) & set(skip) and len(group) > 1:
            continue  # the new owner already makes the group new
        for name in group:
            f = model._meta.get_field(name)
            value = getattr(obj, f.attname)
            if isinstance(f, models.CharField | models.TextField) and not f.choices:
                text = f"{value or ''}-M{n}"
                setattr(obj, f.attname, text[-f.max_length:] if f.max_length else text)
                break
            if isinstance(f, models.DateField) and value is not None:
                setattr(obj, f.attname, value + dt.timedelta(days=n))
                break
            if isinstance(f, models.IntegerField) and not f.choices and value is not None:
                setattr(obj, f.attname, value + 1000 * n)
                break
        else:
            continue


def _follow_parent(obj, overrides):
    """A copied child points to siblings under its new parent (a finding to a check of the same inspection), not to
    the template's; when the new parent has none, to nothing if it may."""
    from django.db import models

    for parent_name, parent in overrides.items():
        for f in type(obj)._meta.concrete_fields:
            if not isinstance(f, models.ForeignKey) or f.name in overrides or getattr(obj, f.attname) is None:
                continue
            sibling_fk = next((g for g in f.related_model._meta.concrete_fields if isinstance(g, models.ForeignKey)
                               and g.name == parent_name and g.related_model is type(parent)), None)
            if sibling_fk is None:
                continue
            sibling = f.related_model._default_manager.filter(**{parent_name: parent}).order_by("pk").first()
            if sibling is not None or f.null:
                setattr(obj, f.name, sibling)


def clone(template, **overrides):
    """A copy of ``template`` with ``overrides`` (bulk-created like the demo's own rows: no history)."""
    import copy

    model = type(template)
    obj = copy.copy(template)
    obj.pk = None
    if hasattr(obj, "id"):
        obj.id = None
    obj._state = copy.copy(template._state)
    obj._state.adding = True
    for name, value in overrides.items():
        setattr(obj, name, value)
    _follow_parent(obj, overrides)
    _perturb_unique(obj, skip=overrides)
    model._default_manager.bulk_create([obj])
    if obj.pk is None:  # a backend that does not return ids
        obj = model._default_manager.order_by("-pk").first()
    for m2m in model._meta.many_to_many:
        getattr(obj, m2m.name).set(getattr(template, m2m.name).all())
    return obj


def small_file(name="matrix.pdf"):
    from django.core.files.base import ContentFile

    return ContentFile(b"%PDF-1.4\n% access matrix\n%%EOF\n", name=name)


def give(model, path, org, made, log):
    """Make ``org`` own one ``model`` through ``path``: a copy of an existing object, or one of the few kinds the
    demo never makes (attachments, evidence, service requests)."""
    import datetime as dt

    from doluong.notices.models import ServiceRequest
    from doluong.plans.models import ReportEvidence
    from doluong.records.models import RecordAttachment, ServiceRecord

    first, _sep, rest = path.partition("__")
    if model is RecordAttachment:
        record = ServiceRecord.objects.filter(**{rest: org}).order_by("-pk").first()
        if record is None:
            return None
        att = RecordAttachment(record=record, description="Biên bản (access matrix)")
        att.file.save("matrix-attachment.pdf", small_file(), save=False)
        RecordAttachment.objects.bulk_create([att])
        return att
    if model is ReportEvidence:
        from doluong.plans.models import ProgressReport

        report = ProgressReport.objects.filter(**{rest: org}).order_by("-pk").first()
        if report is None:
            return None
        ev = ReportEvidence(report=report, description="Minh chứng (access matrix)")
        ev.file.save("matrix-evidence.pdf", small_file(), save=False)
        ReportEvidence.objects.bulk_create([ev])
        return ev
    if model is ServiceRequest:
        from doluong.instruments.models import Instrument
        from doluong.orgs.models import OrganizationKind

        if first == "enterprise":
            enterprise = org
            provider = (ServiceRecord.objects.filter(instrument__owner=org).values_list("provider", flat=True).first())
        else:
            provider = org.pk
            enterprise = (ServiceRecord.objects
                          .filter(provider=org, instrument__owner__kind=OrganizationKind.ENTERPRISE)
                          .values_list("instrument__owner", flat=True).first())
            from doluong.orgs.models import Organization

            enterprise = Organization.objects.filter(pk=enterprise).first()
        if enterprise is None or provider is None:
            return None
        request = ServiceRequest.objects.create(enterprise=enterprise, provider_id=provider,
                                                message="Đề nghị kiểm định (access matrix)",
                                                preferred_date=dt.date.today() + dt.timedelta(days=30))
        request.instruments.set(Instrument.objects.filter(owner=enterprise).order_by("pk")[:2])
        return request
    if not rest:
        template = model._default_manager.order_by("-pk").first()
        if template is None:
            return None
        target = org if model._meta.get_field(first).related_model is type(org) else None
        if target is None:
            return None
        return clone(template, **{first: target})
    parent_model = model._meta.get_field(first).related_model
    parent = parent_model._default_manager.filter(**{rest: org}).order_by("-pk").first()
    if parent is None:
        parent = give(parent_model, rest, org, made, log)
        if parent is None:
            return None
        made.append((parent_model, org))
    template = model._default_manager.order_by("-pk").first()
    if template is None:
        return None
    return clone(template, **{first: parent})


def complete(actors, run, log) -> None:
    """Fill what the demo leaves out: each of the two organisations of a role owns one object of every model whose
    rule for the role is a path; every user has a notification, an API token and an import batch."""
    from django.apps import apps
    from django.db import transaction

    from doluong.core import access
    from doluong.core.changelog import change_context

    made = []
    models = [m for m in apps.get_models() if getattr(m, "access", None)]
    with change_context(enabled=False):
        for actor in actors:
            if actor.role is None or actor.org is None or actor.role in ("officer", "leader"):
                continue
            for model in models:
                for action in ("view", "change", "delete"):
                    path = access.rule_for(model, actor.role, action)
                    if path in (access.ALL, access.NONE) or path == "pk":
                        continue
                    if model._default_manager.filter(**{path: actor.org}).exists():
                        continue
                    try:
                        with transaction.atomic():
                            obj = give(model, path, actor.org, made, log)
                    except Exception as exc:
                        obj = None
                        log(f"  could not give {actor.label} a {model._meta.label}: {exc!r}")
                    if obj is not None:
                        made.append((model, actor.org))
        for actor in actors:
            if actor.user is None:
                continue
            _notification(actor)
            _token(actor)
            _batch(actor, log)
        _generation(log)
    by_model = Counter(m._meta.label for m, _org in made)
    log("added for the matrix: " + (", ".join(f"{k} {v}" for k, v in sorted(by_model.items())) or "nothing"))
    # What each owner holds, as the matrix will see it.
    for actor in actors:
        if actor.role in (None, "officer", "leader"):
            continue
        empty = []
        for model in models:
            path = access.rule_for(model, actor.role, "view")
            if path in (access.ALL, access.NONE) or path == "pk":
                continue
            if not model._default_manager.filter(**{path: actor.org}).exists():
                empty.append(model._meta.label)
        run.coverage.append((actor.label, str(actor.org), empty))


def _notification(actor):
    from doluong.notices.models import NoticeKind, Notification

    Notification.objects.get_or_create(recipient=actor.user, kind=NoticeKind.choices[0][0], key=f"matrix-{actor.label}",
                                       defaults={"title": f"Thông báo của {actor.label}", "body": "access matrix",
                                                 "url": "/"})


def _token(actor):
    from doluong.api.models import ApiToken

    _token, key = ApiToken.issue(actor.user, f"access matrix {actor.label}")
    actor.token_key = key


def _batch(actor, log):
    """One import batch by the user: one of its own objects exported and imported back (an unchanged row)."""
    from doluong.core import access
    from doluong.imports import export
    from doluong.imports import spec as import_specs
    from doluong.imports.engine import import_file

    for spec in import_specs.all_specs():
        if not (access.can(actor.user, spec.model, "change") or access.can(actor.user, spec.model, "add")):
            continue
        first = access.restrict(spec.model._default_manager.all(), actor.user, "change").order_by("-pk").first()
        if first is None:
            continue
        own = spec.model._default_manager.filter(pk=first.pk)
        with tempfile.NamedTemporaryFile("wb", suffix=".csv", delete=False) as tmp:
            tmp.write(b"".join(export.csv_stream(spec, own, "vi")))
        try:
            import_file(spec.kind, tmp.name, user=actor.user, language="vi")
            return
        except Exception as exc:
            log(f"  import batch for {actor.label} ({spec.kind}) failed: {exc!r}")
        finally:
            os.unlink(tmp.name)


def _generation(log):
    import datetime as dt

    from django.core.files.base import ContentFile

    from doluong.reports.models import GeneratedDocument, GenerationStatus, PlanDocument

    document = PlanDocument.objects.order_by("pk").first()
    if document is None:
        log("  no plan document: the generation pages are not checked")
        return
    gen = GeneratedDocument(document=document, figures_as_of=dt.date.today(), status=GenerationStatus.DONE)
    gen.xlsx.save("matrix.xlsx", ContentFile(b"PK\x05\x06" + b"\0" * 18), save=False)
    GeneratedDocument.objects.bulk_create([gen])


# --- scope, samples, links ----------------------------------------------------------------------------------

class Scopes:
    """What each actor may view / add / change / delete: pk sets from ``access.restrict`` (and the few models with
    rules of their own: notifications and tokens are their user's, import batches their organisation's)."""

    def __init__(self):
        self.cache = {}

    def queryset(self, model, actor, action):
        from django.contrib.auth.models import AnonymousUser

        from doluong.api.models import ApiToken
        from doluong.core import access
        from doluong.imports.models import ImportBatch
        from doluong.imports.views import visible_batches
        from doluong.notices.models import Notification

        user = actor.user or AnonymousUser()
        if model is Notification:
            return Notification.objects.filter(recipient=actor.user) if actor.user else Notification.objects.none()
        if model is ApiToken:
            return ApiToken.objects.filter(user=actor.user) if actor.user else ApiToken.objects.none()
        if model is ImportBatch:
            return visible_batches(actor.user) if actor.user else ImportBatch.objects.none()
        return access.restrict(model._default_manager.all(), user, action)

    def pks(self, model, actor, action="view") -> frozenset:
        key = (model, actor.label, action)
        if key not in self.cache:
            self.cache[key] = frozenset(self.queryset(model, actor, action).values_list("pk", flat=True))
        return self.cache[key]

    def can(self, model, actor, action) -> bool:
        from django.contrib.auth.models import AnonymousUser

        from doluong.core import access

        return access.can(actor.user or AnonymousUser(), model, action)

    def forget(self, model=None):
        self.cache = {k: v for k, v in self.cache.items() if model is not None and k[0] is not model}


def sample(model, actors, scopes, per_bucket=1) -> list:
    """Objects of ``model`` worth asking for: the first and last, and for each actor one it may see, one it may not,
    one it may see but not change."""
    all_pks = list(model._default_manager.order_by("pk").values_list("pk", flat=True))
    if not all_pks:
        return []
    chosen = {all_pks[0], all_pks[-1]}
    everything = set(all_pks)
    for a in actors:
        view = scopes.pks(model, a, "view")
        change = scopes.pks(model, a, "change")
        for bucket in (view, everything - view, view - change):
            chosen.update(sorted(bucket)[-per_bucket:])
    return sorted(chosen)


class Links:
    """Object ids in a page: hrefs / form actions of every route that takes one object id."""

    def __init__(self, patterns):
        # patterns: [(regex with one group, model)]
        self.patterns = [(re.compile(r'(?:href|action)="' + rx + r'(?:[?#][^"]*)?"'), m) for rx, m in patterns]

    def found(self, text) -> list:
        out = []
        for rx, model in self.patterns:
            out.extend((model, int(pk)) for pk in rx.findall(text))
        return out


def related_items(text, links) -> list:
    """(model, pk) of the rows of a detail page's related lists (the first link of each row)."""
    out = []
    for table in re.findall(r'<table class="table table-sm mb-0 related-table">(.*?)</table>', text, re.S):
        for first in re.findall(r'<tr><td[^>]*><a href="([^"]+)"', table):
            out.extend(links.found(f'href="{first}"'))
    return out


# --- requests ------------------------------------------------------------------------------------------------

def body(response) -> bytes:
    if getattr(response, "streaming", False):
        data = b"".join(response.streaming_content)
        with contextlib.suppress(Exception):
            response.close()
        return data
    return response.content


def text_of(response) -> str:
    ctype = response.get("Content-Type", "")
    if not any(t in ctype for t in ("text/", "json", "xml", "javascript")):
        body(response)
        return ""
    return body(response).decode("utf-8", "replace")


def request(run, actor, method, url, *, data=None, token=False, json_body=None, **extra):
    client = actor.token_client if token else actor.client
    run.requests += 1
    run.last_exception = None
    mark = history_mark() if method == "GET" else None
    if json_body is not None:
        response = getattr(client, method.lower())(url, data=json.dumps(json_body), content_type="application/json",
                                                   **extra)
    elif method == "GET":
        response = client.get(url, data or {}, **extra)
    else:
        response = getattr(client, method.lower())(url, data or {}, **extra)
    if response.status_code >= 500:
        exc = run.last_exception
        detail = (f"{type(exc).__name__}: {str(exc)[:300]}" if exc else "no exception recorded")
        if exc is not None and run.verbose:
            detail += "\n" + "".join(traceback.format_exception(exc)[-6:])
        run.fail("500", actor, method, url, response.status_code, detail)
    if mark is not None and history_mark() != mark:  # a GET that writes: never outside the user's scope
        outside = writes_outside_scope(actor, run.scopes, mark) if run.scopes is not None else []
        for w in outside:
            run.fail("wrong write", actor, method, url, response.status_code, f"a GET wrote: {w}")
        if not outside:
            run.note("get-writes", actor, method, url, response.status_code, "a GET wrote history rows (in scope)")
    return response


def describe(model, pk) -> str:
    obj = model._default_manager.filter(pk=pk).first()
    return f"{model._meta.label} #{pk} “{str(obj)[:80]}”" if obj is not None else f"{model._meta.label} #{pk}"


def owner_text(model, pk, actor) -> str:
    """Who owns the object for the actor's role (the path of its view rule), to say why it is foreign."""
    from doluong.core import access

    if actor.role in (None, "officer"):
        return ""
    path = access.rule_for(model, actor.role, "view")
    if path in (access.ALL, access.NONE):
        return f" (view rule for {actor.role}: {'none' if path == access.NONE else 'all'})"
    owner = model._default_manager.filter(pk=pk).values_list(path, flat=True).first()
    return f" (owner by {path}: #{owner}; {actor.label} is #{actor.org.pk if actor.org else '—'})"


# --- the checks ---------------------------------------------------------------------------------------------

# Workflow steps a role may take on objects it may view although the model's ``access`` gives it no change rule:
# the service checks the role itself (and then calls ``writes.locked(…, None)``). Listed here, with where the
# service says so, so that the matrix reports them as granted by design rather than as wrong writes.
WORKFLOW_GRANTS = {
    ("plans_flow:change_decide", "leader"): "plans.services.REVIEWER_ROLES (officers and leaders decide)",
    ("plans_flow:report_accept", "leader"): "plans.services.REVIEWER_ROLES",
    ("plans_flow:report_return", "leader"): "plans.services.REVIEWER_ROLES",
    ("notices_flow:request_answer", "provider"): "notices.services.answer (the provider the request is addressed to)",
}

WRITE_WORDS = ("edit", "delete", "withdraw", "correct", "upload", "answer", "close", "advance", "attend", "copy",
               "decide", "submit", "accept", "return", "revoke", "read", "generate", "suggest", "confirm", "revert",
               "new", "add", "sample", "import", "enrol", "remove")


def refused(actor, response) -> bool:
    if response.status_code in (403, 404):
        return True
    return actor.user is None and response.status_code in (302, 401) and "login" in response.get("Location", "login")


def check_registry(run, actors, scopes, links, only=""):
    from django.urls import reverse

    from doluong.core import ui as registry

    for ui in registry.all_registered():
        model = ui.model
        if only and only not in model._meta.label.lower():
            continue
        t0 = time.perf_counter()
        objs = sample(model, actors, scopes)
        hidden_words = {}
        for actor in actors:
            view = scopes.pks(model, actor, "view")
            # the list
            url = reverse(ui.url_name("list"))
            r = request(run, actor, "GET", url, data={"per_page": 250})
            run.check(actor)
            if r.status_code == 200:
                page = text_of(r)
                start, end = page.find("<table"), page.rfind("</table>")
                table = page[start:end] if start >= 0 else ""
                shown = {pk for m, pk in links.found(table) if m is model}
                for pk in sorted(shown - view)[:5]:
                    run.fail("leak", actor, "GET", url + "?per_page=250", 200,
                             f"lists {describe(model, pk)}{owner_text(model, pk, actor)}")
            elif scopes.can(model, actor, "view") and actor.user is not None:
                run.note("over-restricted", actor, "GET", url, r.status_code, "the list is refused")
            else:
                text_of(r)
            # the lookup: nothing typed, and the words of an object the actor may not see
            lookups = [""]
            hidden = sorted(set(objs) - view)
            if hidden:
                words = search_words(model, hidden[-1])
                if words:
                    lookups.append(words)
                    hidden_words[actor.label] = (hidden[-1], words)
            if len(lookups) > 1:  # the list's own search, for the hidden object's words
                url = reverse(ui.url_name("list"))
                r = request(run, actor, "GET", url, data={"q": lookups[1], "per_page": 250})
                run.check(actor)
                if r.status_code == 200:
                    page = text_of(r)
                    start, end = page.find("<table"), page.rfind("</table>")
                    for pk in sorted({pk for m, pk in links.found(page[start:end] if start >= 0 else "")
                                      if m is model} - view)[:5]:
                        run.fail("leak", actor, "GET", f"{url}?q={lookups[1]}", 200,
                                 f"finds {describe(model, pk)}{owner_text(model, pk, actor)}")
                else:
                    text_of(r)
            for q in lookups:
                url = reverse(ui.url_name("lookup"))
                r = request(run, actor, "GET", url, data={"q": q})
                run.check(actor)
                if r.status_code == 200 and "json" in r.get("Content-Type", ""):
                    ids = {row["id"] for row in json.loads(body(r)).get("results", [])}
                    for pk in sorted(ids - view)[:5]:
                        run.fail("leak", actor, "GET", f"{url}?q={q}", 200,
                                 f"offers {describe(model, pk)}{owner_text(model, pk, actor)}")
                elif r.status_code == 200 and actor.user is not None:
                    run.fail("500", actor, "GET", f"{url}?q={q}", 200, "the lookup did not answer JSON")
                else:
                    text_of(r)
            # the add page
            url = reverse(ui.url_name("add"))
            r = request(run, actor, "GET", url)
            run.check(actor)
            text_of(r)
            if r.status_code == 200 and not scopes.can(model, actor, "add"):
                run.fail("wrong write", actor, "GET", url, 200,
                         f"the add page opens without an add rule for {model._meta.label}")
            # detail, edit, delete of the sample
            for pk in objs:
                check_object_pages(run, actor, ui, model, pk, scopes, links)
        if run.verbose:
            print(f"  {model._meta.label}: {len(objs)} objects, {time.perf_counter() - t0:.1f} s", flush=True)


def search_words(model, pk) -> str:
    text = model._default_manager.filter(pk=pk).values_list("search_text", flat=True).first() \
        if any(f.name == "search_text" for f in model._meta.concrete_fields) else ""
    words = [w for w in (text or "").split() if len(w) > 1][:4]
    return " ".join(words)


def check_object_pages(run, actor, ui, model, pk, scopes, links):
    from django.urls import reverse

    view, change, delete = (scopes.pks(model, actor, a) for a in ("view", "change", "delete"))
    url = reverse(ui.url_name(), args=[pk])
    r = request(run, actor, "GET", url)
    run.check(actor)
    if r.status_code == 200:
        page = text_of(r)
        if pk not in view:
            run.fail("leak", actor, "GET", url, 200, f"shows {describe(model, pk)}{owner_text(model, pk, actor)}")
        else:
            for m, rpk in related_items(page, links):
                if rpk not in scopes.pks(m, actor, "view"):
                    run.fail("leak", actor, "GET", url, 200,
                             f"related list shows {describe(m, rpk)}{owner_text(m, rpk, actor)}")
            for m, rpk in set(links.found(page)):
                if rpk not in scopes.pks(m, actor, "view"):
                    run.note("cross-link", actor, "GET", url, 200,
                             f"links {m._meta.label} #{rpk}, which it cannot open")
    else:
        text_of(r)
        if pk in view and r.status_code in (403, 404):
            run.note("over-restricted", actor, "GET", url, r.status_code, f"refuses {describe(model, pk)}")
    for action, scope, page_name in (("change", change, "edit"), ("delete", delete, "delete")):
        url = reverse(ui.url_name(page_name), args=[pk])
        r = request(run, actor, "GET", url)
        run.check(actor)
        text_of(r)
        if r.status_code == 200 and pk not in scope:
            run.fail("wrong write", actor, "GET", url, 200,
                     f"the {page_name} page opens for {describe(model, pk)}, outside its {action} scope")


def export_rows(data: bytes, fmt: str) -> Counter:
    if fmt == "csv":
        return Counter(tuple(row) for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    import python_calamine as pc  # the reader the import engine uses

    workbook = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    rows = Counter()
    for name in workbook.sheet_names:
        for row in workbook.get_sheet_by_name(name).to_python():
            rows[(name, *("" if v is None else str(v) for v in row))] += 1
    return rows


def check_exports(run, actors, scopes, only=""):
    from django.urls import reverse
    from django.utils import translation

    from doluong.imports import export
    from doluong.imports import spec as import_specs

    expected_cache = {}
    for spec in import_specs.all_specs():
        model = spec.model
        if only and only not in model._meta.label.lower():
            continue
        for actor in actors:
            view = scopes.pks(model, actor, "view")
            for fmt in ("csv", "xlsx"):
                url = reverse("imports:export", args=[spec.kind])
                r = request(run, actor, "GET", url, data={"format": fmt})
                run.check(actor)
                data = body(r)
                if r.status_code != 200:
                    continue
                got = export_rows(data, fmt)
                key = (spec.kind, fmt, hash(view))
                if key not in expected_cache:
                    qs = scopes.queryset(model, actor, "view")
                    with translation.override("vi"):
                        stream = (export.csv_stream(spec, qs, "vi") if fmt == "csv"
                                  else export.xlsx_stream(spec, qs, "vi"))
                        expected_cache[key] = export_rows(b"".join(stream), fmt)
                extra = got - expected_cache[key]
                if extra:
                    sample_rows = list(extra)[:2]
                    run.fail("leak", actor, "GET", f"{url}?format={fmt}", 200,
                             f"{sum(extra.values())} row(s) beyond the {len(view)} {model._meta.label} it may see, "
                             f"e.g. {sample_rows}")


def check_search(run, actors, scopes, links, only=""):
    from django.urls import reverse

    from doluong.core import ui as registry

    url = reverse("search")
    for actor in actors:
        terms = []
        for ui in registry.all_registered():
            if not ui.menu_group or (only and only not in ui.model._meta.label.lower()):
                continue
            view = scopes.pks(ui.model, actor, "view")
            hidden = [pk for pk in ui.model._default_manager.order_by("-pk").values_list("pk", flat=True)
                      if pk not in view][:1]
            for pk in hidden:
                words = search_words(ui.model, pk)
                if words:
                    terms.append(words)
        for q in ["yen bai", *terms]:
            r = request(run, actor, "GET", url, data={"q": q})
            run.check(actor)
            if r.status_code != 200:
                text_of(r)
                continue
            for m, pk in set(links.found(text_of(r))):
                if pk not in scopes.pks(m, actor, "view"):
                    run.fail("leak", actor, "GET", f"{url}?q={q}", 200,
                             f"finds {describe(m, pk)}{owner_text(m, pk, actor)}")


def check_api(run, actors, scopes, only=""):
    from doluong.api.registry import all_apis

    for api in all_apis():
        model = api.ui.model
        if only and only not in model._meta.label.lower():
            continue
        objs = sample(model, actors, scopes)
        base = f"/api/{api.prefix}/"
        for actor in actors:
            view = scopes.pks(model, actor, "view")
            for token in ((False, True) if actor.user is not None else (False,)):
                r = request(run, actor, "GET", base, data={"page_size": 250}, token=token)
                run.check(actor)
                how = "token" if token else "session"
                if r.status_code == 200:
                    payload = json.loads(body(r))
                    rows = payload.get("results", []) if isinstance(payload, dict) else payload
                    ids = {row.get("id") for row in rows}
                    for pk in sorted(ids - view)[:5]:
                        run.fail("leak", actor, "GET", f"{base}?page_size=250 ({how})", 200,
                                 f"returns {describe(model, pk)}{owner_text(model, pk, actor)}")
                else:
                    body(r)
                    if scopes.can(model, actor, "view") and actor.user is not None:
                        run.note("over-restricted", actor, "GET", base, r.status_code, f"API list refused ({how})")
            for pk in objs:
                url = f"{base}{pk}/"
                r = request(run, actor, "GET", url, token=actor.user is not None)
                run.check(actor)
                body(r)
                if r.status_code == 200 and pk not in view:
                    run.fail("leak", actor, "GET", url, 200,
                             f"returns {describe(model, pk)}{owner_text(model, pk, actor)}")
                elif r.status_code in (403, 404) and pk in view:
                    run.note("over-restricted", actor, "GET", url, r.status_code, f"refuses {describe(model, pk)}")


# --- other routes ----------------------------------------------------------------------------------------------

@dataclass
class Route:
    name: str
    route: str
    params: list
    module: str
    model: object = None
    values: dict = field(default_factory=dict)   # str param -> candidate values


# Routes whose arguments are a one-time token, not an object id (Django's own password-reset link).
PUBLIC_TOKEN_ROUTES = {"accounts:password_reset_confirm"}
PARAM_RE = re.compile(r"<(?:(\w+):)?(\w+)>")


def walk(patterns, prefix="", namespace=""):
    from django.urls import URLPattern, URLResolver

    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or ""
            inner = f"{namespace}:{ns}".strip(":") if ns else namespace
            yield from walk(p.url_patterns, prefix + str(p.pattern), inner)
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}".strip(":") if p.name else ""
            callback = p.callback
            module = getattr(getattr(callback, "view_class", callback), "__module__", "")
            yield name, prefix + str(p.pattern), module


def routes_to_check(run):
    """Every URL pattern but the registry's generated ones and the API router's; the model each id names."""
    from django.apps import apps
    from django.urls import get_resolver

    from doluong.api.registry import all_apis
    from doluong.core import ui as registry
    from doluong.reports.models import GeneratedDocument, PlanDocument

    generated = set()
    for ui in registry.all_registered():
        generated |= {ui.url_name(v) for v in ("", "list", "add", "lookup", "edit", "delete")}
    api_names = {f"api:{a.basename}-" for a in all_apis()}
    overrides = {"reports_flow:generate": PlanDocument, "reports_flow:suggest": PlanDocument,
                 "reports_flow:generation": GeneratedDocument, "reports_flow:download": GeneratedDocument,
                 "notices_flow:read": apps.get_model("notices", "Notification")}
    ours = [m for m in apps.get_models() if m.__module__.startswith("doluong.")]
    routes = []
    for name, route, module in walk(get_resolver().url_patterns):
        if name in generated or any(name.startswith(a) for a in api_names) or not name or name in PUBLIC_TOKEN_ROUTES:
            continue
        if route.startswith("^") or "(?P<" in route:  # a regex route outside the router
            run.unmapped.append(f"{name} {route}: a regular-expression route")
            continue
        params = PARAM_RE.findall(route)
        r = Route(name, route, params, module)
        int_params = [n for conv, n in params if conv == "int"]
        if int_params:
            if name in overrides:
                r.model = overrides[name]
            else:
                segment = route.split("<")[0].rstrip("/").split("/")[-1] if not route.startswith("<") else ""
                if not segment:  # e.g. notices/<int:pk>/read/: the mount point names it
                    segment = route.split("/")[0]
                seg = segment.lower().replace("-", "").replace("_", "")
                names = {seg, seg.rstrip("s")}
                candidates = ([m for m in ours if m._meta.model_name in names]
                              or [m for m in ours if any(m._meta.model_name.endswith(n) for n in names)])
                app = module.split(".")[1] if module.count(".") >= 1 else ""
                same_app = [m for m in candidates if m._meta.app_label == app]
                pick = same_app if len(same_app) == 1 else candidates
                if len(pick) == 1:
                    r.model = pick[0]
                else:
                    run.unmapped.append(f"{name} {route}: candidates {[m._meta.label for m in candidates]}")
                    continue
        for conv, pname in params:
            if conv == "int":
                continue
            values = str_values(name, pname)
            if values is None:
                run.unmapped.append(f"{name} {route}: no values for <{pname}>")
                break
            r.values[pname] = values
        else:
            routes.append(r)
    return routes


def str_values(name, pname):
    from doluong.imports import spec as import_specs

    if pname == "what":
        from doluong.inspections.views import CHILDREN

        return list(CHILDREN)
    if pname == "field":
        from doluong.reports.views import FILE_FIELDS

        return list(FILE_FIELDS)
    if pname == "kind" and name.startswith("reports_flow"):
        from doluong.reports.models import DocumentKind

        return [k for k, _label in DocumentKind.choices]
    if pname == "kind":
        return [s.kind for s in import_specs.all_specs()]
    if pname == "code":
        from doluong.indicators.models import Indicator

        return list(Indicator.objects.order_by("code").values_list("code", flat=True))
    if pname in ("uidb64", "token"):  # the password-reset link: public, checked by Django's tests
        return None
    return None


def required_scope(route: Route, values: dict):
    """What an open form page of this route needs: (model, action) — a change of the target by default."""
    from doluong.reports.models import PlanDocument

    if route.name == "inspections_flow:child_add":
        from doluong.inspections.views import CHILDREN

        return CHILDREN[values["what"]], "add"
    if route.name == "reports_flow:new":
        return PlanDocument, "add"
    return route.model, "change"


LISTING = {"home": ("instruments.Instrument", "records.ServiceRecord"), "search": "*",
           "imports:batch_list": ("imports.ImportBatch",), "api:tokens": ("api.ApiToken",),
           "notices_flow:inbox": ("notices.Notification",), "records_flow:recall": ("records.ServiceRecord",),
           "accounts:signin_log": "*"}


def is_write(route: Route) -> bool:
    last = route.name.split(":")[-1]
    return any(w in last.split("_") or last.startswith(w) or last.endswith(w) for w in WRITE_WORDS)


def check_routes(run, actors, scopes, links, routes, only=""):
    import itertools

    from django.apps import apps
    from django.urls import reverse

    for route in routes:
        if only and only not in route.name:
            continue
        str_names = list(route.values)
        combos = [dict(zip(str_names, c, strict=True))
                  for c in itertools.product(*(route.values[n] for n in str_names))]
        int_names = [n for conv, n in route.params if conv == "int"]
        listed = LISTING.get(route.name, ())
        listed_models = "*" if listed == "*" else {apps.get_model(x) for x in listed}
        fact_model = None
        objs = sample(route.model, actors, scopes) if route.model is not None else [None]
        for actor in actors:
            for values in combos:
                if route.name == "indicators_flow:facts":
                    fact_model = facts_model(values["code"])
                for pk in objs:
                    kwargs = dict(values)
                    for n in int_names:
                        kwargs[n] = pk
                    try:
                        url = reverse(route.name, kwargs=kwargs)
                    except Exception as exc:
                        run.unmapped.append(f"{route.name} {kwargs}: {exc!r}")
                        continue
                    r = request(run, actor, "GET", url)
                    run.check(actor)
                    if r.status_code != 200:
                        # (a 404 here may have other reasons than access: no DCC for a verification, no file yet…)
                        text_of(r)
                        continue
                    page = text_of(r)
                    if pk is not None:
                        if pk not in scopes.pks(route.model, actor, "view"):
                            run.fail("leak", actor, "GET", url, 200,
                                     f"opens for {describe(route.model, pk)}{owner_text(route.model, pk, actor)}")
                            continue
                        if is_write(route):
                            model, action = required_scope(route, values)
                            allowed = (scopes.can(model, actor, action) if model is not route.model
                                       else pk in scopes.pks(model, actor, action))
                            if not allowed:
                                run.fail("wrong write", actor, "GET", url, 200,
                                         f"the form opens on {describe(route.model, pk)} without {action} on "
                                         f"{model._meta.label}")
                    elif is_write(route) and route.name.startswith("imports:"):
                        from doluong.imports import spec as import_specs

                        spec = import_specs.get(values.get("kind"))
                        if spec is not None and not (scopes.can(spec.model, actor, "add")
                                                     or scopes.can(spec.model, actor, "change")):
                            run.fail("wrong write", actor, "GET", url, 200, f"the {spec.kind} import opens")
                    if not page:
                        continue
                    found = set(links.found(page))
                    for m, rpk in found:
                        if rpk in scopes.pks(m, actor, "view"):
                            continue
                        if listed_models == "*" or m in listed_models or m is fact_model:
                            run.fail("leak", actor, "GET", url, 200,
                                     f"lists {describe(m, rpk)}{owner_text(m, rpk, actor)}")
                        else:
                            run.note("cross-link", actor, "GET", url, 200,
                                     f"links {m._meta.label} #{rpk}, which it cannot open")


def facts_model(code):
    import datetime as dt

    from doluong.indicators.computations import REGISTRY
    from doluong.indicators.models import Indicator

    indicator = Indicator.objects.filter(code=code).first()
    comp = REGISTRY.get(indicator.computation) if indicator else None
    try:
        return comp.facts(dt.date.today()).model if comp else None
    except Exception:
        return None


# --- writes ----------------------------------------------------------------------------------------------------

class FormParser(html.parser.HTMLParser):
    """The controls of the POST forms of a page: name → values (as a browser would send them)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self.current, self.select, self.textarea = [], None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self.current = {"action": a.get("action"), "data": defaultdict(list), "text": set()}
            self.forms.append(self.current)
        if self.current is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.current["data"][name].append(a.get("value", "on"))
            elif kind not in ("submit", "button", "file", "image", "reset"):
                self.current["data"][name].append(a.get("value", ""))
                if kind == "text":
                    self.current["text"].add(name)
        elif tag == "select" and name:
            self.select = (name, "multiple" in a, [], None)
        elif tag == "option" and self.select is not None:
            name, multiple, chosen, first = self.select
            value = a.get("value", "")
            if first is None:
                self.select = (name, multiple, chosen, value)
            if "selected" in a:
                chosen.append(value)
        elif tag == "textarea" and name:
            self.textarea = name
            self.current["data"][name].append("")
            self.current["text"].add(name)

    def handle_endtag(self, tag):
        if tag == "select" and self.select is not None and self.current is not None:
            name, multiple, chosen, first = self.select
            self.current["data"][name].extend(chosen if chosen or multiple else [first or ""])
            self.select = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "form":
            self.current = None

    def handle_data(self, data):
        if self.textarea and self.current is not None:
            self.current["data"][self.textarea][-1] += data


def form_of(page: str):
    p = FormParser()
    p.feed(page)
    forms = [f for f in p.forms if "csrfmiddlewaretoken" in f["data"] and len(f["data"]) > 1]
    return max(forms, key=lambda f: len(f["data"])) if forms else None


def text_field(model, form):
    from django.core.exceptions import FieldDoesNotExist
    from django.db import models

    unique = {f.name for f in model._meta.concrete_fields if f.unique}
    for name in sorted(form["text"]):
        try:
            f = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if isinstance(f, models.CharField | models.TextField) and not f.choices and name not in unique \
                and not isinstance(f, models.EmailField | models.URLField):
            return f
    return None


def row_state(model, pk):
    return model._default_manager.filter(pk=pk).values().first()


def history_mark():
    from doluong.core.models import ObjectChange

    return ObjectChange.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def writes_outside_scope(actor, scopes, since) -> list:
    """History rows written after ``since`` for objects outside the actor's scope of that kind of write."""
    from doluong.core.models import ObjectChange

    out = []
    for row in ObjectChange.objects.filter(pk__gt=since).select_related("content_type"):
        model = row.content_type.model_class()
        action = {"create": "add", "update": "change", "delete": "delete"}.get(row.action, row.action)
        if model is None:
            continue
        if action == "delete":
            out.append(f"deleted {model._meta.label} #{row.object_id}")
            continue
        scopes.forget(model)
        if row.object_id not in scopes.pks(model, actor, action):
            out.append(f"{row.action} of {model._meta.label} #{row.object_id}")
    return out


def check_writes(run, actors, scopes, officer, posts, only=""):
    from django.urls import reverse

    from doluong.api.registry import all_apis
    from doluong.core import ui as registry

    apis = {a.ui.model: a for a in all_apis()}
    for ui in registry.all_registered():
        model = ui.model
        if only and only not in model._meta.label.lower():
            continue
        for actor in actors:
            if actor.role == "officer":
                continue
            view, change, delete = (scopes.pks(model, actor, a) for a in ("view", "change", "delete"))
            everything = set(model._default_manager.order_by("-pk").values_list("pk", flat=True)[:5000])
            targets = sorted(view - change)[-max(1, posts - 1):] + sorted(everything - view)[-1:]
            for pk in targets[:posts]:
                # the edit form, posted back with the officer's values and one text changed
                url = reverse(ui.url_name("edit"), args=[pk])
                page = officer.client.get(url)
                form = form_of(text_of(page)) if page.status_code == 200 else None
                data = dict(form["data"]) if form else {}
                changed = text_field(model, form) if form else None
                if changed is not None:
                    value = (data.get(changed.name) or [""])[0] + " ✎ matrix"
                    data[changed.name] = [value[: changed.max_length or None]]
                before, mark = row_state(model, pk), history_mark()
                r = request(run, actor, "POST", url, data=data)
                run.check(actor)
                text_of(r)
                after = row_state(model, pk)
                if not refused(actor, r) or before != after:
                    run.fail("wrong write", actor, "POST", url, r.status_code,
                             f"edit of {describe(model, pk)} outside its change scope: "
                             f"{'row changed' if before != after else 'not refused'}")
                for w in writes_outside_scope(actor, scopes, mark):
                    run.fail("wrong write", actor, "POST", url, r.status_code, w)
                # the delete, confirmed
                if pk not in delete:
                    url = reverse(ui.url_name("delete"), args=[pk])
                    mark = history_mark()
                    r = request(run, actor, "POST", url, data={"confirm": "1"})
                    run.check(actor)
                    text_of(r)
                    if not refused(actor, r) or row_state(model, pk) is None:
                        run.fail("wrong write", actor, "POST", url, r.status_code,
                                 f"delete of {describe(model, pk)} outside its delete scope: "
                                 f"{'deleted' if row_state(model, pk) is None else 'not refused'}")
                    for w in writes_outside_scope(actor, scopes, mark):
                        run.fail("wrong write", actor, "POST", url, r.status_code, w)
                # the API
                api = apis.get(model)
                if api is None or actor.user is None:
                    continue
                url = f"/api/{api.prefix}/{pk}/"
                payload = {changed.name: "✎ matrix"} if changed is not None else {}
                for method in ("PATCH", "DELETE"):
                    before, mark = row_state(model, pk), history_mark()
                    r = request(run, actor, method, url, token=True, json_body=payload if method == "PATCH" else {})
                    run.check(actor)
                    body(r)
                    after = row_state(model, pk)
                    if r.status_code not in (403, 404) or before != after:
                        run.fail("wrong write", actor, method, url, r.status_code,
                                 f"API {method.lower()} of {describe(model, pk)}: "
                                 f"{'row changed' if before != after else 'not refused'}")
                    for w in writes_outside_scope(actor, scopes, mark):
                        run.fail("wrong write", actor, method, url, r.status_code, w)


def check_workflow_posts(run, actors, scopes, routes, posts, only=""):
    """Every workflow route posted on objects the actor may not change: nothing outside its scope may change."""
    import datetime as dt

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    today = dt.date.today().strftime("%d/%m/%Y")
    for route in routes:
        if route.model is None or not is_write(route) or (only and only not in route.name):
            continue
        combos = [dict(zip(route.values, c, strict=True)) for c in
                  __import__("itertools").product(*route.values.values())] or [{}]
        int_names = [n for conv, n in route.params if conv == "int"]
        for actor in actors:
            if actor.role == "officer":
                continue
            model = route.model
            view, change = scopes.pks(model, actor, "view"), scopes.pks(model, actor, "change")
            everything = set(model._default_manager.order_by("-pk").values_list("pk", flat=True)[:5000])
            targets = (sorted(view - change)[-1:] + sorted(everything - view)[-1:])[:posts]
            for pk in targets:
                for values in combos[:2]:
                    kwargs = {**values, **dict.fromkeys(int_names, pk)}
                    url = reverse(route.name, kwargs=kwargs)
                    data = {"decision": "approve", "comment": "matrix", "decision_ref": "1/QĐ", "decision_text": "x",
                            "on": today, "outcome": "matrix", "reason": "matrix", "description": "matrix",
                            "message": "matrix", "confirm": "1", "answer": "accept", "stage": "supporting",
                            "file": SimpleUploadedFile("m.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")}
                    before, mark = row_state(model, pk), history_mark()
                    r = request(run, actor, "POST", url, data=data)
                    run.check(actor)
                    text_of(r)
                    after = row_state(model, pk)
                    grant = WORKFLOW_GRANTS.get((route.name, actor.role))
                    if grant and pk in view:
                        if before != after:
                            run.note("granted", actor, "POST", url, r.status_code,
                                     f"{route.name} changed {describe(model, pk)}: {grant}")
                        continue
                    if before != after:
                        run.fail("wrong write", actor, "POST", url, r.status_code,
                                 f"{route.name} changed {describe(model, pk)}, outside its change scope")
                    for w in writes_outside_scope(actor, scopes, mark):
                        run.fail("wrong write", actor, "POST", url, r.status_code, w)


# --- main -------------------------------------------------------------------------------------------------------

def link_patterns():
    """(regex of the path with the id as group, model) for the registry's detail pages and every object route."""
    from django.urls import reverse

    from doluong.core import ui as registry

    out = []
    for ui in registry.all_registered():
        path = reverse(ui.url_name(), args=[987654321])
        out.append((re.escape(path).replace("987654321", r"(\d+)"), ui.model))
    return out


def route_link_patterns(routes):
    from django.urls import reverse

    out = []
    for r in routes:
        int_names = [n for conv, n in r.params if conv == "int"]
        if r.model is None or len(int_names) != 1:
            continue
        values = {n: v[0] for n, v in r.values.items()}
        path = reverse(r.name, kwargs={**values, int_names[0]: 987654321})
        rx = re.escape(path).replace("987654321", r"(\d+)")
        for v in r.values.values():
            rx = rx.replace(re.escape(str(v[0])), "[^/\"]+", 1) if len(v) > 1 else rx
        out.append((rx, r.model))
    return out


COLUMNS = (("checks", "checks"), ("leaks", "leaks"), ("wrong writes", "wrong_writes"), ("500s", "errors"),
           ("over-restricted", "over_restricted"), ("cross-links", "cross_links"), ("granted", "granted"),
           ("GET writes", "get_writes"))


def report(run, seconds) -> int:
    width = max(len(a.label) for a in run.actors)
    head = f"{'user':{width}}" + "".join(f"  {title:>{max(len(title), 6)}}" for title, _name in COLUMNS)

    def line(label, t):
        return f"{label:{width}}" + "".join(f"  {getattr(t, name):>{max(len(title), 6)}}" for title, name in COLUMNS)

    print()
    print(head)
    print("-" * len(head))
    total = Tally()
    for a in run.actors:
        t = run.tally(a)
        print(line(a.label, t))
        for _title, name in COLUMNS:
            setattr(total, name, getattr(total, name) + getattr(t, name))
    print("-" * len(head))
    print(line("total", total))
    print(f"\n{run.requests} requests in {seconds:.0f} s.")
    if run.unmapped:
        print(f"\nROUTES NOT CHECKED ({len(run.unmapped)}): say which model their id names (bench/access_matrix.py)")
        for u in run.unmapped:
            print("  " + u)
    if run.failures:
        print(f"\nFAILURES ({len(run.failures)}):")
        for kind, who, method, url, status, text in run.failures:
            print(f"  [{kind}] {who}: {method} {url} → {status}: {text}")
    if run.notes:
        print(f"\nNOTES (not failures; {len(run.notes)}), grouped:")
        grouped = Counter()
        example = {}
        for kind, who, method, url, status, text in run.notes:
            key = (kind, re.sub(r"\d+", "N", url), re.sub(r"#\d+.*", "", text.split(" which")[0])[:70])
            grouped[key] += 1
            example.setdefault(key, f"{who}: {method} {url} → {status}: {text}")
        for key, n in sorted(grouped.items(), key=lambda kv: (kv[0][0], -kv[1]))[:60]:
            print(f"  [{key[0]}] ×{n}  e.g. {example[key]}")
        if len(grouped) > 60:
            print(f"  … {len(grouped) - 60} more groups")
    bad = total.leaks + total.wrong_writes + total.errors + len(run.unmapped)
    print(f"\nRESULT: {total.checks} checks, {total.leaks} leaks, {total.wrong_writes} wrong writes, "
          f"{total.errors} HTTP 500s{', ' + str(len(run.unmapped)) + ' routes not checked' if run.unmapped else ''}.")
    return 1 if bad else 0


def sabotage(log) -> None:
    """Break two pages on purpose, to see the matrix catch it (``--sabotage``): records read without restriction
    (detail, list, lookup, CSV/XLSX export), instruments' edit pages opened to whoever may view them (and the write
    path's scope check off, so that their posts go through)."""
    from doluong.core import access, writes
    from doluong.core import views as core_views
    from doluong.imports import views as import_views
    from doluong.instruments.models import Instrument
    from doluong.records.models import ServiceRecord

    base_queryset = core_views.ModelView.base_queryset
    exported_queryset = import_views.exported_queryset

    def broken_base_queryset(self):
        if self.ui.model is ServiceRecord and self.action == "view":
            return ServiceRecord.objects.all()
        if self.ui.model is Instrument and self.action == "change":
            return access.restrict(Instrument.objects.all(), self.request.user, "view")
        return base_queryset(self)

    def broken_exported_queryset(spec, request):
        return ServiceRecord.objects.all() if spec.model is ServiceRecord else exported_queryset(spec, request)

    core_views.ModelView.base_queryset = broken_base_queryset
    import_views.exported_queryset = broken_exported_queryset
    writes._check_within = lambda obj, user, action: None  # and the write path's own check switched off
    log("SABOTAGE: records readable by everyone signed in, instruments' edit pages open to their readers, "
        "the write path's scope check off")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a PostgreSQL server (postgres://user@host:5432/name): a new database "
                                               "<name>_matrix_<pid> is created there and dropped at the end")
    parser.add_argument("--scale", type=float, default=0.05, help="demo size (1 = 10 000 instruments); default 0.05")
    parser.add_argument("--posts", type=int, default=2, help="write attempts per model, user and kind (default 2)")
    parser.add_argument("--keep", metavar="DIR", help="keep the SQLite file / uploads in DIR (and the PG database)")
    parser.add_argument("--reuse", action="store_true", help="with --keep: use the database built by an earlier run")
    parser.add_argument("--only", default="", help="only models / routes whose label or name contains this text")
    parser.add_argument("--sabotage", action="store_true", help="break two pages on purpose: the run must fail")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that the temporary database is removed
    state = prepare_environment(args)
    log = lambda text: print(text, flush=True)  # noqa: E731
    try:
        import django

        django.setup()
        logging.getLogger("django.request").setLevel(logging.CRITICAL)
        logging.getLogger("django.security").setLevel(logging.CRITICAL)
        from django.conf import settings
        from django.core.signals import got_request_exception
        from django.db import connection
        from django.test import Client

        settings.MEDIA_ROOT = state["work"] / "media"
        started = time.perf_counter()
        from doluong.orgs.models import User

        marker = state["work"] / "matrix-built"
        fresh = not (args.reuse and args.keep and marker.exists() and connection.introspection.table_names()
                     and User.objects.filter(username__startswith="matrix-").exists())
        if fresh:
            build(args, log)
        from doluong.core.roles import Role

        orgs = pick_orgs()
        actors = make_actors(orgs)
        run = Run(actors, verbose=args.verbose)
        if fresh:
            complete(actors, run, log)
            marker.write_text(time.strftime("%Y-%m-%d %H:%M:%S"))
        else:
            for a in actors:
                if a.user is not None:
                    _token(a)
        log(f"database: {connection.vendor}; built in {time.perf_counter() - started:.0f} s; users: "
            + ", ".join(f"{a.label}={a.org}" if a.org else a.label for a in actors))
        for who, org, empty in run.coverage:
            if empty:
                log(f"  {who} ({org}) owns no {', '.join(empty)}")

        def keep_exception(sender, request=None, **kwargs):
            run.last_exception = sys.exc_info()[1]

        got_request_exception.connect(keep_exception, weak=False)
        for a in actors:
            a.client = Client(raise_request_exception=False)
            a.token_client = Client(raise_request_exception=False)
            if a.user is not None:
                a.client.force_login(a.user)
                a.token_client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {a.token_key}"
        officer = next(a for a in actors if a.role == Role.OFFICER)
        scopes = Scopes()
        run.scopes = scopes
        if args.sabotage:
            sabotage(log)
        routes = routes_to_check(run)
        links = Links(link_patterns() + route_link_patterns(routes))
        t0 = time.perf_counter()
        steps = [("registry pages", lambda: check_registry(run, actors, scopes, links, args.only)),
                 ("exports", lambda: check_exports(run, actors, scopes, args.only)),
                 ("search", lambda: check_search(run, actors, scopes, links, args.only)),
                 ("API", lambda: check_api(run, actors, scopes, args.only)),
                 ("other routes", lambda: check_routes(run, actors, scopes, links, routes, args.only)),
                 ("writes", lambda: check_writes(run, actors, scopes, officer, args.posts, args.only)),
                 ("workflow posts", lambda: check_workflow_posts(run, actors, scopes, routes, args.posts, args.only))]
        for name, step in steps:
            s0, n0 = time.perf_counter(), run.requests
            step()
            log(f"{name}: {run.requests - n0} requests, {time.perf_counter() - s0:.0f} s")
        return report(run, time.perf_counter() - t0)
    finally:
        cleanup(state, keep_db=bool(args.keep))


if __name__ == "__main__":
    sys.exit(main())
