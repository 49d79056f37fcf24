"""Proposing draft statements from a source: quoted and reported speech, its speaker and its date.

Rules-based and deliberately simple, so an editor can predict what it does:

- The article's paragraphs (its reading spans, furniture left out) are cut into
  sentences, with quoted words kept whole.
- A sentence is speech when it holds an attribution: a speaker followed by a
  speech verb (`Putin said`, `the Kremlin added that`, `Volodin has also
  expressed hope`), the inverted form (`said the minister`) or `according to X`.
- A quotation standing as a clause of its own (`"...," Putin said`, `Putin
  replied, "..."`, `he said that "..."`) is a `quote` of the quoted words. Any
  other attributed sentence is reported speech: a `paraphrase` of the whole
  sentence, unless it carries a long quotation (8 words or more) of a person,
  which is then the quote. A quotation standing alone in its paragraph continues
  the quote just before it. Bodies (the Kremlin, an office) give `readout`s.
- A paraphrase without quoted words that leads into a quote of the same speaker
  (`Putin said Friday he agreed ...` then `"...," Putin said`) is the reporter's
  summary of that quote and is left out (`drop_lead_ins=False` keeps it).
- The same words twice in one source (a caption repeating the body) are
  suggested once, at their last occurrence.
- Speakers are matched to the database by alias (name, surname, body name),
  by title and side against the speaker's role (`the Russian President`, `the
  minister`: the last such speaker attributed, or the only one), and by pronoun
  (`he`/`she`: the last person attributed; `it`: the last body). An unknown
  name is proposed as a new speaker; its side is read from cues in the
  attribution (`Russian`, `Moscow`, `Duma` → ru; `US`, `American`,
  `Washington` → us) and is `ru` when there is none: this is a Russia-centred
  timeline whose unknown speakers are mostly Kremlin-adjacent. An editor checks it.
- Dates come from a time phrase in the attribution (`said Friday`, `said last
  month`, `Earlier today, ... expressed`), read by dateparser against the
  article's own date (never today). Without one, the article's date. Without
  an article date, an absolute date in the attribution, else the earliest
  absolute date in the article; failing both the suggestion has no date and
  `create_suggested_drafts` skips it (a statement needs a date; none is invented).
"""

import datetime as dt
import logging
import re
from dataclasses import dataclass, replace
from functools import lru_cache

from dateparser.date import DateDataParser
from dateparser.search import search_dates
from django.db import transaction
from django.utils.text import slugify

from . import anchoring, reading
from .dates import LANGUAGES, Precision, format_at_precision, truncate
from .models import Citation, Side, Source, Speaker, Statement

logger = logging.getLogger(__name__)

LONG_QUOTE_WORDS = 8
SUMMARY_WORDS = 15
# How many paragraphs on a quote may follow the lead-in that introduces it.
LEAD_IN_REACH = 2


@dataclass(frozen=True)
class Suggestion:
    """A proposed statement: who, what kind, which words, where, and when (with how we know)."""

    speaker_name: str
    speaker_slug: str
    side: str
    speaker_exists: bool
    speaker_role: str
    kind: str
    text: str
    summary: str
    passage: str
    start: int
    end: int
    prefix: str
    suffix: str
    date: dt.date | None
    precision: str
    evidence: str


# --- Speakers -----------------------------------------------------------------------------------

