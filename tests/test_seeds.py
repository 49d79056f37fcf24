"""`manage.py load_seeds`: the curated data goes in whole, verified, and the same every time."""

import datetime as dt
import shutil

import pytest
from django.core.management import CommandError, call_command

from timeline.models import Citation, Event, Source, Speaker, Statement, Topic

MODELS = [Speaker, Topic, Event, Source, Statement, Citation]


def _snapshot() -> dict:
    """Every row of every model by primary key, and each statement's topics (last-write stamps aside)."""
    rows = {model.__name__: {row.pop("id"): row for row in model.objects.values()} for model in MODELS}
    for pk, row in rows["Statement"].items():
        del row["updated_at"]
        row["topics"] = sorted(Statement.objects.get(pk=pk).topics.values_list("slug", flat=True))
    return rows


def test_load_seeds_loads_the_curated_statements(seeded):
    assert Statement.objects.published().count() >= 20
    assert Speaker.objects.filter(statements__isnull=False).distinct().count() >= 6
    assert Source.objects.count() == 5
    assert set(Speaker.objects.values_list("side", flat=True)) == {"ru", "us"}
    assert not Statement.objects.filter(citations__isnull=True).exists()


def test_load_seeds_reports_what_it_loaded(db, capsys):
    call_command("load_seeds")
    out = capsys.readouterr().out
    assert f"Loaded {Statement.objects.count()} statements" in out
    assert f"{Citation.objects.count()} verified citations" in out


def test_every_seed_citation_points_at_its_passage(seeded):
    for citation in Citation.objects.select_related("source", "statement"):
        found = citation.source.original_text[citation.start : citation.end]
        assert found.split() == citation.passage.split(), citation.statement.seed_key
        assert citation.is_verified
        assert citation.source.original_text[: citation.start].endswith(citation.prefix)
        assert citation.source.original_text[citation.end :].startswith(citation.suffix)


def test_statement_words_default_to_the_cited_passage(seeded):
    statement = Statement.objects.get(seed_key="lavrov-2016-11-09-any-us-leader")
    assert statement.citations.get().passage == "We are ready to work with any US leader elected by the US people"


def test_a_repeated_passage_is_anchored_in_the_article_not_the_photo_caption(seeded):
    citation = Citation.objects.get(statement__seed_key="putin-2016-12-13-chance-to-take-office")
    text = citation.source.original_text
    assert text[: citation.start].endswith('However, he said that "')
    assert text.count(citation.passage) == 3


def test_load_seeds_twice_gives_the_same_database(db):
    """Idempotent: the same rows under the same primary keys, nothing duplicated."""
    call_command("load_seeds", verbosity=0)
    first = _snapshot()
    call_command("load_seeds", verbosity=0)
    second = _snapshot()
    assert {name: len(rows) for name, rows in second.items()} == {name: len(rows) for name, rows in first.items()}
    assert second == first


@pytest.fixture
def seed_copy(tmp_path, seed_dir):
    copy = tmp_path / "seeds"
    shutil.copytree(seed_dir, copy)
    return copy


BROKEN_KEY = "putin-2018-12-20-push-off-from-the-bottom"


def _break_passage(seed_copy) -> None:
    toml = seed_copy / "statements.toml"
    text = toml.read_text(encoding="utf-8")
    original = 'text = "I hope that something will get better, but in the end'
    assert text.count(original) == 1
    toml.write_text(text.replace(original, 'text = "Words that the source never gives, but in the end'), "utf-8")


def test_a_passage_not_in_its_source_fails_the_load_naming_the_statement(db, seed_copy):
    _break_passage(seed_copy)
    with pytest.raises(CommandError, match=BROKEN_KEY):
        call_command("load_seeds", "--dir", str(seed_copy), verbosity=0)


def test_a_failed_load_leaves_nothing_half_loaded(db, seed_copy):
    _break_passage(seed_copy)
    with pytest.raises(CommandError):
        call_command("load_seeds", "--dir", str(seed_copy), verbosity=0)
    assert {model.__name__: model.objects.count() for model in MODELS} == {model.__name__: 0 for model in MODELS}


def test_a_failed_reload_keeps_the_previous_data_unchanged(db, seed_copy):
    call_command("load_seeds", verbosity=0)
    before = _snapshot()
    toml = seed_copy / "statements.toml"
    toml.write_text(
        toml.read_text("utf-8").replace('summary = "Lavrov: Russia is ready', 'summary = "CHANGED Lavrov', 1), "utf-8"
    )
    _break_passage(seed_copy)
    with pytest.raises(CommandError):
        call_command("load_seeds", "--dir", str(seed_copy), verbosity=0)
    assert _snapshot() == before


def test_a_missing_seed_folder_is_a_command_error(db, tmp_path):
    with pytest.raises(CommandError, match=r"statements\.toml"):
        call_command("load_seeds", "--dir", str(tmp_path / "nowhere"), verbosity=0)


@pytest.mark.parametrize(
    ("key", "date", "precision"),
    [
        ("putin-2016-12-23-agree-with-trump", dt.date(2016, 12, 23), "day"),
        ("putin-2016-12-23-meeting-unprepared", dt.date(2016, 12, 23), "day"),
        ("putin-2016-12-23-back-on-track", dt.date(2016, 12, 23), "day"),
        ("putin-2016-10-equal-partner", dt.date(2016, 10, 1), "month"),
        ("trump-2016-10-meet-before-inauguration", dt.date(2016, 10, 1), "month"),
        ("kremlin-2016-no-favourites", dt.date(2016, 1, 1), "year"),
        ("putin-2018-12-20-ready-for-meetings", dt.date(2018, 12, 20), "day"),
        ("lavrov-2016-11-09-any-us-leader", dt.date(2016, 11, 9), "day"),
        ("trump-office-2016-11-14-strong-relationship", dt.date(2016, 11, 14), "day"),
        ("putin-2016-12-13-ready-at-any-moment", dt.date(2016, 12, 13), "day"),
    ],
)
def test_seed_statements_are_dated_when_they_were_said(seeded, key, date, precision):
    statement = Statement.objects.get(seed_key=key)
    assert (statement.date, statement.date_precision) == (date, precision)


def test_every_2016_press_conference_statement_is_dated_23_december_2016(seeded):
    statements = Statement.objects.filter(event__slug="press-conference-2016-12-23")
    assert statements.count() >= 5
    assert {(s.date, s.date_precision) for s in statements} == {(dt.date(2016, 12, 23), "day")}


def test_no_statement_is_dated_by_a_page_render_stamp(seeded):
    """'06:45 GMT09 August 2020' and '00:12 GMT15 April 2021' are when pages were rendered."""
    stamps = [dt.date(2020, 8, 9), dt.date(2021, 4, 15)]
    assert not Statement.objects.filter(date__in=stamps).exists()
    assert not Statement.objects.filter(date__year__gte=2019).exists()


def test_the_phone_call_has_both_sides_readouts(seeded):
    sides = set(
        Statement.objects.filter(event__slug="putin-trump-call-2016-11-14").values_list("speaker__side", flat=True)
    )
    assert sides == {"ru", "us"}
