"""Statement suggestions: quoted and reported speech, its speaker, its anchor and its date."""

import datetime as dt

import pytest
from django.core.management import call_command

from timeline.management.commands.evaluate_suggestions import Score, score_source
from timeline.models import Citation, Source, Speaker, Statement
from timeline.suggesting import create_suggested_drafts, resolve_time_phrase, suggest_statements

from .factories import make_source, make_speaker, make_statement

pytestmark = pytest.mark.django_db

OPENING = "The two governments exchanged messages this week about the state of their relations."
CLOSING = "Officials on both sides gave no further details about the talks that followed it."


@pytest.fixture
def speakers() -> dict[str, Speaker]:
    return {
        "putin": make_speaker(name="Vladimir Putin", slug="vladimir-putin", role="President of Russia", side="ru"),
        "trump": make_speaker(name="Donald Trump", slug="donald-trump", role="US President-elect", side="us"),
        "lavrov": make_speaker(
            name="Sergey Lavrov", slug="sergey-lavrov", role="Foreign Minister of Russia", side="ru"
        ),
        "kremlin": make_speaker(name="The Kremlin", slug="kremlin", role="Office of the President", side="ru"),
        "trump-office": make_speaker(name="Trump's office", slug="trump-office", role="Transition team", side="us"),
    }


def article(*paragraphs: str, published_on: dt.date | None = dt.date(2016, 11, 9)) -> Source:
    """An invented article: the paragraphs between an ordinary opening and closing sentence."""
    text = "\n\n".join((OPENING, *paragraphs, CLOSING)) + "\n"
    return make_source(original_text=text, published_on=published_on)


def only(source: Source):
    suggestions = suggest_statements(source)
    assert len(suggestions) == 1, [s.text for s in suggestions]
    return suggestions[0]


# --- Quotes and reported speech ------------------------------------------------------------------


def test_quote_followed_by_its_attribution_is_a_quote_of_the_quoted_words(speakers):
    source = article('"We are ready to restore our relations with the United States," Putin said.')
    suggestion = only(source)
    assert suggestion.kind == Statement.Kind.QUOTE
    assert suggestion.speaker_slug == "vladimir-putin"
    assert suggestion.text == "We are ready to restore our relations with the United States"
    assert source.original_text[suggestion.start : suggestion.end] == suggestion.passage


def test_quote_after_a_speech_verb_and_a_comma_or_that_is_a_quote(speakers):
    source = article(
        'Asked about the coming year, Putin replied, "changes in our relations that will bring them back on track."',
        'Later he said that "we are prepared to do our part in this difficult work."',
    )
    texts = [(s.kind, s.speaker_slug, s.text) for s in suggest_statements(source)]
    assert texts == [
        ("quote", "vladimir-putin", "changes in our relations that will bring them back on track."),
        ("quote", "vladimir-putin", "we are prepared to do our part in this difficult work."),
    ]


def test_inverted_attribution_and_curly_quotes(speakers):
    source = article("“We will judge the new administration by its actions and not its words,” said Sergey Lavrov.")
    suggestion = only(source)
    assert (suggestion.kind, suggestion.speaker_slug) == ("quote", "sergey-lavrov")


def test_a_few_quoted_words_inside_a_sentence_are_not_a_quote_of_their_own(speakers):
    """Scare quotes without a speech verb suggest nothing; inside reported speech the sentence is the paraphrase."""
    source = article(
        'President Obama began his presidency with a goal to "reset" ties with Russia in the first year.',
        'Putin said that he was "ready at any moment" to meet with the president-elect in person.',
    )
    suggestion = only(source)
    assert suggestion.kind == Statement.Kind.PARAPHRASE
    assert suggestion.text.startswith("Putin said that he was")


def test_reported_speech_is_a_paraphrase_of_the_whole_sentence(speakers):
    source = article(
        "Putin noted that he does not know whether the new administration can start a direct dialogue.",
        "Trump expressed hope for an improvement in relations between the two countries next year.",
        "For things to improve, the US should act like an equal partner and respect Russia, Putin said.",
    )
    suggestions = suggest_statements(source)
    assert [(s.kind, s.speaker_slug) for s in suggestions] == [
        ("paraphrase", "vladimir-putin"),
        ("paraphrase", "donald-trump"),
        ("paraphrase", "vladimir-putin"),
    ]
    assert suggestions[0].text == (
        "Putin noted that he does not know whether the new administration can start a direct dialogue."
    )


