"""The fakes are held to the ports they stand for: mypy checks these assignments
(`make lint` runs it over this module), so a port that changes breaks its fake at once.
Every port a use case is given has its fake here, the unit of work whole."""

from __future__ import annotations

from datetime import UTC, datetime

from application.ports.accounts import AccountRepository, PasswordHasher, SignInThrottle
from application.ports.audit import AuditLog
from application.ports.cabin_texts import CabinTextsRepository
from application.ports.calendars import CalendarFetcher, FeedRepository, SyncLock
from application.ports.catalogue import Catalogue
from application.ports.clock import Clock
from application.ports.codes import CodeGenerator
from application.ports.conversations import ConversationStore
from application.ports.credits import GuestCreditRepository
from application.ports.export_tokens import ExportTokens
from application.ports.holidays import HolidaySource
from application.ports.idempotency import IdempotencyKeys
from application.ports.mail import Mailer
from application.ports.messaging import MessageSender
from application.ports.metrics import BookingMetrics, CalendarMetrics, OperationsMetrics
from application.ports.opt_outs import OptOuts
from application.ports.outbox import Outbox
from application.ports.payments import PaymentGateway, PaymentRepository
from application.ports.pricing import PriceRulesStore
from application.ports.receipts import MediaDownloader, ReceiptRepository
from application.ports.repositories import (
    AccommodationRepository,
    BlockRepository,
    ReservationRepository,
)
from application.ports.schedule import MessageSchedule
from application.ports.unit_of_work import Transactions, UnitOfWork
from tests.unit.application.fakes import (
    FakeAccommodations,
    FakeAudit,
    FakeCabinTexts,
    FakeCatalogue,
    FakeConversationStore,
    FakeGateway,
    FakeGuestCredits,
    FakeHolidays,
    FakeIdempotency,
    FakeMailer,
    FakeMedia,
    FakeMessageSchedule,
    FakeOptOuts,
    FakeOutbox,
    FakePayments,
    FakeReceipts,
    FakeReservations,
    FakeSender,
    FakeUnitOfWork,
    FixedClock,
    RecordingMetrics,
    SequenceCodes,
)
from tests.unit.application.fakes_accounts import CountingThrottle, FakeAccounts, PlainHasher
from tests.unit.application.fakes_calendars import (
    FakeBlocks,
    FakeExportTokens,
    FakeFeeds,
    FakeFetcher,
    FakeLock,
    RecordingCalendarMetrics,
)
from tests.unit.application.fakes_prices import FakePriceStore

clock: Clock = FixedClock(datetime(2026, 12, 1, tzinfo=UTC))
codes: CodeGenerator = SequenceCodes()
booking_metrics: BookingMetrics = RecordingMetrics()
operations_metrics: OperationsMetrics = RecordingMetrics()
calendar_metrics: CalendarMetrics = RecordingCalendarMetrics()
catalogue: Catalogue = FakeCatalogue(FakeAccommodations([]))
audit: AuditLog = FakeAudit()
payments: PaymentRepository = FakePayments()
gateway: PaymentGateway = FakeGateway()
cabin_texts: CabinTextsRepository = FakeCabinTexts()
schedule: MessageSchedule = FakeMessageSchedule(FakeReservations(FakeAccommodations([])))
opt_outs: OptOuts = FakeOptOuts()
sender: MessageSender = FakeSender()
mailer: Mailer = FakeMailer()
conversations: ConversationStore = FakeConversationStore()
fetcher: CalendarFetcher = FakeFetcher()
lock: SyncLock = FakeLock()
export_tokens: ExportTokens = FakeExportTokens()
media: MediaDownloader = FakeMedia()
holidays: HolidaySource = FakeHolidays()
credits: GuestCreditRepository = FakeGuestCredits(FakeReservations(FakeAccommodations([])))
receipts: ReceiptRepository = FakeReceipts()

accommodations: AccommodationRepository = FakeAccommodations([])
_reservations = FakeReservations(FakeAccommodations([]))
reservations: ReservationRepository = _reservations
_blocks = FakeBlocks(_reservations)
blocks: BlockRepository = _blocks
feeds: FeedRepository = FakeFeeds(_reservations, _blocks)
outbox: Outbox = FakeOutbox()
keys: IdempotencyKeys = FakeIdempotency()

accounts: AccountRepository = FakeAccounts()
hasher: PasswordHasher = PlainHasher()
throttle: SignInThrottle = CountingThrottle()
prices: PriceRulesStore = FakePriceStore(FakeAccommodations([]))

uow: UnitOfWork = FakeUnitOfWork([])
transactions: Transactions = FakeUnitOfWork([])