BODY_WORDS = re.compile(
    r"\b(kremlin|office|ministry|government|administration|team|white house|department|embassy|committee|"
    r"council|parliament|duma|statement|service|agency|cabinet)\b",
    re.IGNORECASE,
)
TITLES = {
    "president": ("president",),
    "leader": ("president", "prime minister", "leader"),
    "minister": ("minister",),
    "speaker": ("speaker",),
    "spokesman": ("spokesman", "spokesperson", "press secretary"),
    "spokeswoman": ("spokeswoman", "spokesperson", "press secretary"),
    "spokesperson": ("spokesperson", "spokesman", "spokeswoman", "press secretary"),
    "secretary": ("secretary",),
    "chancellor": ("chancellor",),
    "premier": ("prime minister", "premier"),
}
TITLE_WORD = r"(?:president(?:-elect)?|leader|minister|speaker|spokes(?:man|woman|person)|secretary|chancellor|premier)"
RU_CUES = re.compile(r"\b(Russian?|Moscow|Kremlin|Duma|Soviet)\b", re.IGNORECASE)
US_CUES = re.compile(
    r"(\bUS\b|\bU\.S\.|\bAmerican|\bWashington\b|White House|State Department|Pentagon|\bCongress|\bSenat)"
)
# Capitalised words that name places, media or calendar, not people: never proposed as speakers.
NOT_SPEAKERS = {
    "moscow", "washington", "russia", "america", "ukraine", "kiev", "kyiv", "crimea", "syria", "china",
    "beijing", "europe", "london", "paris", "berlin", "tokyo", "japan", "us", "u.s.", "usa", "uk", "eu",
    "nato", "un", "reuters", "ap", "afp", "tass", "interfax", "ria", "novosti", "sputnik", "rt", "cnn", "bbc",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "however", "but", "and",
    "earlier", "later", "meanwhile", "also", "then", "it", "this", "that", "there", "they", "we", "i", "you",
}  # fmt: skip
# Capitalised words of a title, not of a name: "US Secretary of State John Kerry" is John Kerry.
ROLE_WORDS = {
    "state", "foreign", "defense", "defence", "secretary", "minister", "president", "president-elect", "speaker",
    "duma", "senator", "senate", "kremlin", "spokesman", "spokeswoman", "spokesperson", "press", "deputy", "prime",
    "general", "ambassador", "department", "house", "white", "russian", "american", "chief", "staff", "leader",
    "chairman", "head", "former", "vice", "national", "security", "adviser", "advisor", "aide", "envoy", "special",
}  # fmt: skip
MAX_NAME_WORDS = 3
PRONOUNS_PERSON = {"he", "she"}
PRONOUNS_BODY = {"it"}
# Words between a speaker and the speech verb: "Putin has also repeatedly said".
ADVERBS = re.compile(
    r"(?:\s+(?:has|have|had|also|once|again|repeatedly|then|later|earlier|further|previously|already|just|"
    r"reportedly|himself|herself|itself|publicly|separately|however|too|yet))+\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class SpeakerRef:
    name: str
    slug: str
    side: str
    role: str
    exists: bool

    @property
    def is_body(self) -> bool:
        return bool(BODY_WORDS.search(self.name))


def _alias_pattern(alias: str) -> str:
    words = [re.escape(word).replace("’", "['’]").replace("'", "['’]") for word in alias.split()]
    return r"\s+".join(words)


class SpeakerDirectory:
    """Known speakers and what an article has attributed so far, to resolve names, titles and pronouns."""

    def __init__(self, speakers: list[SpeakerRef]) -> None:
        self.speakers = list(speakers)
        self.last_person: SpeakerRef | None = None
        self.last_body: SpeakerRef | None = None
        self.attributed: list[SpeakerRef] = []
        self._aliases: list[tuple[re.Pattern[str], SpeakerRef]] = []
        for speaker in self.speakers:
            self._add_aliases(speaker)

    @classmethod
    def from_database(cls) -> "SpeakerDirectory":
        return cls(
            [
                SpeakerRef(name=s.name, slug=s.slug, side=s.side, role=s.role, exists=True)
                for s in Speaker.objects.order_by("pk")
            ]
        )

    def _add_aliases(self, speaker: SpeakerRef) -> None:
        name = re.sub(r"^the\s+", "", speaker.name, flags=re.IGNORECASE)
        aliases = {name}
        if speaker.is_body:
            if match := re.match(r"^(.+?['’]s)\s+office$", name, re.IGNORECASE):
                aliases |= {f"{match[1]} {word}" for word in ("statement", "team", "transition team")}
        else:
            words = name.split()
            if len(words) > 1 and len(words[-1]) > 2:
                aliases.add(words[-1])  # the surname
        for alias in sorted(aliases, key=len, reverse=True):
            flags = re.IGNORECASE if speaker.is_body else 0
            self._aliases.append((re.compile(rf"(?<![\w'’-]){_alias_pattern(alias)}(?![\w-])", flags), speaker))
        self._aliases.sort(key=lambda pair: len(pair[0].pattern), reverse=True)

    def note(self, speaker: SpeakerRef) -> None:
        """Remember `speaker` as the last one attributed, for pronouns and titles that follow."""
        if speaker.is_body:
            self.last_body = speaker
        else:
            self.last_person = speaker
        self.attributed.append(speaker)
        if speaker not in self.speakers:
            self.speakers.append(speaker)
            self._add_aliases(speaker)

    def resolve(self, phrase: str) -> SpeakerRef | None:
        """The speaker a subject phrase names ('Russian President Vladimir Putin', 'the minister', 'he')."""
        phrase = " ".join(phrase.replace("\xa0", " ").split()).strip(" ,;:–—-")
        if not phrase:
            return None
        lowered = phrase.lower()
        if lowered in PRONOUNS_PERSON:
            return self.last_person
        if lowered in PRONOUNS_BODY:
            return self.last_body
        for pattern, speaker in self._aliases:
            if (match := pattern.search(phrase)) and not phrase[match.end() :].strip():
                return speaker
        if speaker := self._by_title(phrase):
            return speaker
        return self._proposed(phrase)

    def _by_title(self, phrase: str) -> SpeakerRef | None:
        match = re.search(rf"\b({TITLE_WORD})$", phrase, re.IGNORECASE)
        if not match:
            return None
        title = match[1].lower().removesuffix("-elect")
        role_words = TITLES.get(title, (title,))
        side = _side_cue(phrase)
        candidates = [
            speaker
            for speaker in self.speakers
            if not speaker.is_body
            and any(word in speaker.role.lower() for word in role_words)
            and (side is None or speaker.side == side)
        ]
        for speaker in reversed(self.attributed):
            if speaker in candidates:
                return speaker
        return candidates[0] if len(candidates) == 1 else None

    def _proposed(self, phrase: str) -> SpeakerRef | None:
        """A new speaker from a name in the phrase: its last capitalised words that are not a title."""
        tokens = phrase.split()
        name: list[str] = []
        for token in reversed(tokens):
            if (
                len(name) < MAX_NAME_WORDS
                and re.fullmatch(r"[A-Z][\w.'’-]*", token)
                and not re.search(r"['’]s$", token)
                and token.lower() not in ROLE_WORDS | NOT_SPEAKERS | {"the"}
            ):
                name.insert(0, token)
            else:
                break
        if not name or (len(name) == 1 and name[0].isupper()):
            return None  # no name, or a lone acronym ("AP said"): a news agency or a body we cannot name
        full = " ".join(name)
        role = " ".join(tokens[: len(tokens) - len(name)])
        role = re.sub(r"^(the|a|an)\s+", "", role, flags=re.IGNORECASE)
        return SpeakerRef(name=full, slug=slugify(full), side=_side_cue(phrase) or Side.RUSSIA, role=role, exists=False)


def _side_cue(text: str) -> str | None:
    if RU_CUES.search(text):
        return Side.RUSSIA
    if US_CUES.search(text):
        return Side.UNITED_STATES
    return None


# --- Sentences and quotations --------------------------------------------------------------------

SPEECH_VERB = (
    r"(?:said|says|told|added|noted|stressed|emphasi[sz]ed|insisted|stated|declared|announced|replied|answered|"
    r"assured|warned|explained|remarked|argued|claimed|urged|commented|continued|concluded|tweeted|wrote|"
    r"reiterated|recalled|underlined|acknowledged|admitted|pointed out|"
    r"expressed\s+(?:hope|confidence|concern|regret|readiness|doubt|the\s+hope|his\s+hope|her\s+hope))"
)
VERB_RE = re.compile(rf"\b{SPEECH_VERB}\b")
ACCORDING_RE = re.compile(r"\baccording\s+to\s+(?P<who>[^,.;:]+)", re.IGNORECASE)
INVERTED_SUBJECT = re.compile(
    rf"^\s*(?P<who>(?:[Tt]he\s+)?(?:[A-Z][\w'’.-]*\s+)*(?:(?i:{TITLE_WORD})|[A-Z][\w'’.-]*)(?:\s+[A-Z][\w'’.-]*)*)"
)
OPENING = {'"': '"', "“": "”", "«": "»"}
ABBREVIATIONS = re.compile(r"\b(?:Mr|Mrs|Ms|Dr|St|Gen|Sen|Rep|Gov|Lt|Col|No|U\.S|U\.N|Jr|Sr)\.$")


@dataclass(frozen=True)
class Quote:
    start: int  # of the first quoted character (inside the marks)
    end: int  # just after the last quoted character

    @property
    def outer(self) -> tuple[int, int]:
        return self.start - 1, self.end + 1


def find_quotes(text: str, start: int, end: int) -> list[Quote]:
    """Quotations in text[start:end], pairing straight quotes in order and curly ones by shape."""
    quotes = []
    position = start
    while position < end:
        char = text[position]
        if char in OPENING:
            close = text.find(OPENING[char], position + 1, end)
            if close == -1:
                break
            quotes.append(Quote(position + 1, close))
            position = close + 1
        else:
            position += 1
    return quotes


def masked(text: str, start: int, end: int, quotes: list[Quote]) -> str:
    """text[start:end] with quoted words blanked (same length), so speech verbs and dates inside quotes are ignored."""
    chars = list(text[start:end])
    for quote in quotes:
        for index in range(max(quote.start, start), min(quote.end, end)):
            chars[index - start] = " "
    return "".join(chars)


def sentences(text: str, start: int, end: int, quotes: list[Quote]) -> list[tuple[int, int]]:
    """(start, end) of each sentence of a paragraph; a quotation never splits."""
    blanked = masked(text, start, end, quotes)
    spans = []
    begin = start
    for match in re.finditer(r"(?<=[.?!])[\"”»]?\s+(?=[\"“«A-Z])|(?<=[\"”»])\s+(?=[\"“«A-Z])", blanked):
        cut = start + match.start()
        before = text[begin:cut].rstrip()
        if before.endswith(('"', "”", "»")):
            inner = before[:-1].rstrip()
            if not inner.endswith((".", "?", "!")):
                continue
        elif ABBREVIATIONS.search(before):
            continue
        cut_end = cut + len(match.group().rstrip())
        spans.append((begin, cut_end))
        begin = start + match.end()
    spans.append((begin, end))
    return [(s, e) for s, e in spans if text[s:e].strip()]


# --- Dates --------------------------------------------------------------------------------------

WEEKDAYS = r"monday|tuesday|wednesday|thursday|friday|saturday|sunday"
RU_WEEKDAYS = r"понедельник|вторник|сред[уа]|четверг|пятниц[уа]|суббот[уа]|воскресенье"
MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t|tember)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
RU_MONTHS = r"январ|феврал|март|апрел|ма[йяе]|июн|июл|август|сентябр|октябр|ноябр|декабр"
RU_TIME_PHRASE = re.compile(
    rf"{RU_WEEKDAYS}|{RU_MONTHS}|сегодня|вчера|прошл\w+\s+(?:недел|месяц|год)\w*|\d{{4}}\s+год", re.IGNORECASE
)
DURATION = re.compile(r"\b\d+\s+(?:years?|months?|weeks?|days?)\b|\bin\s+a\s+\w+\b", re.IGNORECASE)
WEEKDAY_RE = re.compile(rf"\b({WEEKDAYS}|{RU_WEEKDAYS})\b", re.IGNORECASE)
LAST_WEEK_RE = re.compile(r"\b(?:last|past)\s+week\b|прошлой\s+неделе", re.IGNORECASE)
TODAY_RE = re.compile(r"\b(?:earlier\s+|later\s+)?today\b|сегодня", re.IGNORECASE)
MONTH_NAME = re.compile(rf"\b(?:{MONTHS})\b|{RU_MONTHS}", re.IGNORECASE)
EN_MONTH_NAMES = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?"
    r"|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