def test_an_office_or_body_reporting_gives_a_readout(speakers):
    source = article(
        "The Kremlin said that the leaders agreed to continue phone contacts and plan a meeting.",
        "“The two leaders discussed a range of issues including the threats facing both nations,” "
        "Trump’s office said in a statement.",
        "The leaders also agreed to combine efforts against international terrorism, according to the Kremlin.",
    )
    assert [(s.kind, s.speaker_slug) for s in suggest_statements(source)] == [
        ("readout", "kremlin"),
        ("readout", "trump-office"),
        ("readout", "kremlin"),
    ]


def test_a_paraphrase_leading_into_a_quote_of_the_same_speaker_is_left_out_but_dates_it(speakers):
    """'Putin said Friday he agreed ...' then '"...," Putin said': the quote, dated by the lead-in's 'Friday'."""
    source = article(
        "Putin said Friday he agreed with the president-elect that relations must be normalised soon.",
        '"I agree with him and we will think together about how to make the relations better," Putin said.',
        published_on=dt.date(2016, 12, 23),
    )
    suggestion = only(source)
    assert suggestion.kind == Statement.Kind.QUOTE
    assert "said Friday" in suggestion.evidence
    kept = suggest_statements(source, drop_lead_ins=False)
    assert [s.kind for s in kept] == ["paraphrase", "quote"]


def test_a_quotation_alone_in_its_paragraph_continues_the_quote_before_it(speakers):
    source = article(
        '"We are ready to work with any US leader elected by the American people," Lavrov said.',
        '"I have heard many words, but we will judge the new leaders by their actions."',
    )
    assert [s.speaker_slug for s in suggest_statements(source)] == ["sergey-lavrov", "sergey-lavrov"]


def test_the_same_words_twice_are_suggested_once_at_their_last_occurrence(speakers):
    """A caption echoing the body is not a second statement."""
    sentence = 'Putin said that "it is necessary to give the president-elect a chance to form his team."'
    source = article(sentence, "Putin spoke to Japanese reporters ahead of his visit to Tokyo next week.", sentence)
    suggestion = only(source)
    assert suggestion.start == source.original_text.rindex("it is necessary")


# --- Speakers ------------------------------------------------------------------------------------


def test_speaker_matched_by_full_name_surname_title_and_pronoun(speakers):
    source = article(
        '"Relations between our countries are at a low point right now," Russian President Vladimir Putin said.',
        '"What will we discuss there? The normalisation of our relationship," the president added.',
        '"We understand it will be a difficult path for both of our countries," he said.',
        '"We are ready to work with any US leader elected by the US people," the minister said.'.replace(
            "the minister", "Russian Foreign Minister Sergey Lavrov"
        ),
        '"This is life and this is politics, and we will see what happens next," the minister said.',
    )
    assert [s.speaker_slug for s in suggest_statements(source)] == [
        "vladimir-putin",
        "vladimir-putin",
        "vladimir-putin",
        "sergey-lavrov",
        "sergey-lavrov",
    ]


def test_title_with_a_side_resolves_to_the_speaker_of_that_side(speakers):
    """'the Russian President' is Putin even when the last person attributed was Trump."""
    source = article(
        '"I look forward to a strong and enduring relationship with Russia," Trump said on Monday.',
        "Earlier, the Russian President expressed confidence that the dialogue meets the interests of both.",
    )
    assert [s.speaker_slug for s in suggest_statements(source)] == ["donald-trump", "vladimir-putin"]


def test_it_resolves_to_the_last_body(speakers):
    source = article(
        "In its statement, the Kremlin added that both leaders called relations extremely unsatisfactory.",
        "“They spoke for active joint work to normalise ties and engage in cooperation,” it said.",
    )
    suggestions = suggest_statements(source, drop_lead_ins=False)
    assert [s.speaker_slug for s in suggestions] == ["kremlin", "kremlin"]


