"""The daily reminders as a task of Django's task framework (``settings.TASKS``; ``doluong db_worker``)."""

from django.tasks import task


@task()
def send_reminders(days: int | None = None, dry_run: bool = False) -> dict:
    """Write (and e-mail) today's reminders; returns the counts by kind and the total."""
    from doluong.notices import services

    done = services.remind(days=days, dry_run=dry_run)
    return {"total": done.total, **{str(k): v for k, v in done.counts.items()}}