EN_WEEKDAY_NAMES = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
# Month and weekday names capitalised, so that "may" the verb is no month.
EN_TIME_PHRASE = re.compile(
    r"(?:\b(?i:on|in|since|during)\s+)?\b(?:"
    rf"\d{{1,2}}\s+{EN_MONTH_NAMES}\.?(?:,?\s+\d{{4}})?"
    rf"|{EN_MONTH_NAMES}\.?(?:\s+\d{{1,2}}(?!\d))?(?:,?\s+\d{{4}})?"
    rf"|(?i:last|this|past)\s+(?:(?i:week|month|year)|{EN_WEEKDAY_NAMES})"
    r"|(?i:(?:earlier\s+|later\s+)?today|yesterday)"
    rf"|{EN_WEEKDAY_NAMES}"
    r"|(?i:in)\s+(?:1[89]|20)\d{2}"
    r")\b"
)
HAS_YEAR = re.compile(r"\b(1[89]|20)\d{2}\b")


@dataclass(frozen=True)
class ResolvedDate:
    date: dt.date
    precision: str
    evidence: str


@lru_cache(maxsize=32)
def _date_parser(base: dt.date) -> DateDataParser:
    return DateDataParser(
        languages=LANGUAGES,
        settings={
            "RELATIVE_BASE": dt.datetime.combine(base, dt.time()),
            "PREFER_DATES_FROM": "past",
            "PREFER_DAY_OF_MONTH": "first",
        },
    )


