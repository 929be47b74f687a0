"""Settings refuse unsafe defaults outside development."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from integrity.config import DEV_SECRET_KEY, Settings

GOOD_SECRET = "x" * 48


def test_development_accepts_the_dev_secret() -> None:
    settings = Settings(env="development", secret_key=DEV_SECRET_KEY)
    assert settings.database_url.startswith("sqlite+aiosqlite:///")
    assert settings.secure_cookies is False


@pytest.mark.parametrize("env", ["production", "test"])
def test_the_dev_secret_is_refused_outside_development(env: str) -> None:
    with pytest.raises(ValidationError, match="INTEGRITY_SECRET_KEY"):
        Settings(env=env, secret_key=DEV_SECRET_KEY)


def test_a_short_secret_is_refused_in_production() -> None:
    with pytest.raises(ValidationError, match="at least 32"):
        Settings(env="production", secret_key="short-secret")


def test_production_forces_secure_cookies() -> None:
    assert Settings(env="production", secret_key=GOOD_SECRET).secure_cookies is True
    with pytest.raises(ValidationError, match="COOKIE_SECURE"):
        Settings(env="production", secret_key=GOOD_SECRET, cookie_secure=False)


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTEGRITY_ENV", "production")
    monkeypatch.setenv("INTEGRITY_SECRET_KEY", GOOD_SECRET)
    monkeypatch.setenv("INTEGRITY_DATABASE_URL", "postgresql+asyncpg://u@db/integrity")
    settings = Settings()
    assert settings.env == "production"
    assert settings.database_url == "postgresql+asyncpg://u@db/integrity"
    assert not settings.is_sqlite
