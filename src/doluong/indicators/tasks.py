"""Background work of the indicators: bringing the summary tables up to date after writes."""

from django.tasks import task


@task()
def refresh_summaries() -> dict:
    """Recompute the months the writes marked dirty (queued by :func:`doluong.indicators.summaries.mark_dirty`)."""
    from doluong.indicators import summaries

    return summaries.refresh()
