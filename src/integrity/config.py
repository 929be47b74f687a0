"""Settings from INTEGRITY_* environment variables; unsafe defaults are refused outside development."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET_KEY = "dev-insecure-secret-key-change-me"  # noqa: S105 - the sentinel we refuse in production

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PACKAGE_ROOT = Path(__file__).resolve().parent


def _resource_dir(name: str) -> Path:
    """A top-level folder of the source tree, or its copy inside an installed wheel."""
    in_wheel = PACKAGE_ROOT / f"_{name}"
    return in_wheel if in_wheel.is_dir() else PROJECT_ROOT / name


TEMPLATES_DIR = _resource_dir("templates")
POLICIES_DIR = _resource_dir("policies")
MIGRATIONS_DIR = _resource_dir("migrations")
STATIC_DIR = PACKAGE_ROOT / "static"
LOCALE_DIR = PACKAGE_ROOT / "locale"


class Settings(BaseSettings):
    """Service configuration; every field reads INTEGRITY_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="INTEGRITY_", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path("var")
    database_url: str = ""
    secret_key: str = DEV_SECRET_KEY
    base_url: str = "http://127.0.0.1:8000"

    session_idle_minutes: int = Field(default=30, ge=1)
    session_absolute_hours: int = Field(default=12, ge=1)
    session_cookie: str = "integrity_session"
    cookie_secure: bool | None = None

    login_free_failures: int = Field(default=5, ge=1)
    login_max_lockout_seconds: int = Field(default=900, ge=1)
    # Single sign-on with OpenID Connect (the group's unified identity system): a user it names is matched
    # to an existing account by a claim; nobody unknown gets in, and no account or role is ever created.
    oidc_issuer: str = ""  # e.g. https://sso.example.com/realms/group; empty: no single sign-on
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_claim: str = Field(default="preferred_username", pattern=r"^[A-Za-z0-9_.:-]{1,64}$")
    oidc_match: Literal["username", "email", "employee_no"] = "username"
    oidc_label: str = Field(default="", max_length=40)  # the button's words, e.g. 统一身份认证
    password_sign_in: bool = True  # off: only single sign-on signs anyone in
    # Roles whose holders must sign in with a second factor (TOTP), comma-separated; empty: nobody must.
    second_factor_roles: str = Field(default="admin,auditor", pattern=r"^[a-z,]*$")
    # Days a browser may skip the code after one that was given there, if its user ticks the box; 0: off.
    second_factor_remember_days: int = Field(default=0, ge=0, le=90)

    audit_signing_key: Path | None = None
    audit_public_key: Path | None = None

    default_locale: Literal["zh", "en"] = "zh"
    timezone: str = "Asia/Shanghai"  # dates of record (case numbers, clocks) are local dates
    evidence_max_bytes: int = Field(default=50 * 1024 * 1024, ge=1024)
    case_number_prefix: str = Field(default="JJ", pattern=r"^[A-Z]{1,8}$")
    db_pool_size: int = Field(default=10, ge=1)
    # Case-trail PDFs render in worker processes: how many at once, and each one's limits.
    pdf_workers: int = Field(default=2, ge=1, le=16)
    pdf_timeout_seconds: float = Field(default=120, gt=0)
    pdf_memory_mb: int = Field(default=1536, ge=256)
    sqlite_busy_timeout_ms: int = Field(default=30_000, ge=0)

    # Notifications. Email is off until a host is set; TLS: "starttls", "tls" (implicit) or "none".
    smtp_host: str = ""
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_timeout_seconds: float = Field(default=20, gt=0)
    mail_from: str = "integrity@localhost"
    # The only hosts a work-chat webhook may name (an administrator enters the URL; the operator
    # decides which hosts may be called at all): WeCom, DingTalk and Feishu group robots by default.
    webhook_hosts: list[str] = ["qyapi.weixin.qq.com", "oapi.dingtalk.com", "open.feishu.cn"]
    webhook_timeout_seconds: float = Field(default=10, gt=0, le=60)
    # The delivery worker: inside `integrity serve` unless switched off (then run `integrity worker`).
    worker_in_process: bool = True
    worker_poll_seconds: float = Field(default=5, gt=0)
    reminder_days_before: int = Field(default=3, ge=1, le=30)  # working days before a due date
    escalate_after_days: int = Field(default=5, ge=1, le=60)  # working days overdue: tell the reviewers
    digest_hour: int = Field(default=8, ge=0, le=23)  # local hour the daily digest goes out
    # Absent from this many of one's events in a row (at closing): the organisers hear of it.
    education_absences_in_a_row: int = Field(default=2, ge=2, le=10)
    # From this day of each year (MM-DD), a unit whose yearly plan has a quota not met is reported to its
    # organisers, once a year.
    education_plan_check_on: str = Field(
        default="10-01", pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
    )

    @model_validator(mode="after")
    def _fill_and_refuse_unsafe(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite+aiosqlite:///{self.data_dir / 'integrity.db'}"
        if self.env != "development":
            if self.secret_key == DEV_SECRET_KEY:
                raise ValueError(
                    "INTEGRITY_SECRET_KEY still has its development default; "
                    "set a random value (e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`)"
                )
            if len(self.secret_key) < 32:
                raise ValueError("INTEGRITY_SECRET_KEY must be at least 32 characters outside development")
        if self.smtp_security == "none" and self.smtp_username and self.env == "production":
            raise ValueError("INTEGRITY_SMTP_SECURITY=none with credentials is refused in production")
        if self.env == "production" and self.cookie_secure is False:
            raise ValueError("INTEGRITY_COOKIE_SECURE=false is refused in production")
        if self.oidc_issuer:
            if not (self.oidc_client_id and self.oidc_client_secret):
                raise ValueError("INTEGRITY_OIDC_ISSUER needs INTEGRITY_OIDC_CLIENT_ID and _CLIENT_SECRET")
            if self.env == "production" and not self.oidc_issuer.startswith("https://"):
                raise ValueError("INTEGRITY_OIDC_ISSUER must be an https:// address in production")
        elif not self.password_sign_in:
            raise ValueError(
                "INTEGRITY_PASSWORD_SIGN_IN=false needs INTEGRITY_OIDC_ISSUER: nobody could sign in"
            )
        return self

    @property
    def secure_cookies(self) -> bool:
        return self.cookie_secure if self.cookie_secure is not None else self.env == "production"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def roles_needing_second_factor(self) -> frozenset[str]:
        return frozenset(r for r in self.second_factor_roles.split(",") if r)

    @property
    def email_enabled(self) -> bool:
        return bool(self.smtp_host)

    @property
    def evidence_dir(self) -> Path:
        return self.data_dir / "evidence"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
