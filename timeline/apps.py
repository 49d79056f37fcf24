from django.apps import AppConfig


class TimelineConfig(AppConfig):
    name = "timeline"
    verbose_name = "Timeline"

    def ready(self) -> None:
        # The publishing rule's receivers: every write that touches a citation or a source's text obeys it.
        from . import curation  # noqa: F401
