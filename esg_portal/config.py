"""Configuration from environment variables, parsed strictly, with safe demo defaults.

Every setting the operator may change is read here, once, by a parser that raises
``ConfigError`` on a value it does not understand: a typo in production must stop the
start-up, not be silently ignored.
"""
from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

SUPPORTED_LOCALES = ("ky", "ru", "en")
ENVIRONMENTS = ("development", "production", "testing")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class ConfigError(RuntimeError):
    """A configuration value is missing or malformed."""


def parse_bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}")


def parse_int(name: str, raw: str, minimum: int | None = None, maximum: int | None = None) -> int:
    try:
        value = int(raw.strip(), 10)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number; got {raw!r}") from None
    if minimum is not None and value < minimum or maximum is not None and value > maximum:
        raise ConfigError(f"{name} must be between {minimum} and {maximum}; got {value}")
    return value


def parse_choice(name: str, raw: str, choices: tuple[str, ...]) -> str:
    value = raw.strip().lower()
    if value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}; got {raw!r}")
    return value


def parse_database_url(name: str, raw: str) -> str:
    url = raw.strip()
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://"):]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    if not (url.startswith("sqlite:///") or url.startswith("postgresql+psycopg://")):
        raise ConfigError(f"{name} must be a sqlite:/// or postgresql:// URL; got {raw!r}")
    return url


@dataclass(frozen=True)
class SmtpSettings:
    """Where e-mail goes: ``smtp://`` (plain, a local relay), ``smtp+starttls://`` (STARTTLS required)
    or ``smtps://`` (TLS from the first byte)."""

    host: str
    port: int
    security: str
    username: str | None
    password: str | None


def parse_smtp_url(name: str, raw: str, password: str | None) -> SmtpSettings | None:
    """``ESG_SMTP_URL`` → settings; empty: no SMTP (messages wait in the outbox for the admin to read)."""
    text = raw.strip()
    if not text:
        return None
    parts = urlsplit(text)
    security = {"smtp": "plain", "smtp+starttls": "starttls", "smtps": "tls"}.get(parts.scheme)
    if security is None or not parts.hostname:
        raise ConfigError(f"{name} must look like smtp+starttls://user@mail.example.kg:587 (or smtps://, smtp://); "
                          f"got {raw!r}")
    try:
        port = parts.port or {"plain": 25, "starttls": 587, "tls": 465}[security]
    except ValueError:
        raise ConfigError(f"{name} has an invalid port; got {raw!r}") from None
    return SmtpSettings(parts.hostname, port, security, unquote(parts.username) if parts.username else None,
                        password or (unquote(parts.password) if parts.password else None))


