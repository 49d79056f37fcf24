"""Importing an article file: the pure steps (refusing bad input, HTML to text, finding its metadata).

`services.import_source` puts these together and writes the Source; nothing here
touches the database.
"""

import contextlib
import datetime as dt
import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import PurePath

from django.conf import settings
from django.utils.text import slugify

from . import dates, reading

# A long article is ~50 KB of HTML; 2 MB leaves room for heavy pages and stops accidents (a PDF, a dump).
DEFAULT_MAX_BYTES = 2 * 1024 * 1024
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
TEXT_SUFFIXES = {".txt", ".text", ".md"}
SLUG_MAX_CHARS = 80


class ImportRefused(ValueError):
    """The file cannot be imported; the message is one line naming the file and saying why."""

    def __init__(self, name: str, reason: str) -> None:
        self.name = name
        self.reason = reason
        super().__init__(f"{name}: {reason}")


def max_bytes() -> int:
    return getattr(settings, "TIMELINE_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)


# --- Refusing what is not UTF-8 text -------------------------------------------------

_CONTROL_BYTES = set(range(0x20)) - {0x09, 0x0A, 0x0C, 0x0D} | {0x7F}


def decode(data: bytes, *, name: str) -> str:
    """The file's text, or ImportRefused when it is too big, empty, binary or not UTF-8.

    A UTF-8 byte order mark is an encoding mark, not text: it is dropped.
    """
    check_size(len(data), name=name)
    if not data.strip():
        raise ImportRefused(name, "empty file" if not data else "empty file (only whitespace)")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportRefused(name, "UTF-16 text; only UTF-8 is accepted (convert it with iconv -f UTF-16 -t UTF-8)")
    head = data[:8192]
    if b"\x00" in head:
        raise ImportRefused(name, "binary file (contains NUL bytes), not text")
    if sum(byte in _CONTROL_BYTES for byte in head) > len(head) * 0.05:
        raise ImportRefused(name, "binary file (mostly control characters), not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportRefused(name, _not_utf8_reason(data, error)) from None
    if "\x00" in text:
        raise ImportRefused(name, "binary file (contains NUL bytes), not text")
    return text


def check_size(size: int, *, name: str) -> None:
    """Refuse a file above the size limit whole, before anything is read or written."""
    if size > (limit := max_bytes()):
        raise ImportRefused(name, f"too big ({_size(size)}; the limit is {_size(limit)})")


def _not_utf8_reason(data: bytes, error: UnicodeDecodeError) -> str:
    reason = f"not valid UTF-8 (byte 0x{data[error.start]:02X} at offset {error.start})"
    letters = [char for char in data.decode("cp1251", errors="replace") if char.isalpha()]
    if letters and sum(_is_cyrillic(char) for char in letters) > len(letters) * 0.3:
        reason += "; it looks like Windows-1251 Cyrillic: convert it with iconv -f CP1251 -t UTF-8"
    return reason


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n:,} bytes"


def _is_cyrillic(char: str) -> bool:
    return "\u0400" <= char <= "\u04ff"


def looks_like_html(text: str, *, name: str = "") -> bool:
    """HTML by the file name's suffix; with no telling suffix, by the text starting with a tag.

    A .txt file with a stray <u> in it (as the seeds have) stays text.
    """
    suffix = PurePath(name).suffix.lower()
    if suffix in HTML_SUFFIXES:
        return True
    if suffix in TEXT_SUFFIXES:
        return False
    return bool(re.match(r"\s*<(!doctype\s+html|html|head|body|meta|article|main|div|p|h1|!--)\b", text, re.I))


# --- HTML to text ----------------------------------------------------------------

BLOCK_TAGS = {
    "address", "article", "blockquote", "body", "caption", "center", "dd", "details", "dialog", "div", "dl",
    "dt", "fieldset", "figcaption", "figure", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
    "li", "main", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead",
    "tr", "ul",
}  # fmt: skip
# Page furniture, never article text.
SKIPPED_TAGS = {
    "aside", "button", "canvas", "embed", "footer", "head", "iframe", "nav", "noscript", "object", "script",
    "select", "style", "svg", "template", "textarea",
}  # fmt: skip
SKIPPED_ROLES = {"banner", "complementary", "contentinfo", "dialog", "navigation", "search"}
# class/id words of widgets: share bars, comment threads, related-story lists, ads, cookie banners.
SKIPPED_CLASS_WORDS = {
    "adsbygoogle", "ads", "advert", "advertisement", "breadcrumb", "breadcrumbs", "comments", "cookie",
    "cookies", "modal", "newsletter", "paywall", "popup", "promo", "related", "share", "sharing", "sidebar",
    "social", "subscribe", "subscription",
}  # fmt: skip
NEVER_SKIPPED = {"html", "body", "main", "article"}
VOID_TAGS = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr",
}  # fmt: skip
_BLOCK, _LINE = "\x00block", "\x00line"


