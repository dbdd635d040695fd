"""The plan's documents read back as an official would: Word text, PDF text layer and fonts, XLSX cells."""

import datetime as dt
import io
import re
import subprocess
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from docx import Document
from python_calamine import CalamineWorkbook

from doluong.core import writes
from doluong.core.roles import Role
from doluong.indicators.computations import Scope
from doluong.indicators.models import Target
from doluong.indicators.selectors import target_progress
from doluong.plans.models import AnnualWorkplan, WorkplanItem
from doluong.reports import services
from doluong.reports.models import DocumentKind, GeneratedDocument, GenerationStatus, PlanDocument
from tests.factories import make_user
from tests.plans.factories import WorkplanFactory, WorkplanItemFactory
from tests.programmes.factories import AttendanceFactory, TrainingFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 3)


def docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]

    def cells(table):
        for row in table.rows:
            for cell in row.cells:
                parts.extend(p.text for p in cell.paragraphs)
                for inner in cell.tables:
                    cells(inner)
    for t in doc.tables:
        cells(t)
    return "\n".join(parts)


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def pdf_fonts(path) -> list[str]:
    out = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    return [line.split()[0].split("+", 1)[-1] for line in out.splitlines()[2:] if line.strip()]


def document(world, officer, kind=DocumentKind.ANNUAL, **kw) -> PlanDocument:
    doc = PlanDocument(plan=world["plan"], kind=kind, dated=kw.pop("dated", TODAY), issuing_body="Sở Khoa học và "
                       "Công nghệ", signer_title="KT. GIÁM ĐỐC/PHÓ GIÁM ĐỐC", signer_name="Nguyễn Văn An",
                       number="125/BC-SKHCN", **kw)
    writes.save(doc, user=officer, via=writes.Via.FORM)
    return doc


def generate(doc, officer, as_of=None) -> GeneratedDocument:
    gen = services.start(doc, user=officer, as_of=as_of, run_now=True)
    assert gen.status == GenerationStatus.DONE, gen.error
    return gen


def test_yearly_report_prints_the_indicators_figures_in_word_and_pdf(world, officer):
    doc = document(world, officer, year=2026, difficulties="Thiếu cán bộ chuyên trách.")
    gen = generate(doc, officer, as_of=TODAY)
    word = docx_text(gen.docx.read())
    pdf = pdf_text(gen.pdf.path)
    for text in (word, pdf):
        flat = " ".join(text.split())
        # heading block per Decree 30, on today's map: Yên Bái's plan reports to Lào Cai since July 2025
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in flat and "Độc lập - Tự do - Hạnh phúc" in flat
        assert "UBND TỈNH LÀO CAI" in flat and "SỞ KHOA HỌC VÀ CÔNG NGHỆ" in flat
        assert "Số: 125/BC-SKHCN" in flat and "Lào Cai, ngày 03 tháng 12 năm 2026" in flat
        assert "BÁO CÁO" in flat and "Kính gửi: Ủy ban nhân dân tỉnh Lào Cai." in flat
        assert "Nơi nhận:" in flat and "PHÓ GIÁM ĐỐC" in flat and "Nguyễn Văn An" in flat
        assert "Thiếu cán bộ chuyên trách." in flat
        assert "{{" not in text and "{%" not in text  # no template tag survives
        # T4 person-times: 2 in 2026, 5 cumulative; T3 enterprise-times: 2 in 2026, 6 cumulative
        assert "Đã tổ chức 1 lớp đào tạo, bồi dưỡng với 2 lượt người tham gia" in flat
        assert "đã hỗ trợ 2 lượt doanh nghiệp: 2 lượt doanh nghiệp có vốn nhà nước, 0 lượt doanh nghiệp tư nhân" in flat
        assert "Đã tổ chức 2 hoạt động thông tin, tuyên truyền với 55 lượt người tham gia." in flat
        # funds of 2026 by source: 120.000.000 estimate, 100.000.000 approved, 75.000.000 spent (75,0 %)
        assert "120.000.000" in flat and "75.000.000" in flat and "75,0 %" in flat
        assert "620.000.000" in flat  # total estimate 120 + 500 million
    # who generated it and the figures' date travel in the files' properties, not on the official's page
    props = Document(io.BytesIO(gen.docx.open("rb").read())).core_properties
    assert props.author == officer.username and "03/12/2026" in props.comments
    info = subprocess.run(["pdfinfo", gen.pdf.path], check=True, capture_output=True, text=True).stdout
    assert re.search(rf"Author:\s+{officer.username}", info)
    kept = gen.figures
    for row in kept["targets"]:
        target = Target.objects.get(plan=world["plan"], indicator__code=row["code"], milestone=row["milestone"])
        progress = target_progress(target, Scope(as_of=TODAY))
        assert Decimal(row["cumulative"]) == progress.value and row["status"] == progress.status
    t4_2030 = next(r for r in kept["targets"] if r["code"] == "T4" and r["milestone"] == "2030-12-31")
    assert (t4_2030["in_period"], t4_2030["cumulative"]) == ("2", "5")
    t3_2030 = next(r for r in kept["targets"] if r["code"] == "T3" and r["milestone"] == "2030-12-31")
    assert (t3_2030["in_period"], t3_2030["cumulative"]) == ("2", "6")


