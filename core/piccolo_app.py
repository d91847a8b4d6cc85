"""Core's Piccolo app: its tables and the folder of its migrations."""

from piccolo.conf.apps import AppConfig

from core.accounts.tables import (
    ApiCredential,
    Invitation,
    RecoveryCode,
    Membership,
    MembershipRole,
    OneTimeCode,
    Person,
    PlatformRole,
    Session,
)
from core.appointments.tables import AppointmentBooking, AppointmentSlot
from core.audit.tables import AuditEntry
from core.config import PROJECT_ROOT
from core.events.tables import Event, EventDelivery
from core.feedback.tables import (
    CallIn,
    FeedbackCategory,
    FeedbackItem,
    FeedbackPhoto,
    TimelineEntry,
    TrackingCounter,
)
from core.marketplace.tables import MarketplacePlugin, MarketplaceRelease
from core.notices.tables import (
    DisclosureCategory,
    Notice,
    NoticeAttachment,
    NoticeQuestion,
    NoticeRead,
    NoticeTransition,
)
from core.notifications.tables import ChannelMessage, InboxEntry, Notification, NotificationPreference
from core.plugins.tables import PluginEnablement
from core.protection.tables import DistrictKey, PersonKey, RetentionRule
from core.push.tables import PushSubscription
from core.storage.database import StoredFile
from core.storage.platform import PlatformFile
from core.throttle import ThrottleCounter

APP_CONFIG = AppConfig(
    app_name="core",
    migrations_folder_path=str(PROJECT_ROOT / "migrations" / "core"),
    table_classes=[Person, PlatformRole, Membership, MembershipRole, Session, OneTimeCode, AuditEntry,
                   ThrottleCounter, ApiCredential, Invitation,
                   RecoveryCode, DistrictKey, PersonKey, Event, EventDelivery, Notification, InboxEntry,
                   ChannelMessage, NotificationPreference, DisclosureCategory, Notice, NoticeTransition,
                   NoticeAttachment, NoticeRead, NoticeQuestion, StoredFile,
                   FeedbackCategory, FeedbackItem, TimelineEntry, TrackingCounter, FeedbackPhoto, CallIn,
                   PluginEnablement, PlatformFile, MarketplacePlugin, MarketplaceRelease, PushSubscription,
                   AppointmentSlot, AppointmentBooking, RetentionRule],
    migration_dependencies=[],
    commands=[],
)
