"""Settings, read once from ``GONGZHI_*`` environment variables.

With nothing set, Gongzhi runs embedded: SQLite in ``var/``, jobs in-process.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The upload stores (core.storage): the filesystem suits one host; every app host of the
# production shape reaches the database.
STORAGE_BACKENDS = ("filesystem", "database")
# The push services whose endpoints browsers may give (Gongzhi posts to them, so no other host
# is taken): Chrome's and Edge's, Firefox's, Safari's. An entry is a host, ".host" for the
# hosts under it, or "http://host" for a plain-HTTP one (a local receiver in tests).
PUSH_SERVICES = ("fcm.googleapis.com", "updates.push.services.mozilla.com", ".push.apple.com",
                 ".notify.windows.com")


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(f"GONGZHI_{name}")
    return value if value not in (None, "") else default


@dataclass(frozen=True)
class Settings:
    var_dir: Path
    database_url: str
    database_owner_url: str | None = None
    redis_url: str | None = None
    redis_prefix: str = "gongzhi"
    master_key_file: Path | None = None
    test_mode: bool = False
    max_body_bytes: int = 1_048_576
    # A multipart form of more parts than this is refused before its parts are read.
    max_form_parts: int = 100
    # How long an app process waits for PostgreSQL to accept a connection, and for one
    # statement's answer, and for Redis, before it answers 503 (seconds).
    database_connect_timeout: float = 1.0
    database_command_timeout: float = 5.0
    redis_timeout: float = 1.0
    secure_cookies: bool = False
    smtp_url: str | None = None
    mail_from: str = "Gongzhi <no-reply@gongzhi.localhost>"
    public_url: str = "http://127.0.0.1:8000"
    trusted_proxies: tuple[str, ...] = field(default_factory=tuple)
    staff_idle_minutes: int = 30
    resident_idle_days: int = 14
    # Where uploads are kept (core.storage): "filesystem" (under var/) or "database".
    # Empty: chosen from the database URL, see __post_init__.
    storage: str = ""
    # What this deployment runs, e.g. the commit deployed; part of the service worker's version,
    # so that a new release refreshes every phone's app shell (the offline page's text too).
    # Empty: the package's version.
    release: str = ""
    push_services: tuple[str, ...] = PUSH_SERVICES

    def __post_init__(self) -> None:
        storage = self.storage or ("filesystem" if self.is_sqlite else "database")
        if storage not in STORAGE_BACKENDS:
            raise ValueError(f"GONGZHI_STORAGE must be one of {', '.join(STORAGE_BACKENDS)}, not {storage!r}")
        object.__setattr__(self, "storage", storage)

    @classmethod
    def from_env(cls) -> "Settings":
        var_dir = Path(_env("VAR_DIR", str(PROJECT_ROOT / "var"))).resolve()
        database_url = _env("DATABASE_URL", f"sqlite:///{var_dir / 'gongzhi.sqlite3'}")
        master_key = _env("MASTER_KEY_FILE")
        return cls(
            var_dir=var_dir,
            database_url=database_url,
            database_owner_url=_env("DATABASE_OWNER_URL"),
            redis_url=_env("REDIS_URL"),
            redis_prefix=_env("REDIS_PREFIX", "gongzhi"),
            master_key_file=Path(master_key) if master_key else None,
            test_mode=_env("TEST_MODE") == "1",
            max_body_bytes=int(_env("MAX_BODY_BYTES", "1048576")),
            max_form_parts=int(_env("MAX_FORM_PARTS", "100")),
            database_connect_timeout=float(_env("DATABASE_CONNECT_TIMEOUT", "1")),
            database_command_timeout=float(_env("DATABASE_COMMAND_TIMEOUT", "5")),
            redis_timeout=float(_env("REDIS_TIMEOUT", "1")),
            secure_cookies=_env("SECURE_COOKIES") == "1",
            smtp_url=_env("SMTP_URL"),
            mail_from=_env("MAIL_FROM", "Gongzhi <no-reply@gongzhi.localhost>"),
            public_url=_env("PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/"),
            trusted_proxies=tuple(p.strip() for p in (_env("TRUSTED_PROXIES", "") or "").split(",") if p.strip()),
            staff_idle_minutes=int(_env("STAFF_IDLE_MINUTES", "30")),
            resident_idle_days=int(_env("RESIDENT_IDLE_DAYS", "14")),
            storage=(_env("STORAGE") or "").strip().lower(),
            release=(_env("RELEASE") or "").strip(),
            push_services=tuple(entry.strip() for entry in (_env("PUSH_SERVICES") or ",".join(PUSH_SERVICES))
                                .split(",") if entry.strip()),
        )

    @property
    def outbox_dir(self) -> Path:
        """Where the development message providers write what they would send."""
        return self.var_dir / "outbox"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite:")

    @property
    def sqlite_path(self) -> Path:
        """The database file of a ``sqlite:///path`` URL."""
        return Path(self.database_url.removeprefix("sqlite:///").removeprefix("sqlite://"))

    @property
    def migration_url(self) -> str:
        """Migrations run as the owner role where one is configured."""
        return self.database_owner_url or self.database_url

    @property
    def jobs_in_process(self) -> bool:
        return self.redis_url is None
