"""The import engine: file → rows → parsed, resolved, validated batches → one set-based write each.

One import runs in one transaction (a process killed half-way leaves the database as it was).
Rows are read as a stream and handled in batches of ``batch_size``: each batch costs a constant
number of queries (steps load their lookup maps for the batch, existing objects are matched by
natural key in one join, new rows are written with one COPY + INSERT, changed rows with one COPY
+ UPDATE, their history with one bulk INSERT), so memory is bounded by the batch and the number
of queries grows with the number of batches, not rows.

Policies: *all or nothing* (any rejected row rolls everything back) or *keep good* (rejected rows
are skipped and returned in a file with an error column). A preview (dry run) validates and
classifies every row and writes nothing.
"""

import hashlib
import json
import logging
import os
import queue
import sys
import tempfile
import threading
import uuid
from bisect import bisect_right
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from itertools import islice
from operator import itemgetter
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from doluong.core import access, writes
from doluong.core import rules as core_rules
from doluong.core.changelog import change_context, safe_repr, to_json
from doluong.core.text import fold
from doluong.imports import db, readers, values
from doluong.imports import spec as spec_module
from doluong.imports.models import ImportBatch, Policy, Status, id_runs, merge_runs
from doluong.imports.spec import Batch, ImportSpec

log = logging.getLogger(__name__)
MAX_ERRORS_KEPT = 1000
OUR_COLUMNS = {fold("Dòng"), fold("Lỗi"), "row", "error", "errors"}


MEMO_LIMIT = 50_000
MEMO_PROBE = 20_000  # rows read before deciding for each column whether its memo is worth keeping
ANALYZE_AFTER = 50_000  # rows written by one import after which the table's planner statistics are refreshed
READ_SLICE = 200  # rows the reader thread reads and parses between two looks at its gate
_MISS = object()


class _Bad:
    """A cell that could not be parsed (kept in the per-column memo like a value)."""

    __slots__ = ("message", "params", "show_value")

    def __init__(self, message: str, params: dict | None = None, show_value: bool = True):
        self.message = message
        self.params = params or {}
        self.show_value = show_value


_REQUIRED = _Bad(gettext_noop("a value is required"), show_value=False)


class ImportRefused(Exception):
    """The user may not import this kind at all."""


@dataclass
class Outcome:
    batch: ImportBatch
    errors: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.batch.status in (Status.DONE, Status.PREVIEWED)


def file_digest(path) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def progress_path(batch_uuid) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / "progress" / f"{batch_uuid}.json"


def read_progress(batch_uuid) -> dict | None:
    try:
        return json.loads(progress_path(batch_uuid).read_text())
    except (OSError, ValueError):
        return None


def _write_progress(batch_uuid, **data) -> None:
    """Progress lives in a small file, not in the database: the import's transaction is not visible
    to the page that polls until it commits."""
    path = progress_path(batch_uuid)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data))
    os.replace(tmp, path)


def translate(message: str, params: dict) -> str:
    text = _(message)
    return text % params if params else text