@dataclass
class HtmlPage:
    """What an HTML page says in its text and in its markup."""

    text: str
    title: str = ""
    h1: str = ""
    lang: str = ""
    canonical: str = ""
    meta: dict[str, str] = field(default_factory=dict)  # lower-cased name/property/itemprop → content
    times: list[str] = field(default_factory=list)  # <time datetime>, publication times first
    json_ld: list = field(default_factory=list)


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip: tuple[str, int] | None = None  # (tag, nesting) of the skipped element we are in
        self.pre = 0
        self.in_title = False
        self.in_h1 = False
        self.ld_json: list[str] | None = None
        self.title: list[str] = []
        self.h1: list[str] = []
        self.page = HtmlPage(text="")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {key: value or "" for key, value in attrs}
        self._markup(tag, attr)
        if self.skip:
            if tag == self.skip[0] and tag not in VOID_TAGS:
                self.skip = (tag, self.skip[1] + 1)
            return
        if tag not in VOID_TAGS and self._skipped(tag, attr):
            self.skip = (tag, 1)
            return
        if tag == "br":
            self.out.append(_LINE)
        elif tag in BLOCK_TAGS:
            self.out.append(_BLOCK)
        if tag == "pre":
            self.pre += 1
        if tag == "h1" and not self.h1:
            self.in_h1 = True

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if tag == "script":
            self._end_ld_json()
        if self.skip:
            if tag == self.skip[0]:
                self.skip = (tag, self.skip[1] - 1) if self.skip[1] > 1 else None
            return
        if tag in BLOCK_TAGS:
            self.out.append(_BLOCK)
        if tag == "pre":
            self.pre = max(0, self.pre - 1)
        if tag == "h1":
            self.in_h1 = False

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title.append(data)
        if self.ld_json is not None:
            self.ld_json.append(data)
        if self.skip:
            return
        if self.in_h1:
            self.h1.append(data)
        self.out.append(data if self.pre else re.sub(r"[ \t\n\r\f]+", " ", data))

    def _markup(self, tag: str, attr: dict[str, str]) -> None:
        """Metadata from tags, whether or not their text is kept."""
        page = self.page
        if tag == "html" and attr.get("lang"):
            page.lang = attr["lang"]
        elif tag == "title" and not self.title:
            self.in_title = True
        elif tag == "meta" and attr.get("content"):
            for key in ("property", "name", "itemprop"):
                if attr.get(key):
                    page.meta.setdefault(attr[key].strip().lower(), attr["content"].strip())
        elif tag == "link" and "canonical" in attr.get("rel", "").lower().split() and attr.get("href"):
            page.canonical = page.canonical or attr["href"].strip()
        elif tag == "time" and attr.get("datetime"):
            published = attr.get("itemprop") == "datePublished" or "pubdate" in attr
            if published or "publish" in attr.get("class", ""):
                page.times.insert(0, attr["datetime"])
            else:
                page.times.append(attr["datetime"])
        elif tag == "script" and attr.get("type", "").lower() == "application/ld+json":
            self.ld_json = []

    def _end_ld_json(self) -> None:
        if self.ld_json is not None:
            with contextlib.suppress(ValueError):  # broken structured data is no reason to refuse the page
                self.page.json_ld.append(json.loads("".join(self.ld_json)))
            self.ld_json = None

    @staticmethod
    def _skipped(tag: str, attr: dict[str, str]) -> bool:
        if tag in SKIPPED_TAGS:
            return True
        if tag in NEVER_SKIPPED:
            return False
        if "hidden" in attr or attr.get("aria-hidden") == "true" or attr.get("role") in SKIPPED_ROLES:
            return True
        words = re.split(r"[\s_-]+", f"{attr.get('class', '')} {attr.get('id', '')}".lower())
        return not SKIPPED_CLASS_WORDS.isdisjoint(words)

    def result(self) -> HtmlPage:
        self.close()
        raw = "".join("\n\n" if piece == _BLOCK else "\n" if piece == _LINE else piece for piece in self.out)
        lines = [line.strip(" \t\r\f") for line in raw.split("\n")]
        self.page.text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n") + "\n"
        self.page.title = _squash("".join(self.title))
        self.page.h1 = _squash("".join(self.h1))
        return self.page


