import pytest

from progress.services import forget_seen_rows


@pytest.fixture(autouse=True)
def _fresh_seen_rows():
    """Tests start with a process that has seen no daily-progress row."""
    forget_seen_rows()
    yield
    forget_seen_rows()