def _secret_key_from_instance(instance_path: str) -> str:
    """Generate the demo secret once into ``instance/secret_key`` so it survives restarts."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key)
    return key


def load_config(instance_path: str, environ: Mapping[str, str] | None = None) -> dict:
    """Build the Flask config mapping from the environment.

    Recognised variables: ``ESG_ENV`` (development | production | testing),
    ``DATABASE_URL``, ``SECRET_KEY``, ``ESG_DEFAULT_LOCALE``, ``ESG_SECURE_COOKIES``,
    ``ESG_LOGIN_MAX_FAILURES``, ``ESG_LOGIN_LOCK_MINUTES``, ``ESG_MAX_UPLOAD_MB``,
    ``ESG_MAX_ATTACHMENT_MB``, ``ESG_ATTACHMENTS_DIR``.
    """
    env = os.environ if environ is None else environ
    mode = parse_choice("ESG_ENV", env.get("ESG_ENV", "development"), ENVIRONMENTS)
    production = mode == "production"

    secret = env.get("SECRET_KEY", "").strip()
    if production and len(secret) < 32:
        raise ConfigError(
            "SECRET_KEY must be set to a random value of at least 32 characters in production "
            "(for example: python -c 'import secrets; print(secrets.token_hex(32))')"
        )
    if not secret:
        secret = _secret_key_from_instance(instance_path)

    if "DATABASE_URL" in env and env["DATABASE_URL"].strip():
        database_url = parse_database_url("DATABASE_URL", env["DATABASE_URL"])
    elif production:
        raise ConfigError("DATABASE_URL must be set in production (postgresql://user:pass@host/db)")
    else:
        database_url = "sqlite:///" + str(Path(instance_path) / "esg_portal.db")

    secure_cookies = parse_bool("ESG_SECURE_COOKIES", env.get("ESG_SECURE_COOKIES", "1" if production else "0"))
    max_upload_mb = parse_int("ESG_MAX_UPLOAD_MB", env.get("ESG_MAX_UPLOAD_MB", "10"), 1, 200)
    # attachments (scanned conclusions, signed agreements) may be larger than data uploads: their own
    # limit applies to the attachment routes only (disclosure.attachment_views, api.attachments)
    max_attachment_mb = parse_int("ESG_MAX_ATTACHMENT_MB", env.get("ESG_MAX_ATTACHMENT_MB", "20"), 1, 200)
    attachments_dir = env.get("ESG_ATTACHMENTS_DIR", "").strip()
    if attachments_dir and not Path(attachments_dir).is_absolute():
        raise ConfigError(f"ESG_ATTACHMENTS_DIR must be an absolute path; got {attachments_dir!r}")
    smtp = parse_smtp_url("ESG_SMTP_URL", env.get("ESG_SMTP_URL", ""), env.get("ESG_SMTP_PASSWORD") or None)
    mail_from = env.get("ESG_MAIL_FROM", "EITI portal <no-reply@localhost>").strip()
    if not re.match(r"^[^\r\n]*<?[^@\s<>]+@[^@\s<>]+>?$", mail_from):
        raise ConfigError(f"ESG_MAIL_FROM must be an e-mail address, optionally with a name; got {mail_from!r}")
    feedback = {
        # the Law on citizens' appeals: registered within 1 working day, answered within 14 (a bill may shorten them)
        "ESG_APPEAL_REGISTER_DAYS": parse_int("ESG_APPEAL_REGISTER_DAYS", env.get("ESG_APPEAL_REGISTER_DAYS", "1"), 1, 30),
        "ESG_APPEAL_ANSWER_DAYS": parse_int("ESG_APPEAL_ANSWER_DAYS", env.get("ESG_APPEAL_ANSWER_DAYS", "14"), 1, 90),
        # anonymous feedback: the portal's own indicative time frame, in working days
        "ESG_FEEDBACK_REGISTER_DAYS": parse_int("ESG_FEEDBACK_REGISTER_DAYS",
                                                env.get("ESG_FEEDBACK_REGISTER_DAYS", "2"), 1, 30),
        "ESG_FEEDBACK_ANSWER_DAYS": parse_int("ESG_FEEDBACK_ANSWER_DAYS", env.get("ESG_FEEDBACK_ANSWER_DAYS", "20"), 1, 90),
        # abuse without third parties: cases per network address per hour, replies per case per hour
        "ESG_FEEDBACK_PER_HOUR": parse_int("ESG_FEEDBACK_PER_HOUR", env.get("ESG_FEEDBACK_PER_HOUR", "5"), 1, 1000),
        "ESG_FEEDBACK_REPLIES_PER_HOUR": parse_int("ESG_FEEDBACK_REPLIES_PER_HOUR",
                                                   env.get("ESG_FEEDBACK_REPLIES_PER_HOUR", "10"), 1, 1000),
        "ESG_FEEDBACK_MAX_PHOTOS": parse_int("ESG_FEEDBACK_MAX_PHOTOS", env.get("ESG_FEEDBACK_MAX_PHOTOS", "3"), 0, 10),
        "ESG_FEEDBACK_PHOTO_BYTES": parse_int("ESG_FEEDBACK_PHOTO_MB", env.get("ESG_FEEDBACK_PHOTO_MB", "8"), 1, 50)
        * 1024 * 1024,
    }
    public_url = env.get("ESG_PUBLIC_URL", "http://127.0.0.1:5000").strip().rstrip("/")
    if not re.match(r"^https?://[^\s/]+(/[^\s]*)?$", public_url):
        raise ConfigError(f"ESG_PUBLIC_URL must be an http(s) address such as https://eiti.gov.kg; got {public_url!r}")
    return {
        "ESG_ENV": mode,
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "ESG_DEFAULT_LOCALE": parse_choice(
            "ESG_DEFAULT_LOCALE", env.get("ESG_DEFAULT_LOCALE", "ky"), SUPPORTED_LOCALES
        ),
        "ESG_LOGIN_MAX_FAILURES": parse_int(
            "ESG_LOGIN_MAX_FAILURES", env.get("ESG_LOGIN_MAX_FAILURES", "5"), 1, 100
        ),
        "ESG_LOGIN_LOCK_MINUTES": parse_int(
            "ESG_LOGIN_LOCK_MINUTES", env.get("ESG_LOGIN_LOCK_MINUTES", "15"), 1, 24 * 60
        ),
        "MAX_CONTENT_LENGTH": max_upload_mb * 1024 * 1024,
        "ESG_MAX_ATTACHMENT_BYTES": max_attachment_mb * 1024 * 1024,
        #: where attachment files are kept, outside the web root ("": <instance path>/attachments)
        "ESG_ATTACHMENTS_DIR": attachments_dir,
        #: the public address of the portal, written into published files (SDT links, DCAT URIs)
        "ESG_PUBLIC_URL": public_url,
        #: e-mail delivery (None: the outbox only, read by the admin at /admin/outbox)
        "ESG_SMTP": smtp,
        "ESG_MAIL_FROM": mail_from,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure_cookies,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": secure_cookies,
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_DEFAULT_TIMEZONE": "UTC",
        "ESG_DISPLAY_TIMEZONE": "Asia/Bishkek",
        "TESTING": mode == "testing",
        **feedback,
    }
