"""Import every model so that Alembic and the app see the whole schema."""
from .accounts.models import ApiToken, Role, User  # noqa: F401
from .audit import AuditEvent  # noqa: F401
from .companies.models import Company, License  # noqa: F401
from .disclosure.models import (  # noqa: F401
    Attachment, DeclarationKind, Disclosure, DisclosureSection, DisclosureStatus, FilingQuery, FilingQueryEvidence, PaymentLine,
    QueryStatus, SectionDeclaration,
)
from .receipts.models import BatchStatus, GovernmentReceipt, ReceiptBatch  # noqa: F401
from .reference.models import (  # noqa: F401
    GfsCode, GovernmentEntity, Mineral, PeriodStatus, PeriodStreamSetting, Region, ReportingPeriod, RevenueStream,
    ScopeOverride, Site, StreamInclusion,
)
from .eiti.models import (  # noqa: F401
    Adjustment, AdjustmentStatus, DiscrepancyEvidence, DiscrepancyQuery, DiscrepancyQueryStatus, ReconciliationLine,
    ReconciliationRun,
)
from .eiti.publication.models import Release, ReleaseFile, ReleaseKind  # noqa: F401
from .notifications.models import Notification, OutboxMessage  # noqa: F401
from .feedback.models import FeedbackCase, FeedbackEntry, FeedbackPhoto  # noqa: F401
