"""Configuration: strict parsing, safe demo defaults, production refuses a missing secret."""
import pytest

from esg_portal import create_app
from esg_portal.config import ConfigError, load_config


def test_demo_secret_is_generated_into_the_instance_folder_and_kept(tmp_path):
    first = load_config(str(tmp_path), {})
    second = load_config(str(tmp_path), {})
    assert len(first["SECRET_KEY"]) == 64
    assert first["SECRET_KEY"] == second["SECRET_KEY"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert first["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/esg_portal.db"


def test_production_refuses_to_start_without_a_real_secret(tmp_path):
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config(str(tmp_path), {"ESG_ENV": "production", "DATABASE_URL": "postgresql://u:p@h/db"})
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config(str(tmp_path), {"ESG_ENV": "production", "SECRET_KEY": "short",
                                    "DATABASE_URL": "postgresql://u:p@h/db"})
    config = load_config(str(tmp_path), {"ESG_ENV": "production", "SECRET_KEY": "x" * 40,
                                         "DATABASE_URL": "postgres://u:p@h/db"})
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@h/db"
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize("name, value", [
    ("ESG_ENV", "prod"), ("ESG_SECURE_COOKIES", "maybe"), ("ESG_LOGIN_MAX_FAILURES", "five"),
    ("ESG_LOGIN_MAX_FAILURES", "0"), ("DATABASE_URL", "mysql://x"), ("ESG_DEFAULT_LOCALE", "de"),
])
def test_malformed_values_are_refused_with_the_variable_named(tmp_path, name, value):
    with pytest.raises(ConfigError, match=name):
        load_config(str(tmp_path), {name: value})


def test_session_cookies_are_httponly_and_samesite(app):
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["REMEMBER_COOKIE_HTTPONLY"] is True


def test_tests_never_read_database_url(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgresql://operator:secret@prod/db")
    app = create_app({"TESTING": True, "SECRET_KEY": "k" * 40,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})
    assert "operator" not in app.config["SQLALCHEMY_DATABASE_URI"]
