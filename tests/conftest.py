"""Shared fixtures: static files for the templates, the seed data, plain factories."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command


@pytest.fixture(scope="session", autouse=True)
def _static_manifest() -> None:
    """Templates need WhiteNoise's manifest; collected afresh so tests never see stale CSS or JS."""
    call_command("collectstatic", "--noinput", verbosity=0)


@pytest.fixture
def seeded(db) -> None:
    """The curated seed data, loaded as `manage.py load_seeds` loads it."""
    call_command("load_seeds", verbosity=0)


@pytest.fixture
def seed_dir() -> Path:
    return Path(settings.BASE_DIR) / "seeds"