def time_phrases(text: str, base: dt.date | None) -> list[tuple[str, str]]:
    """The time phrases in `text`, in order: English ones by pattern, others as dateparser finds them.

    dateparser's search alone both misses ("the election of 8 November 2016"
    gives only "2016") and invents ("We", "a second", "200 years"), so its hits
    count only where no pattern matched and only when they look like a time.
    Each phrase comes as (the phrase with a speech verb or "earlier" before it,
    for the evidence note; the phrase itself).
    """
    spans = [(match.start(), match.end()) for match in EN_TIME_PHRASE.finditer(text)]
    settings = {"PREFER_DATES_FROM": "past", "PREFER_DAY_OF_MONTH": "first"}
    if base:
        settings["RELATIVE_BASE"] = dt.datetime.combine(base, dt.time())
    try:
        hits = search_dates(text, languages=LANGUAGES, settings=settings) or []
    except OverflowError:  # dateparser stepping past date.min or date.max from an article dated at either end
        hits = []
    for hit, _ in hits:
        phrase = re.split(r",(?!\s*\d)", hit)[0].strip()
        at = text.find(phrase)
        if at < 0 or not (EN_TIME_PHRASE.search(phrase) or RU_TIME_PHRASE.search(phrase)) or DURATION.search(phrase):
            continue
        if not any(start < at + len(phrase) and at < end for start, end in spans):
            spans.append((at, at + len(phrase)))
    phrases = []
    for start, end in sorted(spans):
        phrase = text[start:end]
        match = re.search(r"(\b\w+)\s+$", text[:start])
        if match and (VERB_RE.fullmatch(match[1]) or match[1].lower() in {"earlier", "later"}):
            phrases.append((f"{match[1]} {phrase}", phrase))  # "said Friday", "Earlier today"
        else:
            phrases.append((phrase, phrase))
    return phrases