def _squash(text: str) -> str:
    return " ".join(text.split())


def parse_html(html: str) -> HtmlPage:
    """The page's text and metadata.

    The text is deterministic: block elements start new paragraphs (a blank
    line between), <br> a new line, whitespace inside a paragraph collapses as a
    browser shows it (except in <pre>), entities are decoded, and scripts, styles,
    navigation, footers, asides and widgets (share bars, comments, related
    stories, ads) are left out.
    """
    parser = _PageParser()
    parser.feed(html)
    return parser.result()


def html_to_text(html: str) -> str:
    return parse_html(html).text


# --- Metadata --------------------------------------------------------------------


@dataclass
class Metadata:
    title: str
    publisher: str = ""
    published_on: dt.date | None = None
    language: str = "en"
    url: str = ""


_EN_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_RU_MONTHS = r"января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
# Dates a person can read unambiguously, with day, month and year.
DATE_IN_TEXT = re.compile(
    rf"\b(?:{_DAY}\s+(?:{_EN_MONTHS})\.?,?\s+\d{{4}}"
    rf"|(?:{_EN_MONTHS})\.?\s+{_DAY},?\s+\d{{4}}"
    rf"|\d{{1,2}}\s+(?:{_RU_MONTHS})\s+\d{{4}}"
    r"|\d{4}-\d{2}-\d{2}"
    r"|\d{1,2}\.\d{1,2}\.\d{4})\b",
    re.IGNORECASE,
)
# Render and crawl stamps ("06:45 GMT09 August 2020") and update notes: never the publication date.
RENDER_STAMP = re.compile(r"\d{1,2}:\d{2}\s*(?:GMT|UTC|MSK)\s*\d{1,2}\s*\w+\s+\d{4}", re.IGNORECASE)
UPDATE_WORDS = re.compile(
    r"\b(?:last\s+)?(?:updated|modified|edited|crawled|retrieved|accessed|printed)\b|обновлено|изменено",
    re.IGNORECASE,
)
PUBLISHED_LABEL = re.compile(r"^\W*(?:published|posted|first published|опубликовано|дата публикации)\b", re.I)
_NAME = r"[A-ZА-ЯЁ][\w/&.'’-]*"
BYLINE_NAME = re.compile(rf"({_NAME}(?:\s+{_NAME}){{0,3}}),\s*$")
AGENCY_DATELINE = re.compile(
    r"^\s*[A-ZА-ЯЁ]{2}[A-ZА-ЯЁ .'-]*(?:,[^()/\n]{0,40})?\s*"
    r"(?:\((?P<paren>[^()\n]{2,40})\)\s*[-–—]|/(?P<slash>[^/\n]{2,40})/)",
    re.MULTILINE,
)
SELF_DESCRIPTIONS = [
    re.compile(r"^(?P<name>\S[^\n]{0,40}?) journalists report the news in", re.MULTILINE),
    re.compile(r"^(?P<name>\S[^\n]{0,40}?) has been declared an? \"?undesirable", re.MULTILINE),
    re.compile(r"(?:copyright\s*)?©\s*(?:\d{4}\s*)?(?P<name>[^,.\n]{2,60})", re.IGNORECASE),
]
HEADLINE_MAX_WORDS = 25
TOP_LINES = 15


