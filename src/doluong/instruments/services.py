"""Follow-ups of the write path for instruments: their search text names their kind and owner."""

from doluong.core import writes
from doluong.core.text import fold
from doluong.instruments.models import Instrument, InstrumentKind
from doluong.orgs.models import Organization


def refresh_search_text_of(instruments) -> int:
    """Recompute the search text of these instruments (their kind's and owner's current names); returns the count."""
    stale = list(instruments.select_related("kind", "owner"))
    for instrument in stale:
        instrument.refresh_search_text()
    # search_text is derived and not part of the history (changelog_exclude): a plain bulk update is the write.
    Instrument.objects.bulk_update(stale, ["search_text"], batch_size=1000)
    return len(stale)


def _renamed(model, relation: str):
    def follow(values) -> None:
        for pk, name in model._default_manager.filter(pk__in=values["id"]).values_list("pk", "name"):
            refresh_search_text_of(Instrument.objects.filter(**{relation: pk}).exclude(
                search_text__contains=fold(name)))

    return follow


# Renaming an owner or a kind keeps "hoa phat" finding Hòa Phát's instruments (one query when the name is unchanged).
writes.follow_up(Organization, fields=("id",))(_renamed(Organization, "owner_id"))
writes.follow_up(InstrumentKind, fields=("id",))(_renamed(InstrumentKind, "kind_id"))
