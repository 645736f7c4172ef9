"""Probe every dependency concurrently, each with a short timeout."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from application.ports.health import DependencyProbe

DEFAULT_PROBE_TIMEOUT_S = 0.15


class HealthStatus(StrEnum):
    HEALTHY = "healthy"
    DEGRADED = "degraded"  # a non-critical dependency failed: still serving
    UNHEALTHY = "unhealthy"  # a critical dependency failed: cannot serve bookings


@dataclass(frozen=True, slots=True)
class ProbeResult:
    name: str
    ok: bool
    critical: bool
    latency_ms: float
    error: str | None


@dataclass(frozen=True, slots=True)
class HealthReport:
    status: HealthStatus
    checks: Sequence[ProbeResult]


class CheckHealth:
    """Rules: every probe runs concurrently with its own timeout, so one hanging dependency
    cannot stall the answer; any failing critical probe → unhealthy, otherwise any failing
    probe → degraded. Error texts name the failure kind only (no URLs, no credentials).
    A report is reused for ``cache_s`` seconds (and concurrent callers share one probe run),
    so a load balancer polling hard cannot add load to the dependencies it is checking."""

    def __init__(
        self,
        probes: Sequence[DependencyProbe],
        timeout_s: float = DEFAULT_PROBE_TIMEOUT_S,
        cache_s: float = 0.0,
    ) -> None:
        self.probes = probes
        self.timeout_s = timeout_s
        self.cache_s = cache_s
        self._lock = asyncio.Lock()
        self._last: tuple[float, HealthReport] | None = None

    async def __call__(self) -> HealthReport:
        if (cached := self._fresh()) is not None:
            return cached
        async with self._lock:
            if (cached := self._fresh()) is not None:
                return cached
            report = await self._probe_all()
            self._last = (time.monotonic(), report)
            return report

    def _fresh(self) -> HealthReport | None:
        if self._last is not None and time.monotonic() - self._last[0] < self.cache_s:
            return self._last[1]
        return None

    async def _probe_all(self) -> HealthReport:
        results = await asyncio.gather(*(self._run(p) for p in self.probes))
        if any(not r.ok and r.critical for r in results):
            status = HealthStatus.UNHEALTHY
        elif any(not r.ok for r in results):
            status = HealthStatus.DEGRADED
        else:
            status = HealthStatus.HEALTHY
        return HealthReport(status, results)

    async def _run(self, probe: DependencyProbe) -> ProbeResult:
        started = time.perf_counter()
        error: str | None = None
        try:
            await asyncio.wait_for(probe.check(), self.timeout_s)
        except TimeoutError:
            error = f"timed out after {self.timeout_s * 1000:.0f} ms"
        except Exception as exc:  # a probe reports, it never raises
            error = type(exc).__name__
        elapsed = (time.perf_counter() - started) * 1000
        return ProbeResult(probe.name, error is None, probe.critical, round(elapsed, 2), error)
