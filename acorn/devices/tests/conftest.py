import pytest

from acorn.core.tests import factories as f
from acorn.devices.models import Device


@pytest.fixture
def tablet(world):
    return Device.objects.create(setting=world.setting_a, name="Blue iPad", kind="tablet")


@pytest.fixture
def far_tablet(world):
    return Device.objects.create(setting=world.setting_b, name="Birch iPad", kind="tablet")


@pytest.fixture
def helper(world):
    """A practitioner of setting A with no key children (not a key worker)."""
    return f.staff(world.setting_a, "practitioner", name="Hal Helper", email="helper@a.test")
