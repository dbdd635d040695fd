"""Run in a subprocess (``python -m tests.ops.seed``) against the database of the environment: a small
world of registry rows, records and change history, and uploaded files (through a FileField and directly
in MEDIA_ROOT, with Vietnamese names and binary content)."""

import hashlib

import django


def main() -> None:
    django.setup()
    from django.contrib.contenttypes.models import ContentType
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from doluong.imports.models import ImportBatch
    from doluong.records.models import ServiceRecord
    from tests.factories import MapFixture, RecordFactory
    from tests.imports.conftest import World

    world = World(MapFixture())
    for i, instrument in enumerate(world.instruments):
        RecordFactory(instrument=instrument, provider=world.provider, certificate_number=f"GCN-B-{i:03d}")
    content = "Mã số thuế;Tên\n0100109106;Công ty Đo lường\n".encode()
    batch = ImportBatch(kind="organizations", content_type=ContentType.objects.get_for_model(ServiceRecord),
                        file_name="tổ chức.csv", sha256=hashlib.sha256(content).hexdigest(), size=len(content))
    batch.file.save("tổ chức.csv", ContentFile(content), save=True)
    default_storage.save("evidence/2026/biên bản kiểm tra.pdf", ContentFile(b"%PDF-1.7\n" + bytes(range(256)) * 40))
    default_storage.save("indicator-evidence/2026/ảnh.png", ContentFile(b"\x89PNG\r\n\x1a\n" + b"\x00\xff" * 3000))
    print(ServiceRecord.objects.count())


if __name__ == "__main__":
    main()