def resolve_time_phrase(phrase: str, article_date: dt.date | None, *, shown: str = "") -> ResolvedDate | None:
    """A time phrase ('on Friday', 'last month', 'December 13') read against the article's date.

    With no article date only phrases that carry their own year resolve. `shown`
    is the phrase as the evidence note quotes it (default: the phrase). None too
    where reading it would step past the ends of the calendar (an article dated 31 Dec 9999).
    """
    try:
        return _resolve_time_phrase(phrase, article_date, shown=shown)
    except OverflowError:  # a day or a week either side of date.min or date.max, here or inside dateparser
        return None


def _resolve_time_phrase(phrase: str, article_date: dt.date | None, *, shown: str) -> ResolvedDate | None:
    written = " ".join(phrase.split())
    where = f"in an article of {format_at_precision(article_date, Precision.DAY)}" if article_date else ""
    quoted = f'"{" ".join((shown or phrase).split())}"'
    if article_date is None:
        if not HAS_YEAR.search(written):
            return None
        data = _date_parser(dt.date(2000, 1, 1)).get_date_data(re.sub(r"^(on|in)\s+", "", written, flags=re.I))
        if data.date_obj is None:
            return None
        precision = data.period if data.period in Precision.values else Precision.DAY
        day = truncate(data.date_obj.date(), precision)
        return ResolvedDate(day, precision, f"{quoted} → {format_at_precision(day, precision)} ({precision})")
    if TODAY_RE.search(written):
        day, precision = article_date, Precision.DAY
    elif LAST_WEEK_RE.search(written):
        monday = article_date - dt.timedelta(days=article_date.weekday() + 7)
        sunday = monday + dt.timedelta(days=6)
        if monday.month == sunday.month:
            day, precision = monday.replace(day=1), Precision.MONTH
        else:
            return ResolvedDate(
                article_date,
                Precision.DAY,
                f"{quoted} {where}: the week of {monday:%-d %b} to {sunday:%-d %b %Y} spans two months, "
                f"so the article's date stands; needs review",
            )
    elif match := WEEKDAY_RE.search(written):
        # The named weekday on or before the article's date: dateparser alone would skip
        # the article's own day ("Friday" in a Friday story is that day, not a week before).
        data = _date_parser(article_date + dt.timedelta(days=1)).get_date_data(match[1])
        if data.date_obj is None:
            return None
        day, precision = data.date_obj.date(), Precision.DAY
    else:
        text = re.sub(r"^(on|in|during|since)\s+", "", written, flags=re.IGNORECASE)
        data = _date_parser(article_date).get_date_data(text)
        if data.date_obj is None:
            return None
        precision = data.period if data.period in Precision.values else Precision.DAY
        day = data.date_obj.date()
        if day > article_date and MONTH_NAME.search(text) and not HAS_YEAR.search(text) and day.year > dt.MINYEAR:
            day = day.replace(year=day.year - 1)
        day = truncate(day, precision)
    if day > article_date:
        return None  # said after the article was published: a plan or a forecast, not when it was said
    return ResolvedDate(day, precision, f"{quoted} {where} → {format_at_precision(day, precision)} ({precision})")