def detect_language(text: str, *, declared: str = "") -> str:
    """'ru' when Cyrillic letters outnumber the rest, else 'en'; a page's declared language when consistent."""
    letters = [char for char in text if char.isalpha()]
    cyrillic = sum(_is_cyrillic(char) for char in letters)
    by_script = "ru" if letters and cyrillic > len(letters) / 2 else "en"
    declared = declared.split("-")[0].split("_")[0].strip().lower()
    if re.fullmatch(r"[a-z]{2}", declared) and (declared in {"ru", "uk", "be", "bg", "sr"}) == (by_script == "ru"):
        return declared
    return by_script


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _is_body(line: str) -> bool:
    return len(line.split()) >= reading.BODY_LINE_WORDS and line.endswith(reading.SENTENCE_END)


def _top(text: str) -> list[str]:
    """The lines before the article's first paragraph, and the start of that paragraph (its dateline)."""
    top = []
    for line in _lines(text)[:TOP_LINES]:
        if _is_body(line):
            top.append(line[:80])
            break
        top.append(line)
    return top


def _is_furniture_pattern(line: str) -> bool:
    return any(pattern.search(line) for pattern in reading.FURNITURE)


def headline_from_text(text: str) -> str:
    """The first line above the article's first paragraph that looks like a headline, or ''."""
    for line in _lines(text)[:TOP_LINES]:
        if _is_body(line):
            break
        if line.endswith((".", ",", ";", ":")):
            continue
        words = line.split()
        if not 2 <= len(words) <= HEADLINE_MAX_WORDS or _is_furniture_pattern(line):
            continue
        if RENDER_STAMP.search(line) or UPDATE_WORDS.match(line):
            continue
        if DATE_IN_TEXT.search(line) or "<" in line or not any(char.isupper() for char in line):
            continue
        return line
    return ""


def _parse_day(text: str) -> dt.date | None:
    """A full date (day precision) that could be a publication date, or None."""
    if match := re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", text):
        # Dotted dates are day first wherever they are written (Russia, Europe); dateparser may read them US-style.
        try:
            day = dt.date(int(match[3]), int(match[2]), int(match[1]))
        except ValueError:
            return None
    else:
        span = dates.parse_date_span(text)
        if span is None or span.precision != dates.Precision.DAY:
            return None
        day = span.start
    return day if dt.date(1900, 1, 1) <= day <= dt.date.today() else None


def _dates_in(line: str) -> list[tuple[re.Match, dt.date]]:
    line = UPDATE_WORDS.split(RENDER_STAMP.sub(" ", line), maxsplit=1)[0]
    return [(match, day) for match in DATE_IN_TEXT.finditer(line) if (day := _parse_day(match.group()))]


def date_from_text(text: str) -> dt.date | None:
    """The publication date the text gives, or None rather than a guess.

    In order: a line labelled "Published ...", a byline ("Global Research,
    November 09, 2016"), any full date above the first paragraph or in its
    dateline. Render and update stamps ("06:45 GMT09 August 2020", "Last
    updated ...") never count.
    """
    for line in _lines(text):
        if PUBLISHED_LABEL.match(line) and (found := _dates_in(line)):
            return found[0][1]
    found = [(line, match, day) for line in _top(text) for match, day in _dates_in(line)]
    for line, match, day in found:
        if BYLINE_NAME.search(line[: match.start()]):
            return day
    return found[0][2] if found else None


def _clean_name(name: str) -> str:
    name = re.sub(r"<[^>]*>", "", name)
    name = re.sub(r"^(by|от)\s+", "", name.strip(), flags=re.I)
    return _squash(name).strip(" ,.;:-–—")


def publisher_from_text(text: str) -> str:
    """Who published the text, by its own clues, or ''.

    A wire dateline ("MOSCOW (Sputnik) —", "МОСКВА, 23 декабря. /ТАСС/."), a
    byline naming the publisher beside the date, then the site's description of
    itself in the footer ("RFE/RL journalists report the news in ...") or a
    copyright line.
    """
    if match := AGENCY_DATELINE.search(text):
        return _clean_name(match["paren"] or match["slash"])
    for line in _top(text):
        for match, _ in _dates_in(line):
            if name := BYLINE_NAME.search(line[: match.start()]):
                cleaned = _clean_name(name[1])
                # An all-capitals word before a date is a city dateline ("MOSCOW, ..."), unless as short as "AP".
                if cleaned and (not cleaned.isupper() or len(cleaned) <= 4 or "/" in cleaned):
                    return cleaned
    for pattern in SELF_DESCRIPTIONS:
        if (match := pattern.search(text)) and (name := _clean_name(match["name"])):
            return name
    return ""


