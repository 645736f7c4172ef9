import asyncio
import time

from application.operations.health import CheckHealth, HealthStatus


class Probe:
    def __init__(self, name: str, *, critical: bool, behaviour: str = "ok") -> None:
        self.name, self.critical, self.behaviour = name, critical, behaviour

    async def check(self) -> None:
        if self.behaviour == "fail":
            raise ConnectionRefusedError(
                "postgres://user:secret@db/x refused"  # pragma: allowlist secret
            )
        if self.behaviour == "hang":
            await asyncio.sleep(10)


async def test_all_ok_is_healthy() -> None:
    report = await CheckHealth([Probe("database", critical=True), Probe("redis", critical=True)])()
    assert report.status is HealthStatus.HEALTHY
    assert all(c.ok for c in report.checks)


async def test_a_failing_critical_probe_is_unhealthy_and_names_no_secrets() -> None:
    report = await CheckHealth([Probe("database", critical=True, behaviour="fail")])()
    assert report.status is HealthStatus.UNHEALTHY
    assert report.checks[0].error == "ConnectionRefusedError"


async def test_a_failing_optional_probe_is_degraded() -> None:
    report = await CheckHealth(
        [Probe("database", critical=True), Probe("ical", critical=False, behaviour="fail")]
    )()
    assert report.status is HealthStatus.DEGRADED


async def test_a_hanging_probe_times_out_quickly() -> None:
    started = time.perf_counter()
    report = await CheckHealth(
        [Probe("database", critical=True, behaviour="hang"), Probe("redis", critical=True)],
        timeout_s=0.05,
    )()
    assert time.perf_counter() - started < 1  # generous bound: the probe itself sleeps 10 s
    assert report.status is HealthStatus.UNHEALTHY
    assert report.checks[0].error is not None
    assert "timed out" in report.checks[0].error
    assert report.checks[1].ok


class SlowProbe(Probe):
    """Alive but slow, as any dependency is on a starved machine."""

    async def check(self) -> None:
        await asyncio.sleep(0.2)


async def test_a_slow_but_alive_database_is_healthy_within_a_generous_timeout() -> None:
    probes = [SlowProbe("database", critical=True)]
    assert (await CheckHealth(probes, timeout_s=5)()).status is HealthStatus.HEALTHY
    assert (await CheckHealth(probes, timeout_s=0.05)()).status is HealthStatus.UNHEALTHY


class CountingProbe(Probe):
    def __init__(self) -> None:
        super().__init__("database", critical=True)
        self.calls = 0

    async def check(self) -> None:
        self.calls += 1
        await asyncio.sleep(0.01)


async def test_reports_are_reused_within_the_cache_window_and_shared() -> None:
    probe = CountingProbe()
    health = CheckHealth([probe], cache_s=60)
    reports = await asyncio.gather(*(health() for _ in range(20)))
    assert probe.calls == 1
    assert all(r is reports[0] for r in reports)


async def test_without_cache_every_call_probes() -> None:
    probe = CountingProbe()
    health = CheckHealth([probe], cache_s=0)
    await health()
    await health()
    assert probe.calls == 2
