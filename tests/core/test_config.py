from pathlib import Path

from core.config import Settings


def test_defaults_are_embedded_sqlite_in_var(monkeypatch, tmp_path):
    for name in ("DATABASE_URL", "REDIS_URL", "DATABASE_OWNER_URL", "TEST_MODE"):
        monkeypatch.delenv(f"GONGZHI_{name}", raising=False)
    monkeypatch.setenv("GONGZHI_VAR_DIR", str(tmp_path))
    settings = Settings.from_env()
    assert settings.is_sqlite
    assert settings.sqlite_path == tmp_path / "gongzhi.sqlite3"
    assert settings.jobs_in_process
    assert settings.test_mode is False
    assert settings.migration_url == settings.database_url


def test_production_shape(monkeypatch):
    monkeypatch.setenv("GONGZHI_DATABASE_URL", "postgresql://app@db/gongzhi")
    monkeypatch.setenv("GONGZHI_DATABASE_OWNER_URL", "postgresql://owner@db/gongzhi")
    monkeypatch.setenv("GONGZHI_REDIS_URL", "redis://cache:6379/0")
    settings = Settings.from_env()
    assert not settings.is_sqlite
    assert settings.migration_url == "postgresql://owner@db/gongzhi"
    assert not settings.jobs_in_process


def test_sqlite_url_elsewhere(monkeypatch, tmp_path):
    monkeypatch.setenv("GONGZHI_DATABASE_URL", f"sqlite:///{tmp_path}/other.db")
    assert Settings.from_env().sqlite_path == Path(tmp_path) / "other.db"