def test_each_pdf_uses_one_serif_family_embedded(world, officer):
    for kind, year in ((DocumentKind.ANNUAL, 2026), (DocumentKind.BUDGET, 2027)):
        gen = generate(document(world, officer, kind=kind, year=year), officer, as_of=TODAY)
        fonts = pdf_fonts(gen.pdf.path)
        assert fonts and all(f.startswith("Liberation-Serif") for f in fonts), fonts
        assert "Đ" in pdf_text(gen.pdf.path)  # diacritics survive in the text layer


def test_phase_review_and_final_review_are_the_same_machinery_over_a_period(world, officer):
    review = document(world, officer, kind=DocumentKind.PHASE_REVIEW, phase=world["plan"].phases.get(number=1))
    gen = generate(review, officer)
    assert gen.figures_as_of == dt.date(2025, 12, 31)  # the end of the phase, earlier than the document date
    t4 = next(r for r in gen.figures["targets"] if r["code"] == "T4" and r["milestone"] == "2025-12-31")
    assert (t4["in_period"], t4["cumulative"]) == ("3", "3")  # the 2026 training is outside phase 1
    assert gen.figures["spending"]["rows"][0]["approved"] == "80000000"
    flat = " ".join(docx_text(gen.docx.read()).split())
    assert "Sơ kết giai đoạn 1 (2019–2025)" in flat
    final = generate(document(world, officer, kind=DocumentKind.FINAL_REVIEW), officer, as_of=TODAY)
    t4 = next(r for r in final.figures["targets"] if r["code"] == "T4" and r["milestone"] == "2030-12-31")
    assert (t4["in_period"], t4["cumulative"]) == ("5", "5")


def test_a_generation_keeps_its_figures_and_a_later_one_shows_new_records(world, officer):
    doc = document(world, officer, year=2026)
    first = generate(doc, officer, as_of=dt.date(2026, 3, 31))
    earlier = generate(doc, officer, as_of=dt.date(2026, 12, 1))
    t4 = next(r for r in first.figures["targets"] if r["code"] == "T4" and r["milestone"] == "2030-12-31")
    assert t4["in_period"] == "0"  # the April training is after 31/03/2026
    training = TrainingFactory(starts_on=dt.date(2026, 11, 1), ends_on=dt.date(2026, 11, 1))
    AttendanceFactory(training=training)
    again = generate(doc, officer, as_of=dt.date(2026, 12, 1))
    row = lambda g: next(r for r in g.figures["targets"] if r["code"] == "T4" and r["milestone"] == "2030-12-31")  # noqa: E731
    assert row(earlier)["in_period"] == "2" and row(again)["in_period"] == "3"
    earlier.refresh_from_db()
    assert "với 2 lượt người" in " ".join(docx_text(earlier.docx.read()).split())  # the old file is kept as it was
    assert list(doc.generations.order_by("pk")) == [first, earlier, again]
    assert {g.generated_by for g in (first, earlier, again)} == {officer}


def test_budget_estimate_splits_investment_and_recurrent_with_last_year_beside(world, officer):
    gen = generate(document(world, officer, kind=DocumentKind.BUDGET, year=2027, addressee="Sở Tài chính"), officer)
    groups = {g["source"]: g for g in gen.figures["groups"]}
    assert groups["development_investment"]["estimate"] == "450.000.000"
    assert groups["recurrent_st"]["rows"][0]["estimate"] == "130.000.000"
    assert groups["recurrent_st"]["rows"][0]["prev_approved"] == "100.000.000"  # 2026 beside 2027
    assert groups["recurrent_st"]["rows"][0]["prev_spent"] == "75.000.000"
    letter = " ".join(docx_text(gen.letter_docx.read()).split())
    assert "V/v dự toán kinh phí thực hiện Kế hoạch 210/KH-UBND năm 2027" in letter
    assert "Tổng kinh phí đề nghị từ ngân sách nhà nước là 580.000.000 đồng" in letter
    table = " ".join(docx_text(gen.docx.read()).split())
    assert "Chi đầu tư phát triển" in table and "Chi thường xuyên sự nghiệp KH&CN" in table
    rows = CalamineWorkbook.from_filelike(io.BytesIO(gen.xlsx.read())).get_sheet_by_index(0).to_python()
    amounts = [r for r in rows if len(r) > 2 and r[2] in (130_000_000, 130_000_000.0)]
    assert amounts and amounts[0][3] in (100_000_000, 100_000_000.0)  # numbers, not text, in the spreadsheet