def test_an_unknown_speaker_is_proposed_with_a_side_from_cues_and_created_only_with_the_draft(speakers):
    """Side: 'Kremlin'/'Russian'/'Moscow' → ru, 'US'/'American'/'Washington'/'White House' → us."""
    source = article(
        "Kremlin spokesman Dmitry Peskov said that no date for a meeting of the leaders had been set yet.",
        "US Secretary of State John Kerry said that Washington would watch the talks very closely indeed.",
    )
    first, second = suggest_statements(source)
    assert (first.speaker_name, first.speaker_slug, first.side, first.speaker_exists) == (
        "Dmitry Peskov",
        "dmitry-peskov",
        "ru",
        False,
    )
    assert first.speaker_role == "Kremlin spokesman"
    assert (second.speaker_name, second.side, second.speaker_role) == ("John Kerry", "us", "US Secretary of State")
    assert not Speaker.objects.filter(slug__in=["dmitry-peskov", "john-kerry"]).exists()  # suggesting writes nothing

    create_suggested_drafts(source=source)
    peskov = Speaker.objects.get(slug="dmitry-peskov")
    assert (peskov.name, peskov.side, peskov.role) == ("Dmitry Peskov", "ru", "Kremlin spokesman")


def test_place_and_news_agency_are_not_proposed_as_speakers(speakers):
    source = article(
        "According to Moscow, the incident was a provocation aimed at creating a pretext for sanctions.",
        "The talks will continue next month in Geneva with both delegations present, AP said.",
    )
    assert suggest_statements(source) == []


# --- Dates ---------------------------------------------------------------------------------------


def test_on_friday_in_an_article_of_friday_23_dec_2016_is_that_day():
    resolved = resolve_time_phrase("on Friday", dt.date(2016, 12, 23), shown="said on Friday")
    assert (resolved.date, resolved.precision) == (dt.date(2016, 12, 23), "day")
    assert resolved.evidence == '"said on Friday" in an article of 23 Dec 2016 → 23 Dec 2016 (day)'


def test_last_month_in_an_article_of_9_nov_2016_is_october_at_month_precision():
    resolved = resolve_time_phrase("last month", dt.date(2016, 11, 9))
    assert (resolved.date, resolved.precision) == (dt.date(2016, 10, 1), "month")
    assert "Oct 2016 (month)" in resolved.evidence


def test_on_wednesday_in_a_wednesday_article_is_the_article_date():
    resolved = resolve_time_phrase("on Wednesday", dt.date(2016, 11, 9))
    assert (resolved.date, resolved.precision) == (dt.date(2016, 11, 9), "day")


def test_a_weekday_before_the_article_day_is_the_last_one_before_it():
    assert resolve_time_phrase("on Monday", dt.date(2016, 11, 9)).date == dt.date(2016, 11, 7)


def test_on_december_13_is_that_date_in_the_article_year_or_the_year_before():
    assert resolve_time_phrase("on December 13", dt.date(2016, 12, 14)).date == dt.date(2016, 12, 13)
    assert resolve_time_phrase("on December 13", dt.date(2016, 11, 9)).date == dt.date(2015, 12, 13)


def test_in_october_is_month_precision_and_earlier_today_the_article_day():
    october = resolve_time_phrase("in October", dt.date(2016, 12, 13))
    assert (october.date, october.precision) == (dt.date(2016, 10, 1), "month")
    today = resolve_time_phrase("Earlier today", dt.date(2016, 11, 9))
    assert (today.date, today.precision) == (dt.date(2016, 11, 9), "day")


def test_last_week_is_a_month_only_when_the_whole_week_is_in_one_month():
    within = resolve_time_phrase("last week", dt.date(2016, 11, 16))  # 7–13 Nov
    assert (within.date, within.precision) == (dt.date(2016, 11, 1), "month")
    across = resolve_time_phrase("last week", dt.date(2016, 11, 9))  # 31 Oct – 6 Nov
    assert (across.date, across.precision) == (dt.date(2016, 11, 9), "day")
    assert "spans two months" in across.evidence


def test_a_date_after_the_article_is_not_when_it_was_said():
    assert resolve_time_phrase("next year", dt.date(2016, 12, 23)) is None


