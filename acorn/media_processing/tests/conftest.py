import pytest


@pytest.fixture
def out_dir(tmp_path):
    """Where renditions go; not created in advance, as for a fresh per-item prefix."""
    return tmp_path / "renditions"
