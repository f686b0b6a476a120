import pytest

from quorate import Chain


@pytest.fixture()
def chain(tmp_path):
    c = Chain(tmp_path)
    c.start()
    yield c
    c.kill()
