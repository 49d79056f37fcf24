"""Prints server-side figures for the chronology against the current database (DESIGN's budgets).

Run it after `generate_demo_data --statements 100000`, on SQLite and on PostgreSQL (DATABASE_URL). It measures
in-process through Django's full request handling (middleware, views, templates), without a network; it reports,
it does not judge.
"""

import statistics
import time

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from timeline.models import Statement

QUERIES = [
    "",
    "speaker=vladimir-putin",
    "side=us&topic=meeting",
    "from=2010&to=2012",
    "event=putin-trump-call-2016-11-14",
    "q=summit",
    "q=summit+treaty&side=ru&from=2005",
    "speaker=vladimir-putin&speaker=sergey-lavrov&topic=security&from=Dec+2004&to=2020&q=talks",
    "page=200",
]


class Command(BaseCommand):
    help = "Median and 95th-percentile server time of chronology pages, queries per page, and a static-file baseline."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--requests", type=int, default=20, help="Requests per query string.")

    def handle(self, *args, **options) -> None:
        client = Client(HTTP_HOST=(settings.ALLOWED_HOSTS or ["localhost"])[0].strip("[]"))
        runs = options["requests"]
        self.stdout.write(
            f"{Statement.objects.published().count()} published statements, page size "
            f"{settings.TIMELINE_PAGE_SIZE}, database {connection.vendor}, {runs} requests each"
        )
        self.stdout.write(f"{'query':<60} {'median ms':>9} {'p95 ms':>8} {'queries':>7} {'KB':>6}")
        medians = []
        for query in QUERIES:
            client.get(f"/?{query}")  # warm caches
            times = []
            for _ in range(runs):
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    response = client.get(f"/?{query}")
                    times.append((time.perf_counter() - started) * 1000)
            medians.append(statistics.median(times))
            p95 = sorted(times)[max(0, round(len(times) * 0.95) - 1)]
            self.stdout.write(
                f"{query or '(no filters)':<60} {medians[-1]:>9.1f} {p95:>8.1f} {len(captured):>7} "
                f"{len(response.content) / 1024:>6.1f}"
            )
        # The static-file baseline: the same server (WhiteNoise in this process) sending our stylesheet.
        static_url = staticfiles_storage.url("timeline/timeline.css")
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            b"".join(client.get(static_url).streaming_content)
            times.append((time.perf_counter() - started) * 1000)
        static = statistics.median(times)
        page = statistics.median(medians)
        self.stdout.write(f"static file {static_url}: median {static:.2f} ms")
        self.stdout.write(
            f"chronology throughput is {static / page:.2%} of the static file's (requests per second, one process)"
        )