def detect_text_metadata(text: str, *, name: str) -> Metadata:
    """Title, publisher, date and language of a plain-text article, from its own words."""
    return Metadata(
        title=headline_from_text(text) or PurePath(name).stem or name,
        publisher=publisher_from_text(text),
        published_on=date_from_text(text),
        language=detect_language(text),
    )


def _json_ld_items(data) -> list[dict]:
    items = data if isinstance(data, list) else [data]
    found = []
    for item in items:
        if isinstance(item, dict):
            found.append(item)
            found.extend(_json_ld_items(item.get("@graph", [])))
    return found


def _ld_value(page: HtmlPage, key: str) -> str:
    for data in page.json_ld:
        for item in _json_ld_items(data):
            value = item.get(key)
            if isinstance(value, dict):
                value = value.get("name", "")
            if isinstance(value, str) and value.strip():
                return value.strip()
    return ""


def _day_from_markup(value: str) -> dt.date | None:
    if match := re.match(r"\s*(\d{4}-\d{2}-\d{2})", value):
        try:
            day = dt.date.fromisoformat(match[1])
        except ValueError:
            return None
        return day if dt.date(1900, 1, 1) <= day <= dt.date.today() else None
    return _parse_day(value) if value.strip() else None


PUBLISHED_META = [
    "article:published_time", "datepublished", "date", "pubdate", "publishdate", "publish-date",
    "dc.date.issued", "dcterms.issued", "dc.date", "dcterms.created", "sailthru.date", "parsely-pub-date",
]  # fmt: skip


def _strip_site_suffix(title: str, site: str) -> str:
    """'Putin says ... | Site' → 'Putin says ...'; a dash is cut only before the site's own name."""
    match = re.match(r"(.+?)\s+([|–—-])\s+([^|–—]+)$", title)
    if match and (match[2] == "|" or (site and match[3].strip().casefold() == site.casefold())):
        return match[1]
    return title


def detect_html_metadata(page: HtmlPage, *, name: str) -> Metadata:
    """Title, publisher, date, language and address from the page's markup, then from its text."""
    from_text = detect_text_metadata(page.text, name=name)
    site = page.meta.get("og:site_name") or _ld_value(page, "publisher") or page.meta.get("application-name", "")
    title = page.meta.get("og:title") or _ld_value(page, "headline") or page.h1
    title = title or (_strip_site_suffix(page.title, site) if page.title else "") or from_text.title
    published_on = None
    for value in [*(page.meta.get(key, "") for key in PUBLISHED_META), _ld_value(page, "datePublished"), *page.times]:
        if value and (published_on := _day_from_markup(value)):
            break
    url = page.canonical or page.meta.get("og:url", "")
    return Metadata(
        title=_squash(title),
        publisher=_squash(site) or from_text.publisher,
        published_on=published_on or from_text.published_on,
        language=detect_language(page.text, declared=page.lang or page.meta.get("og:locale", "")),
        url=url if re.match(r"https?://", url) else "",
    )


# --- Slugs -------------------------------------------------------------------------

_CYRILLIC_TO_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "",
    "э": "e", "ю": "yu", "я": "ya",
}  # fmt: skip


def slug_base(title: str, publisher: str = "") -> str:
    """'global-research-putin-on-trump-victory-russia-is-ready-...': publisher and title, Latin letters, cut short."""
    words = f"{publisher} {title}".lower()
    latin = "".join(_CYRILLIC_TO_LATIN.get(char, char) for char in words)
    slug = slugify(latin)
    if len(slug) > SLUG_MAX_CHARS:
        slug = slug[: SLUG_MAX_CHARS + 1].rsplit("-", 1)[0]
    return slug or "source"