def test_workplan_export_in_the_appendix_columns_and_copy_to_next_year(world, officer):
    workplan = WorkplanFactory(plan=world["plan"], year=2026)
    WorkplanItemFactory(workplan=workplan, task=world["task"], planned_output="Hội nghị tuyên truyền",
                        deadline=dt.date(2026, 9, 30), budget=Decimal(50_000_000))
    gen = generate(document(world, officer, kind=DocumentKind.WORKPLAN, year=2026), officer)
    text = " ".join(docx_text(gen.docx.read()).split())
    assert "Hội nghị tuyên truyền" in text and "30/09/2026" in text and "Cơ quan phối hợp" in text
    rows = CalamineWorkbook.from_filelike(io.BytesIO(gen.xlsx.read())).get_sheet_by_index(0).to_python()
    assert any("Hội nghị tuyên truyền" in str(r[1]) for r in rows if len(r) > 1)
    from doluong.plans.services import workplan_copy

    copy = workplan_copy(workplan=workplan, user=officer)
    item = WorkplanItem.objects.get(workplan=copy)
    assert (copy.year, copy.status, item.deadline, item.budget) == (2027, "draft", dt.date(2027, 9, 30),
                                                                    Decimal(50_000_000))
    with pytest.raises(Exception, match="2027"):
        workplan_copy(workplan=workplan, user=officer)
    assert AnnualWorkplan.objects.filter(plan=world["plan"], year=2027).count() == 1


def test_document_rules_say_what_is_missing(world, officer):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as err:
        writes.save(PlanDocument(plan=world["plan"], kind=DocumentKind.ANNUAL), user=officer, via=writes.Via.FORM)
    assert "year" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        writes.save(PlanDocument(plan=world["plan"], kind=DocumentKind.PHASE_REVIEW), user=officer,
                    via=writes.Via.FORM)
    assert "phase" in err.value.message_dict


def test_the_command_writes_the_files(world, officer, tmp_path, capsys):
    call_command("report", "annual", "--plan", "210/kh-ubnd", "--year", "2026", "--as-of", "03/12/2026",
                 "--out", str(tmp_path / "out"), "--user", officer.username)
    names = sorted(p.suffix for p in (tmp_path / "out").iterdir())
    assert names == [".docx", ".pdf"]
    assert GeneratedDocument.objects.get().figures_as_of == TODAY


def test_web_officer_creates_generates_and_downloads_others_cannot(client, world, officer, settings):
    settings.DOLUONG_DOCUMENTS_INLINE = True  # the worker runs it otherwise (see the queued test)
    client.force_login(officer)
    plan = world["plan"]
    page = client.get(plan.get_absolute_url())
    assert reverse("reports_flow:new", args=[plan.pk, "annual"]) in page.content.decode()
    r = client.get(reverse("reports_flow:new", args=[plan.pk, "annual"]) + "?year=2026")
    doc = PlanDocument.objects.get()
    assert r.status_code == 302 and r.url == reverse("reports:plandocument_edit", args=[doc.pk])
    assert "Thiếu kinh phí cho lớp tập huấn." in doc.difficulties  # the agencies' words as a starting point
    r = client.post(reverse("reports_flow:generate", args=[doc.pk]), {"as_of": "31/13/2026"})
    assert r.status_code == 302 and not GeneratedDocument.objects.exists()  # a bad date is refused, said why
    r = client.post(reverse("reports_flow:generate", args=[doc.pk]), {"as_of": "30/11/2026"}, follow=True)
    gen = GeneratedDocument.objects.get()
    assert gen.status == GenerationStatus.DONE and gen.figures_as_of == dt.date(2026, 11, 30)
    assert b'data-testid="download-pdf"' in r.content
    pdf = client.get(reverse("reports_flow:download", args=[gen.pk, "pdf"]))
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert client.get(reverse("reports_flow:download", args=[gen.pk, "nope"])).status_code == 404
    leader = make_user(Role.LEADER)
    client.force_login(leader)
    assert client.get(reverse("reports_flow:download", args=[gen.pk, "docx"])).status_code == 200
    assert client.post(reverse("reports_flow:generate", args=[doc.pk])).status_code == 404
    for role in (Role.AGENCY, Role.PROVIDER, Role.ENTERPRISE):
        client.force_login(make_user(role))
        assert client.get(doc.get_absolute_url()).status_code == 404
        assert client.get(reverse("reports_flow:generation", args=[gen.pk])).status_code == 404
        assert client.get(reverse("reports_flow:download", args=[gen.pk, "pdf"])).status_code == 404


def test_a_failure_is_recorded_not_left_running(world, officer, monkeypatch):
    doc = document(world, officer, year=2026)

    def broken(*a, **k):
        raise RuntimeError("template broken")
    monkeypatch.setattr("doluong.reports.render.report_files", broken)
    gen = services.start(doc, user=officer, run_now=True)
    assert gen.status == GenerationStatus.FAILED and "template broken" in gen.error
    assert not gen.pdf and not gen.docx


def test_queued_generation_runs_in_the_worker_and_reports_progress(world, officer, settings,
                                                                   django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    doc = document(world, officer, year=2026)
    with django_capture_on_commit_callbacks(execute=True):
        gen = services.start(doc, user=officer)
    assert gen.status == GenerationStatus.QUEUED
    assert services.read_progress(gen.pk)["percent"] == 0
    services.run_generation.call(gen.pk, "vi")
    gen.refresh_from_db()
    assert gen.status == GenerationStatus.DONE and services.read_progress(gen.pk)["percent"] == 100
    assert re.search(r"\d", gen.figures["as_of"])
