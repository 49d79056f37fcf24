"""A synthetic corpus for load and speed work, marked as demo data and removable.

Demo statements have seed keys starting with "demo-" and cite one demo source; `--remove` deletes them all
and nothing else.
"""

import datetime as dt
import random

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from timeline import dates
from timeline.models import Citation, Event, Source, Speaker, Statement, Topic

DEMO_PREFIX = "demo-"
DEMO_SOURCE = "demo-corpus"
WORDS = [
    "relations", "dialogue", "sanctions", "summit", "security", "trade", "meeting", "normalization", "treaty",
    "arms", "control", "ceasefire", "cooperation", "interference", "elections", "embassy", "diplomats", "talks",
    "partnership", "pressure", "consultations",
]  # fmt: skip
BATCH = 2000


class Command(BaseCommand):
    help = "Create N synthetic published statements (demo data) for benchmarks, or remove them with --remove."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--statements", type=int, default=1000, help="How many demo statements to add.")
        parser.add_argument("--remove", action="store_true", help="Delete all demo data instead.")
        parser.add_argument("--seed", type=int, default=2016, help="Random seed, for repeatable corpora.")

    def handle(self, *args, **options) -> None:
        if options["remove"]:
            removed = remove_demo_data()
            self.stdout.write(self.style.SUCCESS(f"Removed {removed} demo statements."))
            return
        if options["statements"] < 1:
            raise CommandError("--statements must be at least 1.")
        speakers, topics = list(Speaker.objects.all()), list(Topic.objects.all())
        if not speakers:
            raise CommandError("No speakers: run `manage.py load_seeds` first.")
        created = generate(
            count=options["statements"],
            speakers=speakers,
            topics=topics,
            rng=random.Random(options["seed"]),  # noqa: S311 (repeatable test data, not secrets)
        )
        self.stdout.write(self.style.SUCCESS(f"Added {created} demo statements (remove them with --remove)."))


def remove_demo_data() -> int:
    with transaction.atomic():
        demo = Statement.objects.filter(seed_key__startswith=DEMO_PREFIX)
        count = demo.count()
        Citation.objects.filter(statement__in=demo).delete()
        demo.delete()
        Source.objects.filter(slug=DEMO_SOURCE).delete()
    return count


def generate(*, count: int, speakers: list, topics: list, rng: random.Random) -> int:
    """Add `count` published demo statements with a citation each; dates spread over 2000–2024."""
    start = Statement.objects.filter(seed_key__startswith=DEMO_PREFIX).count()
    sentences = [" ".join(rng.choice(WORDS) for _ in range(12)).capitalize() + "." for _ in range(500)]
    text = "\n\n".join(sentences)
    offsets, position = [], 0
    for sentence in sentences:
        offsets.append((position, position + len(sentence)))
        position += len(sentence) + 2
    source, _ = Source.objects.get_or_create(
        slug=DEMO_SOURCE,
        defaults={"title": "Demo corpus (synthetic)", "publisher": "Demo data", "original_text": text},
    )
    text = source.original_text
    events = list(Event.objects.all())
    Through = Statement.topics.through
    for batch_start in range(start, start + count, BATCH):
        batch = []
        for n in range(batch_start, min(batch_start + BATCH, start + count)):
            precision = rng.choices(list(dates.Precision.values), weights=[90, 8, 2])[0]
            day = dates.truncate(dt.date(2000, 1, 1) + dt.timedelta(days=rng.randrange(365 * 25)), precision)
            index = rng.randrange(len(sentences))
            batch.append(
                Statement(
                    seed_key=f"{DEMO_PREFIX}{n}",
                    speaker=rng.choice(speakers),
                    event=rng.choice(events) if events and rng.random() < 0.2 else None,
                    date=day,
                    date_precision=precision,
                    date_end=dates.span_end(day, precision),
                    date_evidence="Demo data.",
                    kind=rng.choice(Statement.Kind.values),
                    text=sentences[index],
                    summary=" ".join(sentences[index].split()[:8]),
                    status=Statement.Status.DRAFT,
                )
            )
            batch[-1]._sentence = index  # which sentence it quotes, for its citation below
        with transaction.atomic():
            # bulk_create skips save(): date_end is set above; history is not wanted for demo rows.
            saved = Statement.objects.bulk_create(batch)
            Citation.objects.bulk_create(
                Citation(
                    statement=statement,
                    source=source,
                    passage=text[offsets[statement._sentence][0] : offsets[statement._sentence][1]],
                    start=offsets[statement._sentence][0],
                    end=offsets[statement._sentence][1],
                )
                for statement in saved
            )
            if topics:
                Through.objects.bulk_create(
                    Through(statement_id=statement.pk, topic_id=rng.choice(topics).pk) for statement in saved
                )
            # Drafts first, then published in one statement once cited: the publishing rule checks each.
            Statement.objects.filter(pk__in=[statement.pk for statement in saved]).publish_verified()
    return count