class Importer:
    def __init__(self, spec: ImportSpec, *, user=None, policy: str = Policy.ALL_OR_NOTHING, dry_run: bool = False,
                 batch_size: int | None = None, language: str = "vi", batch: ImportBatch | None = None,
                 progress=None, sheet=None):
        self.spec = spec
        self.user = user
        self.policy = policy
        self.dry_run = dry_run
        self.batch_size = batch_size or (10_000 if db.is_postgres() else 2_000)
        self.language = language
        self.batch = batch
        self.progress = progress
        self.sheet = sheet
        self.model = spec.model
        self.errors: list[dict] = []
        self.rejected = 0
        self.counts = {"created": 0, "changed": 0, "unchanged": 0}
        self.created_runs: list[list[int]] = []
        # In-file duplicates. The keys of the last two batches are kept (the one being written may not be in
        # the table yet); an earlier row is found in the table, where its id is among those this import
        # created or its key among those it changed. Memory so stays bounded by the batch, except for the
        # keys of changed rows and of batches that are not written (a preview keeps them all).
        self._window: deque[list[set]] = deque(maxlen=2)
        self._changed_keys: list[set] = [set() for _ in spec.natural_key]
        self._unwritten: list[set] = [set() for _ in spec.natural_key]
        self._error_book = None
        self._plan = None
        self._gate = threading.Event()  # open while the importing thread waits: the reader may work
        self._writer: ThreadPoolExecutor | None = None
        self._pending: tuple[Future, list[dict]] | None = None  # a write in flight and its rows
        self.context: dict = {"user": user, "spec": spec}
        self.touched = writes.Touched(self.model)
        self._new_runs: list[tuple[int, int]] = []

    # --- entry point ------------------------------------------------------------------------------

    def run(self, path, *, file_name: str | None = None) -> Outcome:
        with translation.override(self.language):
            return self._run(Path(path), file_name or Path(path).name)

    def _run(self, path: Path, file_name: str) -> Outcome:
        self._check_role()
        sha, size = file_digest(path)
        with transaction.atomic():
            batch = self.batch or ImportBatch(file_name=file_name[:255])
            batch.kind = self.spec.kind
            batch.content_type = ContentType.objects.get_for_model(self.model)
            batch.user = self.user if getattr(self.user, "pk", None) else None
            batch.user_name = getattr(self.user, "username", "") or ""
            batch.sha256, batch.size = sha, size
            batch.policy, batch.dry_run = self.policy, self.dry_run
            batch.status = Status.RUNNING
            batch.save()
            self.batch = batch
            db.tune_transaction()
            try:
                with transaction.atomic():
                    self._import(path)
                    self._check_created_within_province()
                    if self.dry_run or (self.rejected and self.policy == Policy.ALL_OR_NOTHING):
                        transaction.set_rollback(True)
                if self.dry_run:
                    batch.status = Status.PREVIEWED
                elif self.rejected and self.policy == Policy.ALL_OR_NOTHING:
                    batch.status = Status.REJECTED
                else:
                    batch.status = Status.DONE
                    batch.created_ids = self.created_runs
            except readers.FileProblem as problem:
                batch.status = Status.FAILED
                batch.message = translate(problem.message, problem.params)
                self.counts = {"created": 0, "changed": 0, "unchanged": 0}
            batch.created_count = self.counts["created"]
            batch.changed_count = self.counts["changed"]
            batch.unchanged_count = self.counts["unchanged"]
            batch.rejected_count = self.rejected
            batch.errors = self.errors[:MAX_ERRORS_KEPT]
            batch.finished = timezone.now()
            self._close_error_book(batch)
            batch.save()
            db.untune_transaction()
        _write_progress(batch.uuid, processed=batch.processed, total=batch.total, done=True, status=batch.status)
        return Outcome(batch=batch, errors=self.errors)

    def _check_created_within_province(self) -> None:
        """New rows are checked against the user's organisation rule before they are written; their province
        (``core.access.province_q``) once they are: an object placed outside the user's province refuses the
        whole import (nothing is kept)."""
        if self.user is None or not self.created_runs:
            return
        limit = access.province_q(self.model, self.user)
        if not limit:
            return
        created = Q()
        for first, last in self.created_runs:
            created |= Q(pk__gte=first, pk__lte=last)
        rows = self.model._default_manager.filter(created)
        outside = rows.count() - rows.filter(limit).count()
        if outside:
            raise ImportRefused(ngettext(
                "%(n)d row places its object outside your province; nothing was imported.",
                "%(n)d rows place their objects outside your province; nothing was imported.", outside) % {
                    "n": outside})

    def _check_role(self) -> None:
        if self.user is None:
            return  # the command line without --user acts as the system
        if not access.can(self.user, self.model, "add") and not access.can(self.user, self.model, "change"):
            raise ImportRefused(_("You may not import %(what)s.") % {"what": self.model._meta.verbose_name_plural})

    # --- reading ----------------------------------------------------------------------------------

    def _import(self, path: Path) -> None:
        header_map = self.spec.header_map()

        def score(cells) -> int:
            return sum(1 for c in cells if isinstance(c, str) and fold(c) in header_map)

        table = readers.open_table(path, sheet=self.sheet, header_match=score)
        self.batch.format = table.format
        notices = [translate(m, p) for m, p in table.notices]
        columns: list[tuple[int, object]] = []
        used = set()
        for i, header in enumerate(table.header):
            key = fold(header)
            col = header_map.get(key)
            if not key:
                continue
            if col is None:
                if key not in OUR_COLUMNS:
                    notices.append(_("Column “%(name)s” is not used and was ignored.") % {"name": header})
                continue
            if col.name in used:
                notices.append(_("Column “%(name)s” appears twice; the first one is used.") % {"name": header})
                continue
            used.add(col.name)
            columns.append((i, col))
        missing = [c for c in self.spec.columns if c.required and c.name not in used]
        owner = access.owner_field(self.model, self.user, "add") if self.user is not None else None
        missing = [c for c in missing if not (owner and c.name.startswith(owner))]
        if missing:
            raise readers.FileProblem(gettext_noop("Required columns are missing: %(names)s. Download the template "
                                                   "to see them."),
                                      names=", ".join(c.header() for c in missing))
        self.header = table.header
        self.columns = columns
        self.batch.notices = notices
        self.context["present"] = used
        rows = enumerate(table.rows, start=table.first_row)
        processed = 0
        if self.spec.overlap_writes and db.is_postgres() and not self.dry_run:
            self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="doluong-import-writer")
        with closing(self._parsed_batches(rows)) as batches, self._writing():
            for size, parsed, bad in batches:
                for row, column, problem, raw in bad:
                    self._reject(row, column, problem.message, raw if problem.show_value else "", problem.params)
                self._handle(parsed)
                processed += size
                self.batch.processed = self.batch.total = processed
                _write_progress(self.batch.uuid, processed=processed, created=self.counts["created"],
                                changed=self.counts["changed"], unchanged=self.counts["unchanged"],
                                rejected=self.rejected, done=False)
                if self.progress:
                    self.progress(processed)
            self._finish_write()
        kept = not self.dry_run and not (self.rejected and self.policy == Policy.ALL_OR_NOTHING)
        if kept:
            self.touched.run()  # the model's follow-ups, once for the whole file (e.g. due dates of instruments)
        if self.spec.after_import and kept:
            self.spec.after_import(self.context)
        if kept and self.counts["created"] + self.counts["changed"] >= ANALYZE_AFTER:
            db.analyze(self.model)  # fresh statistics for the pages that query this table next

    # --- one batch ---------------------------------------------------------------------------------

    def _parsed_batches(self, rows) -> Iterator[tuple[int, list[dict], list[tuple]]]:
        """(rows read, parsed rows, unparseable cells) per batch, read and parsed by a second thread.

        Python runs one thread at a time, so a reader competing with this thread for the interpreter would
        only slow it down. The reader therefore works behind a gate that is open while this thread waits:
        during each database statement (an execute wrapper opens it) and while it waits for the next batch.
        Parsing so fills the database's time. The reader touches no database and no translation; the
        rejections it finds are made here, in row order."""
        for _i, col in self.columns:
            if isinstance(col.parse, values.Choice):
                col.parse.mapping()  # built here, once, with this thread's translations
        handoff: queue.Queue = queue.Queue(maxsize=1)
        stop, gate = threading.Event(), self._gate

        def put(item) -> None:
            while not stop.is_set():
                try:
                    handoff.put(item, timeout=0.1)
                    return
                except queue.Full:
                    continue

        def produce() -> None:
            try:
                while True:
                    size, parsed, bad = 0, [], []
                    while size < self.batch_size:
                        gate.wait()
                        if stop.is_set():
                            return
                        part = list(islice(rows, min(READ_SLICE, self.batch_size - size)))
                        if not part:
                            break
                        size += len(part)
                        self._parse(part, parsed, bad)
                    if size:
                        put(("batch", (size, parsed, bad)))
                    if size < self.batch_size:
                        break
                put(("end", None))
            except BaseException as exc:  # handed over and raised in the importing thread
                put(("error", exc))

        def open_gate(execute, sql, params, many, context):
            gate.set()
            try:
                return execute(sql, params, many, context)
            finally:
                gate.clear()

        switch = sys.getswitchinterval()
        sys.setswitchinterval(min(switch, 0.0005))  # hand the interpreter back soon after a statement returns
        reader = threading.Thread(target=produce, name="doluong-import-reader", daemon=True)
        reader.start()
        try:
            with connection.execute_wrapper(open_gate):
                while True:
                    gate.set()
                    what, item = handoff.get()
                    gate.clear()
                    if what == "end":
                        return
                    if what == "error":
                        raise item
                    yield item
        finally:
            stop.set()
            gate.set()
            reader.join()
            sys.setswitchinterval(switch)

    def _parse(self, chunk: list[tuple[int, list]], parsed: list[dict], bad_cells: list[tuple]) -> None:
        """Parse the cells of ``chunk`` into ``parsed`` (rows) and ``bad_cells``. Text cells are parsed once per
        distinct value and column (a memo: codes, dates, results and owners repeat), so most cells cost one
        lookup. A column whose values do not repeat (certificate numbers) loses its memo once that is clear,
        and no memo grows beyond ``MEMO_LIMIT`` entries."""
        plan = self._plan
        if plan is None:
            plan = self._plan = [(i, col, col.name, {}, MEMO_LIMIT, col.parse is values.text,
                                  col.max_length or 1 << 30) for i, col in self.columns]
            self._rows_read = 0
        self._rows_read += len(chunk)
        if self._rows_read > MEMO_PROBE:
            for n, (i, col, name, memo, limit, plain, longest) in enumerate(plan):
                if limit and len(memo) > 0.9 * self._rows_read:  # nine values in ten are new: no use
                    plan[n] = (i, col, name, {}, 0, plain, longest)
        parse_cell = self._parse_cell
        for number, cells in chunk:
            first = cells[0] if cells else None
            if (first is None or (first.__class__ is str and not first.strip())) and \
                    all(values.is_blank(c) for c in cells):
                continue
            row = {"_row": number, "_raw": cells}
            width = len(cells)
            for i, col, name, memo, limit, plain, longest in plan:
                raw = cells[i] if i < width else None
                if raw.__class__ is str:
                    value = memo.get(raw, _MISS)
                    if value is _MISS:
                        if plain and raw.isascii() and (value := raw.strip()) and value[0] != "'" and \
                                len(value) <= longest:
                            pass  # plain ASCII text: values.text would return it as it is
                        else:
                            value = parse_cell(col, raw)
                        if len(memo) < limit:
                            memo[raw] = value
                else:
                    value = parse_cell(col, raw)
                if value.__class__ is _Bad:
                    bad_cells.append((row, name, value, raw))
                    break
                row[name] = value
            else:
                parsed.append(row)

    def _handle(self, parsed: list[dict]) -> None:
        batch = Batch(parsed, self.context, self._reject_from_step)
        steps = self.spec.steps if spec_module.model_rules in self.spec.steps else (*self.spec.steps,
                                                                                     spec_module.model_rules)
        for step in steps:
            if not batch.rows:
                break
            (self._model_rules if step is spec_module.model_rules else step)(batch)
            batch.flush()
        self._classify_and_write(batch.rows)

    def _model_rules(self, batch: Batch) -> None:
        """The model's declared rules (:mod:`doluong.core.rules`), the same that ``full_clean`` applies to a form,
        on every row; a column the file leaves out takes the stored value of the row's object."""
        declared = core_rules.rules_of(self.model)
        if not declared:
            return
        rows = batch.rows
        many = set(core_rules.m2m_rule_fields(self.model))
        missing = sorted({f for rule in declared for f in rule.fields if f not in rows[0] and f not in many})
        many = sorted(f for f in many if f not in rows[0])
        values = rows
        if missing or many:
            stored: dict[int, dict] = {}
            pks: dict[int, int] = {}
            for n, alternative in enumerate(self.spec.natural_key):
                keyed = {}
                for i, row in enumerate(rows):
                    if i not in stored and (k := self._key_of(row))[0] == n:
                        keyed.setdefault(k[1], []).append(i)
                if keyed:
                    found = db.fetch_by_keys(self.model, tuple(alternative), list(keyed), missing)
                    for key, hit in found.items():
                        for i in keyed.get(key, ()):
                            stored[i] = dict(zip(missing, hit[1:], strict=True))
                            pks[i] = hit[0]
            for name in many:  # a many-to-many a rule reads: the stored ids of the rows' objects (one query)
                link = self.model._meta.get_field(name)
                through = link.remote_field.through
                source, target = link.m2m_field_name(), link.m2m_reverse_field_name()
                ids: dict[int, list] = {}
                for obj_id, other_id in through.objects.filter(**{f"{source}__in": set(pks.values())}).values_list(
                        f"{source}_id", f"{target}_id"):
                    ids.setdefault(obj_id, []).append(other_id)
                for i in range(len(rows)):
                    stored.setdefault(i, {})[name] = ids.get(pks.get(i), [])
            values = [{**stored.get(i, {}), **row} for i, row in enumerate(rows)]
        for i, problem in core_rules.check_rows(self.model, values):
            row = rows[i]
            column = problem.field
            if column not in row:  # the file has the other date: blame the column the user can correct
                column = next((f for rule in declared for f in rule.fields if f in row and problem.field in
                               rule.fields), column)
            batch.reject(row, column, problem.message, **problem.params)

    @staticmethod
    def _parse_cell(col, raw):
        """The typed value of one cell, or a :class:`_Bad` saying why not."""
        if values.is_blank(raw):
            return _REQUIRED if col.required else col.blank_value
        try:
            value = col.parse(raw)
        except values.ValueProblem as exc:
            return _Bad(exc.args[0])
        if col.max_length and isinstance(value, str) and len(value) > col.max_length:
            return _Bad(gettext_noop("too long: at most %(max)s characters"), {"max": col.max_length})
        return value

    def _reject_from_step(self, row, column, message, value, params) -> None:
        self._reject(row, column, message, value, params)

    def _column_header(self, name: str) -> str:
        for i, col in self.columns:
            if col.name == name:
                return self.header[i]
        if name.endswith("_id"):  # a resolved reference (provider_id): the file's column it came from
            for i, col in self.columns:
                if col.name.startswith(name[:-2]):
                    return self.header[i]
        col = next((c for c in self.spec.columns if c.name == name), None)
        return col.header() if col else name

    def _reject(self, row: dict, column: str, message: str, value, params: dict) -> None:
        self.rejected += 1
        reason = translate(message, params)
        error = {"row": row["_row"], "column": self._column_header(column) if column else "",
                 "value": "" if value is None else str(value)[:200], "message": reason}
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(error)
        self._error_row(row, error)

    # --- the rejected rows, as an XLSX file with an error column ---------------------------------

    def _error_row(self, row: dict, error: dict) -> None:
        import xlsxwriter

        if self._error_book is None:
            fd, tmp = tempfile.mkstemp(suffix=".xlsx")
            os.close(fd)
            book = xlsxwriter.Workbook(tmp, {"constant_memory": True, "strings_to_formulas": False,
                                             "strings_to_numbers": False})
            sheet = book.add_worksheet(_("Rejected rows"))
            bold = book.add_format({"bold": True})
            sheet.write_row(0, 0, [_("Row"), _("Error"), *self.header], bold)
            self._error_book = (book, sheet, tmp, [1])
        book, sheet, tmp, line = self._error_book
        message = f"{error['column']}: {error['message']}" if error["column"] else error["message"]
        sheet.write_number(line[0], 0, row["_row"])
        sheet.write_string(line[0], 1, message)
        for j, cell in enumerate(row.get("_raw", ())):
            if cell is None or cell == "":
                continue
            if isinstance(cell, bool):
                sheet.write_boolean(line[0], j + 2, cell)
            elif isinstance(cell, int | float):
                sheet.write_number(line[0], j + 2, cell)
            else:
                sheet.write_string(line[0], j + 2, values.neutralise(values.text(cell)))
        line[0] += 1

    def _close_error_book(self, batch: ImportBatch) -> None:
        if self._error_book is None:
            return
        from django.core.files import File

        book, _sheet, tmp, _line = self._error_book
        book.close()
        with open(tmp, "rb") as f:
            batch.error_file.save(f"{batch.uuid}-errors.xlsx", File(f), save=False)
        os.unlink(tmp)
        self._error_book = None

    # --- matching, access, writing ------------------------------------------------------------------

    def _key_of(self, row: dict):
        for n, alternative in enumerate(self.spec.natural_key):
            key = tuple(row.get(a) for a in alternative)
            if None not in key and "" not in key:
                return n, key
        return None, None

    def _classify_and_write(self, rows: list[dict]) -> None:
        if not rows:
            return
        spec = self.spec
        fields = [f for f in spec.write_fields if f in rows[0]]
        search_cols = [f.attname for f in self.model._meta.concrete_fields
                       if f.name in getattr(self.model, "search_fields", ()) and f.attname not in fields]
        fetch_cols = fields + search_cols
        by_alt: dict[int, list[tuple[tuple, dict, int]]] = {}
        current = [set() for _ in spec.natural_key]
        earlier = [[current[n], *(w[n] for w in self._window), self._unwritten[n]] for n in range(len(current))]
        duplicate = gettext_noop("the same object appears on an earlier row of the file")
        if len(spec.natural_key) == 1:  # the usual case, without the loop over alternatives
            key_of, items = _getter(spec.natural_key[0]), []
            now_seen, b1, b2, b3 = (*earlier[0], set(), set())[:4]  # the batch, the last two, the unwritten
            for row in rows:
                key = key_of(row)
                if None in key or "" in key:
                    self._reject(row, spec.natural_key[0][-1], gettext_noop("a value is required"), "", {})
                elif (h := hash(key)) in now_seen or h in b1 or h in b2 or h in b3:
                    self._reject(row, spec.natural_key[0][-1], duplicate, key[-1], {})
                else:
                    now_seen.add(h)
                    items.append((key, row, h))
            rows = ()
            by_alt[0] = items
        for row in rows:
            n, key = self._key_of(row)
            if n is None:
                self._reject(row, spec.natural_key[0][-1], gettext_noop("a value is required"), "", {})
                continue
            h = hash(key)
            if any(h in b for b in earlier[n]):
                self._reject(row, spec.natural_key[n][-1], duplicate, key[-1], {})
                continue
            current[n].add(h)
            by_alt.setdefault(n, []).append((key, row, h))
        self._window.append(current)
        new, changed = [], []
        width = len(fields) + 1
        written = _getter(fields)
        created = self.created_runs
        starts = [a for a, _b in created]
        for n, items in by_alt.items():
            existing = db.fetch_by_keys(self.model, tuple(spec.natural_key[n]), [k for k, _r, _h in items], fetch_cols)
            changed_keys = self._changed_keys[n]
            for key, row, h in items:
                found = existing.get(key)
                if found is None:
                    new.append(row)
                    continue
                pk = found[0]
                if h in changed_keys or (starts and (i := bisect_right(starts, pk) - 1) >= 0 and pk <= created[i][1]):
                    self._reject(row, spec.natural_key[n][-1], duplicate, key[-1], {})  # written by an earlier batch
                elif written(row) == found[1:width]:
                    self.counts["unchanged"] += 1
                else:
                    row["_id"] = pk
                    row["_old"] = dict(zip(fetch_cols, found[1:], strict=True))
                    changed_keys.add(h)
                    changed.append(row)
        new, changed = self._check_access(new, changed)
        changed = self._check_locks(changed)
        self.counts["created"] += len(new)
        self.counts["changed"] += len(changed)
        if self.dry_run or (self.rejected and self.policy == Policy.ALL_OR_NOTHING):
            for n, keys in enumerate(current):
                self._unwritten[n] |= keys  # not in the table: later batches must still see these keys
            return  # nothing will be kept: validate the rest of the file without writing
        self._related_names(new + changed)
        now = timezone.now()
        self._finish_write()  # one write at a time, in order
        if self._writer is not None and new and not changed:
            self._pending = (self._writer.submit(self._insert, new, now, connection.connection), new)
            return
        with change_context(self.user, request_id=self.batch.uuid):
            self._insert(new, now)
            self._update(changed, fields, now)
            self._log_created()
        self._touch(new, changed)
        if spec.after_write and (new or changed):
            spec.after_write(self.context, new + changed)

    # --- the writer thread ---------------------------------------------------------------------------

    @contextmanager
    def _writing(self):
        """Never leave a write in flight: the transaction's next statement (a savepoint, a rollback) must
        not race it. On an error the write is awaited and its own error, if any, dropped for the first."""
        try:
            yield
        except BaseException:
            if self._pending is not None:
                wait([self._pending[0]])
                self._pending = None
            raise
        finally:
            if self._writer is not None:
                self._writer.shutdown(wait=True)
                self._writer = None

    def _finish_write(self) -> None:
        """Wait for the write in flight (the reader may parse meanwhile), raise its error, run ``after_write``."""
        if self._pending is None:
            return
        future, rows = self._pending
        self._pending = None
        self._gate.set()
        try:
            future.result()
        finally:
            self._gate.clear()
        with change_context(self.user, request_id=self.batch.uuid):
            self._log_created()
        self._touch(rows, ())
        if self.spec.after_write:
            self.spec.after_write(self.context, rows)

    def _related_names(self, rows: list[dict]) -> None:
        """The names of related objects that are part of the search text (``search_related``): one query per
        relation for the batch."""
        related = getattr(self.model, "search_related", ())
        if not related or not rows:
            return
        names = {}
        for attname, name in related:
            target = self.model._meta.get_field(attname[:-3]).related_model
            ids = {r.get(attname, r.get("_old", {}).get(attname)) for r in rows} - {None}
            names[attname] = dict(target._default_manager.filter(pk__in=ids).values_list("pk", name)) if ids else {}
        for row in rows:
            row["_related_names"] = {a: names[a].get(row.get(a, row.get("_old", {}).get(a))) for a, _n in related}

    def _log_created(self) -> None:
        """One history row per run of ids the last write created (:func:`doluong.core.writes.log_bulk_creations`)."""
        if self._new_runs:
            writes.log_bulk_creations(self.model, self._new_runs)
            self._new_runs = []

    def _touch(self, new, changed) -> None:
        """Gather what the model's follow-ups need (they run once, after the last batch)."""
        touched = self.touched
        if not touched.values:
            return
        ids = touched.values.get("id")
        for row in new:
            touched.add(row)
        for row in changed:
            touched.add(row, row.get("_old"))
        if ids is not None:  # rows carry their object's id as "_id"
            ids.update(r["_id"] for r in (*new, *changed) if r.get("_id") is not None)

    def _check_locks(self, changed: list[dict]) -> list[dict]:
        """Rows that would change a locked object (``edit_locked_q`` / ``lock_reason`` on the model, the rule the
        form applies through ``edit_lock``) are refused with the object's reason; one query per batch."""
        if not changed or not hasattr(self.model, "edit_locked_q"):
            return changed
        ids = [row["_id"] for row in changed]
        locked = {o.pk: o.lock_reason() for o in self.model._default_manager.filter(
            self.model.edit_locked_q(), pk__in=ids)}
        if not locked:
            return changed
        kept = []
        column = self.spec.natural_key[0][-1]
        for row in changed:
            reason = locked.get(row["_id"])
            if reason:
                self._reject(row, column, reason[0], row.get(column), reason[1])
            else:
                kept.append(row)
        return kept

    def _check_access(self, new: list[dict], changed: list[dict]):
        """The write path's access check for rows (:func:`doluong.core.writes.check_rows_access`)."""
        checked = writes.check_rows_access(self.model, self.user, new, changed)
        for row, column, message in checked.refused:
            self._reject(row, column, message, "", {})
        return checked.new, checked.changed

    def _insert(self, rows: list[dict], now, raw=None) -> None:
        """New rows: per row only the id, the search text and the written fields travel (COPY on PostgreSQL);
        the columns every new row shares (timestamps, defaults) are constants of the ``INSERT … SELECT``.
        ``raw``: the importing thread's psycopg connection, when this runs in the writer thread."""
        if not rows:
            return
        spec = self.spec
        model = self.model
        ids = db.allocate_ids(model, len(rows), raw)
        names = ["id", "search_text"]
        fields, convs = [], []
        constants = []
        for f in model._meta.concrete_fields:
            conv = db.to_db(f)
            a = f.attname
            if a in ("id", "search_text"):
                if f.column != a:
                    names[names.index(a)] = f.column
                continue
            if a in ("created", "last_updated"):
                value = now
            elif a in spec.write_fields and a in rows[0]:
                names.append(f.column)
                fields.append(a)
                convs.append(conv)
                continue
            else:
                value = spec.new_defaults[a] if a in spec.new_defaults else f.get_default()
            constants.append((f, conv(value) if conv else value))
        search = spec.search_text_for
        tuples = []
        if any(convs):
            for new_id, row in zip(ids, rows, strict=True):
                row["_id"] = new_id
                tuples.append((new_id, search(row),
                               *[c(row[a]) if c else row[a] for a, c in zip(fields, convs, strict=True)]))
        else:
            get = itemgetter(*fields) if len(fields) > 1 else (lambda r, a=fields[0]: (r[a],))
            for new_id, row in zip(ids, rows, strict=True):
                row["_id"] = new_id
                tuples.append((new_id, search(row), *get(row)))
        db.insert_rows(model, names, tuples, constants, raw)
        self.created_runs = merge_runs(self.created_runs, id_runs(ids))
        self._new_runs.extend(id_runs(ids))

    def _update(self, rows: list[dict], fields: list[str], now) -> None:
        if not rows:
            return
        model = self.model
        spec = self.spec
        cols = [*fields, "last_updated", "search_text"]
        convs = [db.to_db(db.concrete(model, c)) for c in cols]
        tuples = []
        for row in rows:
            merged = {**row["_old"], **{f: row[f] for f in fields}}
            row["_merged"] = merged
            vals = [row[f] for f in fields] + [now, spec.search_text_for({**row, **merged})]
            tuples.append((row["_id"], *[c(v) if c else v for c, v in zip(convs, vals, strict=True)]))
        # The history first: the state before comes from the objects as they are now.
        qs = model._default_manager.filter(pk__in=[r["_id"] for r in rows])
        if spec.export_select_related:
            qs = qs.select_related(*[p for p in spec.export_select_related if "__" not in p])
        before = {o.pk: o for o in qs}
        changes = []
        for row in rows:
            obj = before[row["_id"]]
            pre = getattr(obj, "_loaded_snapshot", None) or {}
            post = dict(pre)
            for f in fields:
                post[f] = to_json(row[f])
                setattr(obj, f, row[f])
            changes.append((obj.pk, pre, post, safe_repr(obj)))
        writes.log_bulk_changes(model, changes)
        db.update_rows(model, cols, tuples)


def _getter(names: list[str]):
    """row → the tuple of its values for ``names`` (itemgetter, always a tuple)."""
    if len(names) == 1:
        name = names[0]
        return lambda row: (row[name],)
    return itemgetter(*names)


def import_file(kind_or_spec, path, **kwargs) -> Outcome:
    from doluong.imports import spec as registry

    spec = kind_or_spec if isinstance(kind_or_spec, ImportSpec) else registry.get(kind_or_spec)
    if spec is None:
        raise ImportRefused(_("Unknown import kind %(kind)s.") % {"kind": kind_or_spec})
    file_name = kwargs.pop("file_name", None)
    return Importer(spec, **kwargs).run(path, file_name=file_name)


__all__ = ["ImportRefused", "Importer", "Outcome", "import_file", "read_progress", "uuid"]
