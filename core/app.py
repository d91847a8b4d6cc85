"""The application factory: one Litestar app for the platform, every district and the API."""

from __future__ import annotations

import logging

from litestar import Litestar
from litestar.config.compression import CompressionConfig
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig

from core import db
from core.config import Settings
from core.secrets import derived_key
from core.throttle import Throttle
from core.templating import environment
from core.web.context import LanguageMiddleware
from core.web.errors import EXCEPTION_HANDLERS
from core.web.health import healthz, readyz
from core.web.security import add_security_headers
from core.web.static import static_file


# Paths the CSRF middleware leaves alone: they answer GET with files, never a form.
CSRF_EXEMPT_PATHS = ["^/static/", "^/healthz$", "^/readyz$", r"^/t/[^/]+/sw\.js$",
                     r"^/t/[^/]+/manifest\.webmanifest$", "^/t/[^/]+/icons/"]


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings.from_env()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    db.configure(settings.database_url)

    # Imported here so that the engine named by the settings is bound first.
    from core.accounts.account_routes import (AccountController, PersonalDataController, switch_elderly_mode,
                                              switch_language)
    from core.accounts.api_routes import DistrictApiController
    from core.audit.routes import DistrictAuditController, PlatformAuditController
    from core.accounts.invitation_routes import ConsoleInvitationController, InvitationController
    from core.accounts.second_factor_routes import SecondFactorAccountController, SecondFactorLoginController
    from core.accounts.token_routes import ClientKeyController, TokenController
    from core.accounts.platform_role_routes import PublisherAdminController
    from core.accounts.registration_routes import RegistrationController
    from core.accounts.reset_routes import PasswordResetController
    from core.accounts.routes import DistrictLoginController, LoginController, logout
    from core.accounts.sessions import SessionMiddleware
    from core.jobs import queue as job_queue
    from core.marketplace.api_routes import MarketplaceApiController
    from core.marketplace.catalogue_routes import CatalogueController
    from core.marketplace.routes import PublishController, ReviewController
    from core.feedback.api_routes import FeedbackApiController
    from core.feedback.console_routes import ConsoleFeedbackController
    from core.feedback.category_routes import FeedbackCategoryController
    from core.feedback.entry_routes import FeedbackEntryController
    from core.feedback.transparency_routes import FeedbackFiguresController, PublicFeedbackController
    from core.feedback.routes import FeedbackController
    from core.notices.api_routes import NoticeApiController
    from core.notices.console_routes import ConsoleNoticeController, DisclosureController
    from core.notices.routes import NoticeController
    from core.notifications.district_routes import DistrictChannelsController
    from core.notifications.middleware import UnreadCountMiddleware
    from core.notifications.routes import InboxController, NotificationPreferenceController
    from core.push.routes import PushDeviceController
    from core.open311.routes import Open311Controller
    from core.plugins import web as plugin_web
    from core.plugins.console_routes import ConsolePluginController
    from tenants.admin_routes import PlatformAdminController
    from tenants.bounds_routes import DistrictBoundsController
    from tenants.console_routes import ConsoleHomeController
    from tenants.onboarding_routes import OnboardingController
    from tenants.organisation_routes import OrganisationController
    from tenants.logo_routes import ConsoleLogoController
    from tenants.pwa_routes import DistrictAppController
    from tenants.retention_routes import DistrictRetentionController
    from tenants.security_routes import DistrictSecurityController
    from tenants.resolution import TenantMiddleware
    from tenants.routes import DistrictHomeController, landing

    opened_pool = False
    jobs = job_queue.for_settings(settings)
    test_routes = []
    if settings.test_mode:
        from core.jobs.test_clock_routes import TEST_CLOCK_ROUTES

        test_routes = TEST_CLOCK_ROUTES

    async def on_startup() -> None:
        nonlocal opened_pool
        opened_pool = await db.start(connect_timeout=settings.database_connect_timeout,
                                     command_timeout=settings.database_command_timeout)
        if settings.jobs_in_process:
            # Embedded: this process runs the jobs and the schedule too.
            await jobs.start()  # type: ignore[attr-defined]

    async def on_shutdown() -> None:
        await jobs.close()
        if opened_pool:
            await db.stop()

    return Litestar(
        route_handlers=[
            healthz,
            readyz,
            landing,
            DistrictHomeController,
            DistrictAppController,
            LoginController,
            DistrictLoginController,
            logout,
            RegistrationController,
            AccountController,
            PersonalDataController,
            switch_language,
            switch_elderly_mode,
            PasswordResetController,
            DistrictApiController,
            TokenController,
            ClientKeyController,
            ConsoleInvitationController,
            InvitationController,
            DistrictAuditController,
            PlatformAuditController,
            SecondFactorLoginController,
            SecondFactorAccountController,
            OnboardingController,
            PlatformAdminController,
            PublisherAdminController,
            ConsoleHomeController,
            OrganisationController,
            ConsoleLogoController,
            DistrictSecurityController,
            DistrictRetentionController,
            DistrictBoundsController,
            InboxController,
            PushDeviceController,
            NotificationPreferenceController,
            DistrictChannelsController,
            NoticeController,
            ConsoleNoticeController,
            DisclosureController,
            NoticeApiController,
            FeedbackApiController,
            MarketplaceApiController,
            PublishController,
            ReviewController,
            CatalogueController,
            FeedbackController,
            ConsoleFeedbackController,
            FeedbackEntryController,
            FeedbackCategoryController,
            PublicFeedbackController,
            FeedbackFiguresController,
            Open311Controller,
            ConsolePluginController,
            *plugin_web.routers(),
            *test_routes,
            static_file,
        ],
        middleware=[LanguageMiddleware(), TenantMiddleware(), SessionMiddleware(), UnreadCountMiddleware(),
                    plugin_web.NavigationMiddleware()],
        csrf_config=CSRFConfig(
            secret=derived_key(settings, "csrf").hex(),
            cookie_name="gongzhi_csrf",
            header_name="x-csrf-token",
            cookie_secure=settings.secure_cookies,
            cookie_samesite="lax",
            cookie_httponly=True,
            # Files that never carry a form set no CSRF cookie: a script or a stylesheet answered
            # after a page (its request sent before the page's cookie was stored) would otherwise
            # replace the cookie the page's form token belongs to.
            exclude=CSRF_EXEMPT_PATHS,
        ),
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        template_config=TemplateConfig(instance=JinjaTemplateEngine.from_environment(environment())),
        # The OpenAPI document describes the JSON API and Open311 (whose controllers say so);
        # the pages answer HTML and are left out of it.
        include_in_schema=False,
        openapi_config=OpenAPIConfig(
            title="Gongzhi API", version="1", path="/schema", render_plugins=[JsonRenderPlugin()]
        ),
        compression_config=CompressionConfig(backend="gzip", minimum_size=1024),
        request_max_body_size=settings.max_body_bytes,
        multipart_form_part_limit=settings.max_form_parts,
        state=State({"settings": settings, "throttle": Throttle(settings.redis_url, settings.redis_prefix,
                                                                        timeout=settings.redis_timeout)}),
        before_send=[add_security_headers],
        on_startup=[on_startup],
        on_shutdown=[on_shutdown],
        debug=False,
    )