def earliest_absolute_date(text: str) -> ResolvedDate | None:
    """The earliest date with its own year in `text` (for a source without a publication date)."""
    best = None
    for shown, phrase in time_phrases(text, None):
        resolved = resolve_time_phrase(phrase, None, shown=shown)
        if resolved and (best is None or resolved.date < best.date):
            best = resolved
    return best


# --- Finding the statements ---------------------------------------------------------------------


@dataclass
class _Found:
    speaker: SpeakerRef
    kind: str
    start: int
    end: int
    paragraph: int
    date: ResolvedDate | None
    dated_by_phrase: bool
    has_quotes: bool
    is_quote: bool = False  # the quoted words themselves, not a sentence reporting them
    lead_in: bool = False


@dataclass(frozen=True)
class _Attribution:
    speaker: SpeakerRef
    start: int  # of the attribution in the sentence (absolute offset)
    end: int
    window: str  # the words around it that may hold its time phrase
    verb_at: int  # where the speech verb ends in `window`


def _attributions(text: str, start: int, blank: str, directory: SpeakerDirectory) -> list[_Attribution]:
    """Every resolvable attribution in a sentence (`blank` is the sentence with quotations blanked)."""
    found = []
    for match in VERB_RE.finditer(blank):
        before = blank[: match.start()]
        segment_start = max(before.rfind(ch) for ch in ',;:"“”()—–') + 1
        segment = ADVERBS.sub("", before[segment_start:])
        speaker = None
        subject_start = start + segment_start
        if segment.strip():
            words = segment.split()
            # The subject is the tail of the segment: try the longest tail first.
            for count in range(min(len(words), 8), 0, -1):
                tail = " ".join(words[-count:])
                if count > 1 and not re.match(r"[A-Z]|the\b|in\s+its\b", tail):
                    continue
                speaker = directory.resolve(tail)
                if speaker:
                    break
        else:
            inverted = INVERTED_SUBJECT.match(blank[match.end() :])
            if inverted:
                speaker = directory.resolve(inverted["who"])
        if speaker is None:
            continue
        after = blank[match.end() :]
        stop = re.search(r"\bthat\b|[,.;:]|\s{2,}", after)
        window = blank[: match.end()] + (after[: stop.start()] if stop else after)
        found.append(_Attribution(speaker, subject_start, start + match.end(), window, match.end()))
    for match in ACCORDING_RE.finditer(blank):
        who = match["who"].strip()
        speaker = directory.resolve(who)
        if speaker is not None:
            found.append(_Attribution(speaker, start + match.start(), start + match.end(), match.group(), 0))
    return sorted(found, key=lambda attribution: attribution.start)


def _date_for(attribution: _Attribution, article_date: dt.date | None) -> tuple[ResolvedDate | None, bool]:
    """The date a time phrase in the attribution gives, the phrase nearest the speech verb first."""
    window, verb_at = attribution.window, attribution.verb_at

    def distance(phrases: tuple[str, str]) -> int:
        at = window.find(phrases[1])
        return at - verb_at if at >= verb_at else verb_at - (at + len(phrases[1]))

    for shown, phrase in sorted(time_phrases(window, article_date), key=distance):
        if resolved := resolve_time_phrase(phrase, article_date, shown=shown):
            return replace(resolved, evidence=f"{resolved.evidence}, read from the attribution"), True
    return None, False