def test_statement_dates_come_from_the_attribution_against_the_article_date_with_evidence(speakers):
    source = article(
        '"We heard his campaign rhetoric about restoring relations between our countries," Putin said on Friday.',
        "For things to improve, the US should act like an equal partner and respect Russia, Lavrov said last month.",
        "In an interview published on the Kremlin website on December 13, Putin said he was ready to meet.",
        '"We have a lot of topics for cooperation in the coming years of work together," Putin told reporters.',
        published_on=dt.date(2016, 12, 23),
    )
    # Lead-ins kept: the third would otherwise be left out as the lead-in of the fourth.
    friday, last_month, december, undated = suggest_statements(source, drop_lead_ins=False)
    assert (friday.date, friday.precision) == (dt.date(2016, 12, 23), "day")
    assert friday.evidence.startswith('"said on Friday" in an article of 23 Dec 2016 → 23 Dec 2016 (day)')
    assert (last_month.date, last_month.precision) == (dt.date(2016, 11, 1), "month")
    assert (december.date, december.precision) == (dt.date(2016, 12, 13), "day")
    assert (undated.date, undated.precision) == (dt.date(2016, 12, 23), "day")
    assert undated.evidence.startswith("no time phrase near the statement: the article's date, 23 Dec 2016")


def test_dates_inside_the_quoted_words_are_not_statement_dates(speakers):
    source = article(
        '"We hope relations will improve by December 2017 at the latest," Putin said.',
        published_on=dt.date(2016, 12, 23),
    )
    assert only(source).date == dt.date(2016, 12, 23)


def test_without_a_publication_date_no_relative_date_is_invented(speakers):
    """Never today: an absolute date in the article stands in; with none there is no date, and no draft."""
    undated = article('"We are ready to restore relations at any moment," Putin said on Friday.', published_on=None)
    suggestion = only(undated)
    assert suggestion.date is None
    assert create_suggested_drafts(source=undated) == []

    dated_elsewhere = article(
        "The campaign ended with the election of 8 November 2016 after months of debates.",
        '"We are ready to restore relations at any moment," Putin said on Friday.',
        published_on=None,
    )
    suggestion = only(dated_elsewhere)
    assert (suggestion.date, suggestion.precision) == (dt.date(2016, 11, 8), "day")
    assert "no publication date" in suggestion.evidence


# --- Drafts --------------------------------------------------------------------------------------


def test_drafts_are_drafts_with_one_exact_citation_of_the_passage(speakers):
    source = article(
        '"We are ready to restore our relations with the United States," Putin said.',
        "The Kremlin said that the leaders agreed to continue phone contacts and plan a meeting.",
    )
    drafts = create_suggested_drafts(source=source)
    assert len(drafts) == 2
    for statement in drafts:
        assert statement.status == Statement.Status.DRAFT
        (citation,) = statement.citations.all()
        assert citation.anchoring == Citation.Anchoring.EXACT
        assert citation.passage == source.original_text[citation.start : citation.end]
        assert citation.prefix == source.original_text[max(0, citation.start - 40) : citation.start]
        assert citation.suffix == source.original_text[citation.end : citation.end + 40]
        assert citation.is_verified
        assert statement.summary
    assert not Statement.objects.published().exists()


def test_create_suggested_drafts_twice_adds_nothing(speakers):
    source = article('"We are ready to restore our relations with the United States," Putin said.')
    assert len(create_suggested_drafts(source=source)) == 1
    counts = (Statement.objects.count(), Citation.objects.count(), Speaker.objects.count())
    assert create_suggested_drafts(source=source) == []
    assert (Statement.objects.count(), Citation.objects.count(), Speaker.objects.count()) == counts


def test_a_passage_already_cited_in_the_source_is_not_suggested_again(speakers):
    source = article('"We are ready to restore our relations with the United States," Putin said.')
    make_statement(
        speaker=speakers["putin"],
        source=source,
        passage="We are ready to restore our relations with the United States",
        text="We are ready to restore our relations with the United States",
    )
    assert create_suggested_drafts(source=source) == []


# --- Measured on the seeds -----------------------------------------------------------------------


def test_on_the_seed_articles_recall_and_precision_stay_at_or_above_what_was_measured():
    """Measured when written (evaluate_suggestions): recall 0.97 (35 of 36 curated statements found),
    precision 0.88 (35 of 40 suggestions right), date accuracy 0.74 of the right ones (26 of 35: the
    nine misses are the undated blog repost, which has no publication date). Floors sit a little below.
    The rules were written with the seed articles in view, so these are in-sample figures."""
    call_command("load_seeds", verbosity=0)
    total = Score()
    for source in Source.objects.filter(citations__statement__status="published").distinct():
        total.add(score_source(source, suggest_statements(source)))
    assert total.curated == 36
    assert total.recall >= 0.9
    assert total.precision >= 0.8
    assert total.date_accuracy >= 0.7
