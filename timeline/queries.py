"""Read logic the pages share: the filtered chronology, its grouping and its active filters."""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.http import QueryDict

from .dates import Precision
from .filters import StatementFilter
from .models import Side, Statement

FILTER_PARAMS = ("q", "speaker", "side", "topic", "event", "from", "to")


@dataclass
class MonthGroup:
    year: int
    label: str
    statements: list[Statement] = field(default_factory=list)
    show_year: bool = True  # False where the year (or month) heading stands on an earlier page
    show_label: bool = True


def group_key(statement: Statement) -> tuple[int, str]:
    """(year, heading) under which a statement is listed; a year-only date heads its year."""
    if statement.date_precision == Precision.YEAR:
        return statement.date.year, f"{statement.date.year}, date within the year unknown"
    return statement.date.year, f"{statement.date:%B} {statement.date.year}"


def group_by_month(statements: list[Statement], *, after: Statement | None = None) -> list[MonthGroup]:
    """Statements under their headings; `after` is the statement listed just before these, if any."""
    groups: list[MonthGroup] = []
    previous_year, previous_label = group_key(after) if after else (None, None)
    for statement in statements:
        year, label = group_key(statement)
        if not groups or groups[-1].label != label:
            groups.append(MonthGroup(year, label, show_year=year != previous_year, show_label=label != previous_label))
            previous_year, previous_label = year, label
        groups[-1].statements.append(statement)
    return groups


def filtered_statements(data: QueryDict) -> StatementFilter:
    """The published statements the query parameters select, oldest first unless order=-date."""
    queryset = Statement.objects.published().for_listing().chronological()
    if data.get("order") == "-date":
        queryset = queryset.reverse()
    return StatementFilter(data, queryset=queryset)


def paginate(filterset: StatementFilter, data: QueryDict) -> Page:
    return Paginator(filterset.qs, settings.TIMELINE_PAGE_SIZE).get_page(data.get("page"))


def canonical_query(data: QueryDict, *, drop: tuple[str, str] | None = None) -> str:
    """The filters' query string without empty values or the page (and without `drop`, a (name, value) pair)."""
    query = QueryDict(mutable=True)
    for name in (*FILTER_PARAMS, "order"):
        values = [v for v in data.getlist(name) if v.strip() and (name, v) != drop]
        if values:
            query.setlist(name, values)
    return query.urlencode()


@dataclass
class Chip:
    label: str
    remove_query: str


def active_filter_chips(filterset: StatementFilter) -> list[Chip]:
    """One removable chip per filter value in force (values that did not validate are left out)."""
    data, cleaned = filterset.data, filterset.form.cleaned_data
    sides = dict(Side.choices)
    chips = []

    def add(label: str, name: str, value: str) -> None:
        chips.append(Chip(label, canonical_query(data, drop=(name, value))))

    if cleaned.get("q"):
        add(f"“{cleaned['q']}”", "q", data.get("q"))
    for speaker in cleaned.get("speaker") or []:
        add(speaker.name, "speaker", speaker.slug)
    for side in cleaned.get("side") or []:
        add(sides[side], "side", side)
    for topic in cleaned.get("topic") or []:
        add(topic.name, "topic", topic.slug)
    if event := cleaned.get("event"):
        add(event.name, "event", event.slug)
    if cleaned.get("from"):
        add(f"from {data.get('from').strip()}", "from", data.get("from"))
    if cleaned.get("to"):
        add(f"to {data.get('to').strip()}", "to", data.get("to"))
    return chips


def filter_notices(filterset: StatementFilter) -> dict[str, str]:
    """The first error of each filter that could not be applied, by parameter name."""
    return {name: errors[0] for name, errors in filterset.form.errors.items()}