def _body_spans(source: Source) -> list[tuple[int, int]]:
    spans = source.reading_spans or reading.reading_spans(source.original_text, source.title)
    return [tuple(span) for span in spans]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and (text[start].isspace() or text[start] in ",;"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;"):
        end -= 1
    return start, end


def _find(source: Source, directory: SpeakerDirectory) -> list[_Found]:
    text = source.original_text
    article_date = source.published_on
    found: list[_Found] = []
    for paragraph_index, (p_start, p_end) in enumerate(_body_spans(source)):
        quotes = find_quotes(text, p_start, p_end)
        for s_start, s_end in sentences(text, p_start, p_end, quotes):
            in_sentence = [q for q in quotes if s_start < q.start and q.end < s_end]
            blank = masked(text, s_start, s_end, in_sentence)
            attributions = _attributions(text, s_start, blank, directory)
            if not attributions:
                found.extend(_continuation(text, s_start, s_end, in_sentence, paragraph_index, p_start, p_end, found))
                continue
            found.extend(
                _speech(text, s_start, s_end, in_sentence, attributions, paragraph_index, article_date, directory)
            )
    return found


def _continuation(text, s_start, s_end, quotes, paragraph_index, p_start, p_end, found) -> list[_Found]:
    """A paragraph that is only a quotation continues the quote just before it."""
    if len(quotes) != 1 or not found:
        return []
    quote = quotes[0]
    outer_start, outer_end = quote.outer
    whole_paragraph = not text[p_start:outer_start].strip() and not text[outer_end:p_end].strip(" .,\n")
    previous = found[-1]
    if not whole_paragraph or previous.kind == Statement.Kind.PARAPHRASE or previous.paragraph != paragraph_index - 1:
        return []
    start, end = _trim(text, quote.start, quote.end)
    date = previous.date
    if date:
        date = replace(date, evidence=f"{date.evidence}; the quote continues the one before it")
    return [
        _Found(previous.speaker, previous.kind, start, end, paragraph_index, date, previous.dated_by_phrase, True, True)
    ]


def _is_clause(text: str, s_start: int, quote: Quote, blank: str) -> bool:
    """Whether a quotation stands as a clause of its own, not as a few words inside a sentence.

    It opens the sentence, or follows `that` or a speech verb and a comma ("Putin
    replied, "...""); and it ends the sentence, or ends in punctuation before the
    attribution (""...," Putin said").
    """
    outer_start, outer_end = quote.outer
    before = blank[: outer_start - s_start]
    after = blank[outer_end - s_start :]
    opens = not before.strip() or re.search(rf"(?:\bthat|{SPEECH_VERB}[^,]*[,:])\s*$", before)
    if not opens:
        return False
    if not after.strip(" .?!\n"):
        return True
    ends_in_punctuation = text[quote.start : quote.end].rstrip().endswith((",", ".", "?", "!"))
    return not before.strip() and (after.lstrip().startswith((",", ".")) or ends_in_punctuation)


def _speech(text, s_start, s_end, quotes, attributions, paragraph_index, article_date, directory) -> list[_Found]:
    blank = masked(text, s_start, s_end, quotes)
    results = []
    clause_quotes = [q for q in quotes if _is_clause(text, s_start, q, blank)]
    attribution = attributions[0]
    for quote in clause_quotes:
        # The attribution that goes with a quote: the nearest before it, else the first after it.
        preceding = [a for a in attributions if a.end <= quote.start]
        attribution = preceding[-1] if preceding else attributions[0]
        speaker = attribution.speaker
        directory.note(speaker)
        date, by_phrase = _date_for(attribution, article_date)
        kind = Statement.Kind.READOUT if speaker.is_body else Statement.Kind.QUOTE
        start, end = _trim(text, quote.start, quote.end)
        results.append(_Found(speaker, kind, start, end, paragraph_index, date, by_phrase, True, True))
    if clause_quotes:
        return results
    speaker = attribution.speaker
    directory.note(speaker)
    date, by_phrase = _date_for(attribution, article_date)
    content = blank.replace(text[attribution.start : attribution.end], " ")
    if len(content.split()) < 4 and not quotes:
        return []  # an attribution with nothing reported ("Putin said.")
    long_quotes = [q for q in quotes if len(text[q.start : q.end].split()) >= LONG_QUOTE_WORDS]
    if long_quotes and not speaker.is_body:
        start, end = _trim(text, long_quotes[0].start, long_quotes[0].end)
        return [_Found(speaker, Statement.Kind.QUOTE, start, end, paragraph_index, date, by_phrase, True, True)]
    kind = Statement.Kind.READOUT if speaker.is_body else Statement.Kind.PARAPHRASE
    start, end = _trim(text, s_start, s_end)
    return [_Found(speaker, kind, start, end, paragraph_index, date, by_phrase, bool(quotes))]


def _mark_lead_ins(found: list[_Found]) -> None:
    """A paraphrase without quoted words that leads into a quote of the same speaker summarises that quote.

    Its time phrase ("Putin said Friday ...") then dates the quote it introduces.
    """
    following: _Found | None = None
    for item in reversed(found):
        if (
            following is not None
            and not item.has_quotes
            and following.speaker.slug == item.speaker.slug
            and (following.is_quote or following.lead_in)
            and following.paragraph - item.paragraph <= LEAD_IN_REACH
        ):
            item.lead_in = True
        following = item
    carried: _Found | None = None
    for item in found:
        if item.lead_in:
            if item.dated_by_phrase:
                carried = item
        elif carried is not None:
            if item.speaker.slug == carried.speaker.slug and not item.dated_by_phrase and carried.date:
                item.date = replace(carried.date, evidence=f"{carried.date.evidence}, in the sentence introducing it")
                item.dated_by_phrase = True
            carried = None


def summarize(words: str) -> str:
    """The first words of a statement, as a one-line summary for the editor to rewrite."""
    tokens = words.split()
    summary = " ".join(tokens[:SUMMARY_WORDS])
    return summary + ("…" if len(tokens) > SUMMARY_WORDS else "")


def suggest_statements(source: Source, *, drop_lead_ins: bool = True) -> list[Suggestion]:
    """Draft statements for `source`, in the order they appear; reads the database, writes nothing."""
    directory = SpeakerDirectory.from_database()
    text = source.original_text
    found = _find(source, directory)
    if drop_lead_ins:
        _mark_lead_ins(found)
        found = [item for item in found if not item.lead_in]

    # The same words twice (a caption echoing the body): keep the last.
    last_of: dict[tuple[str, ...], int] = {}
    for index, item in enumerate(found):
        last_of[tuple(text[item.start : item.end].split())] = index
    found = [item for index, item in enumerate(found) if last_of[tuple(text[item.start : item.end].split())] == index]

    fallback = None
    if source.published_on is None:
        body = "\n".join(text[start:end] for start, end in _body_spans(source))
        fallback = earliest_absolute_date(body)

    suggestions = []
    for item in found:
        date = item.date
        if date is None and source.published_on:
            day = source.published_on
            date = ResolvedDate(
                day,
                Precision.DAY,
                f"no time phrase near the statement: the article's date, {format_at_precision(day, Precision.DAY)}",
            )
        elif date is None and fallback:
            date = replace(
                fallback,
                evidence=f"the source has no publication date; earliest date in the article: {fallback.evidence}",
            )
        passage = text[item.start : item.end]
        prefix, suffix = anchoring.quote_context(text, item.start, item.end)
        suggestions.append(
            Suggestion(
                speaker_name=item.speaker.name,
                speaker_slug=item.speaker.slug,
                side=item.speaker.side,
                speaker_exists=item.speaker.exists,
                speaker_role=item.speaker.role,
                kind=item.kind,
                text=" ".join(passage.split()),
                summary=summarize(passage),
                passage=passage,
                start=item.start,
                end=item.end,
                prefix=prefix,
                suffix=suffix,
                date=date.date if date else None,
                precision=date.precision if date else Precision.DAY,
                evidence=date.evidence if date else "no date found: the source has no publication date",
            )
        )
    return suggestions


@transaction.atomic
def create_suggested_drafts(*, source: Source) -> list[Statement]:
    """Save the suggestions for `source` as draft statements with one exact citation each.

    New speakers are created only here. A suggestion whose passage overlaps a
    passage already cited in this source is skipped, so running it twice adds
    nothing; so is one without a date. Nothing is published.
    """
    cited = list(Citation.objects.filter(source=source).values_list("start", "end"))
    created = []
    for suggestion in suggest_statements(source):
        if any(start < suggestion.end and suggestion.start < end for start, end in cited):
            continue
        if suggestion.date is None:
            logger.info("Skipped a suggestion without a date in %s: %r", source.slug, suggestion.summary)
            continue
        speaker, _ = Speaker.objects.get_or_create(
            slug=suggestion.speaker_slug,
            defaults={"name": suggestion.speaker_name, "side": suggestion.side, "role": suggestion.speaker_role[:200]},
        )
        statement = Statement.objects.create(
            speaker=speaker,
            date=suggestion.date,
            date_precision=suggestion.precision,
            date_evidence=suggestion.evidence,
            kind=suggestion.kind,
            text=suggestion.text,
            summary=suggestion.summary[:300],
            status=Statement.Status.DRAFT,
        )
        Citation.objects.create(
            statement=statement,
            source=source,
            passage=suggestion.passage,
            start=suggestion.start,
            end=suggestion.end,
            prefix=suggestion.prefix,
            suffix=suggestion.suffix,
            anchoring=Citation.Anchoring.EXACT,
        )
        cited.append((suggestion.start, suggestion.end))
        created.append(statement)
    return created
