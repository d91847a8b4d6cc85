import pytest

from core.jobs import registry


@pytest.fixture
def declare():
    """Declare jobs for one test (removed afterwards): ``declare.job(name, fn, timeout=…)``."""
    added: list[str] = []

    class Declare:
        def job(self, name, function, *, timeout=5, queue=registry.SHORT):
            registry.load()
            registry.job(name, timeout=timeout, queue=queue)(function)
            added.append(name)
            return function

        def cron(self, name, function, *, timeout=5, per_tenant=True, **schedule):
            registry.load()
            registry.cron(name, timeout=timeout, per_tenant=per_tenant, **schedule)(function)
            added.append(name)
            return function

    yield Declare()
    for name in added:
        registry.JOBS.pop(name, None)
        registry.CRONS.pop(name, None)
