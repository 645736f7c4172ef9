"""The fakes are held to the ports they stand for: mypy checks these assignments
(`make lint` runs it over this module), so a port that changes breaks its fake at once.
Fakes that implement part of a port (only what the tests use) are not listed."""

from __future__ import annotations

from datetime import UTC, datetime

from application.ports.audit import AuditLog
from application.ports.cabin_texts import CabinTextsRepository
from application.ports.catalogue import Catalogue
from application.ports.clock import Clock
from application.ports.codes import CodeGenerator
from application.ports.metrics import BookingMetrics
from application.ports.opt_outs import OptOuts
from application.ports.payments import PaymentGateway, PaymentRepository
from application.ports.schedule import MessageSchedule
from tests.unit.application.fakes import (
    FakeAccommodations,
    FakeAudit,
    FakeCabinTexts,
    FakeCatalogue,
    FakeGateway,
    FakeMessageSchedule,
    FakeOptOuts,
    FakePayments,
    FakeReservations,
    FixedClock,
    RecordingMetrics,
    SequenceCodes,
)

clock: Clock = FixedClock(datetime(2026, 12, 1, tzinfo=UTC))
codes: CodeGenerator = SequenceCodes()
booking_metrics: BookingMetrics = RecordingMetrics()
catalogue: Catalogue = FakeCatalogue(FakeAccommodations([]))
audit: AuditLog = FakeAudit()
payments: PaymentRepository = FakePayments()
gateway: PaymentGateway = FakeGateway()
cabin_texts: CabinTextsRepository = FakeCabinTexts()
schedule: MessageSchedule = FakeMessageSchedule(FakeReservations(FakeAccommodations([])))
opt_outs: OptOuts = FakeOptOuts()
