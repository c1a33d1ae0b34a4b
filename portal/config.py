"""Typed settings from the environment and an optional TOML file; wrong settings fail fast."""
from __future__ import annotations

import os
import re
import secrets
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

KNOWN_PORTAL_KEYS = {"PORTAL_ENV", "PORTAL_CONFIG", "PORTAL_BASE_URL"}
ROLES = ("reader", "member", "coordinator", "admin")
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(Exception):
    """The configuration cannot be used; the message says which setting and why."""


@dataclass(frozen=True)
class OIDCProvider:
    name: str
    label: str
    issuer: str
    client_id: str
    client_secret: str
    scopes: tuple[str, ...] = ("openid", "email", "profile")
    organisation: str | None = None
    organisation_claim: str | None = None
    organisation_map: dict[str, str] = field(default_factory=dict)
    default_role: str = "member"
    role_claim: str | None = None


@dataclass(frozen=True)
class Limits:
    enabled: bool = True
    login: str = "10/minute"
    write: str = "120/minute"
    export: str = "20/minute"


@dataclass(frozen=True)
class SessionSettings:
    idle_minutes: int = 30
    absolute_hours: int = 10


@dataclass(frozen=True)
class Uploads:
    max_mb: int = 20


@dataclass(frozen=True)
class Records:
    """Retention per kind of record, in whole years after the record was finished (closed, approved, frozen, written):
    what may go to the archive or, once approved, be disposed of. Defaults are a starting point; the selection list
    (selectielijst) of the ministry decides."""

    closed_items_years: int = 10
    meetings_years: int = 10
    reports_years: int = 10
    audit_events_years: int = 7


@dataclass(frozen=True)
class Settings:
    env: str = "development"
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'instance' / 'portal.db'}"
    secret_key: str = ""
    base_url: str = "http://127.0.0.1:5000"
    redis_url: str | None = None
    smtp_url: str | None = None
    providers: tuple[OIDCProvider, ...] = ()
    limits: Limits = Limits()
    session: SessionSettings = SessionSettings()
    uploads: Uploads = Uploads()
    records: Records = Records()

    @property
    def is_production(self) -> bool:
        return self.env == "production"


PROVIDER_KEYS = {f for f in OIDCProvider.__dataclass_fields__} | {"client_secret_env"}
PROVIDER_REQUIRED = {"name", "label", "issuer", "client_id"}


def _provider(raw: dict, index: int, env: dict[str, str]) -> OIDCProvider:
    where = f"[[oidc.providers]] #{index + 1}"
    unknown = set(raw) - PROVIDER_KEYS
    if unknown:
        raise ConfigError(f"{where}: unknown keys {sorted(unknown)}")
    missing = PROVIDER_REQUIRED - set(raw)
    if missing:
        raise ConfigError(f"{where}: missing keys {sorted(missing)}")
    data = dict(raw)
    if not re.fullmatch(r"[a-z0-9-]+", data["name"]):
        raise ConfigError(f"{where}: name must match [a-z0-9-]+")
    secret_env = data.pop("client_secret_env", None)
    if secret_env:
        if secret_env not in env:
            raise ConfigError(f"{where}: environment variable {secret_env} is not set")
        data["client_secret"] = env[secret_env]
    if not data.get("client_secret"):
        raise ConfigError(f"{where}: client_secret or client_secret_env is required")
    if bool(data.get("organisation")) == bool(data.get("organisation_claim")):
        raise ConfigError(f"{where}: set exactly one of organisation or organisation_claim")
    if data.get("default_role", "member") not in ROLES:
        raise ConfigError(f"{where}: default_role must be one of {', '.join(ROLES)}")
    data["scopes"] = tuple(data.get("scopes", OIDCProvider.scopes))
    if "openid" not in data["scopes"]:
        raise ConfigError(f"{where}: scopes must include openid")
    return OIDCProvider(**data)


def _read_toml(env: dict[str, str]) -> dict:
    if not env.get("PORTAL_CONFIG"):
        return {}
    path = Path(env["PORTAL_CONFIG"])
    try:
        toml = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"PORTAL_CONFIG {path}: {exc}") from exc
    unknown_sections = set(toml) - {"oidc", "limits", "session", "uploads", "records"}
    if unknown_sections:
        raise ConfigError(f"unknown sections in PORTAL_CONFIG: {sorted(unknown_sections)}")
    return toml


def _section(toml: dict, name: str, known) -> dict:
    """A [section] of the file, refused when it names a key the portal does not know."""
    raw = toml.get(name, {})
    if set(raw) - set(known):
        raise ConfigError(f"unknown keys in [{name}]: {sorted(set(raw) - set(known))}")
    return raw


def _providers(toml: dict, env: dict[str, str]) -> tuple[OIDCProvider, ...]:
    oidc = _section(toml, "oidc", {"providers"})
    providers = tuple(_provider(p, i, env) for i, p in enumerate(oidc.get("providers", [])))
    names = [p.name for p in providers]
    if len(names) != len(set(names)):
        raise ConfigError("provider names must be unique")
    return providers


def _checked_sections(toml: dict) -> dict:
    """[limits], [session], [uploads] and [records], each within its bounds."""
    session_settings = SessionSettings(**_section(toml, "session", SessionSettings.__dataclass_fields__))
    if session_settings.idle_minutes < 1 or session_settings.absolute_hours < 1:
        raise ConfigError("[session] idle_minutes and absolute_hours must be positive")
    uploads = Uploads(**_section(toml, "uploads", {"max_mb"}))
    if not isinstance(uploads.max_mb, int) or not 1 <= uploads.max_mb <= 500:
        raise ConfigError("[uploads] max_mb must be a whole number from 1 to 500")
    records = Records(**_section(toml, "records", Records.__dataclass_fields__))
    if any(not isinstance(v, int) or isinstance(v, bool) or not 1 <= v <= 100 for v in vars(records).values()):
        raise ConfigError("[records] retention is a whole number of years from 1 to 100")
    return {"limits": Limits(**_section(toml, "limits", Limits.__dataclass_fields__)), "session": session_settings, "uploads": uploads,
            "records": records}


def load_settings(env: dict[str, str] | None = None, overrides: dict | None = None) -> Settings:
    """Read settings once at start. `overrides` is for tests and tools."""
    env = dict(os.environ if env is None else env)
    unknown = {k for k in env if k.startswith("PORTAL_")} - KNOWN_PORTAL_KEYS
    if unknown:
        raise ConfigError(f"unknown environment variables: {', '.join(sorted(unknown))}")
    portal_env = env.get("PORTAL_ENV", "development")
    if portal_env not in ("development", "production", "test"):
        raise ConfigError("PORTAL_ENV must be development, production or test")
    toml = _read_toml(env)
    secret_key = env.get("SECRET_KEY", "")
    if not secret_key and portal_env == "production":
        raise ConfigError("SECRET_KEY is required when PORTAL_ENV=production")
    values = dict(
        env=portal_env,
        database_url=env.get("DATABASE_URL") or Settings.database_url,
        secret_key=secret_key or secrets.token_urlsafe(32),
        base_url=env.get("PORTAL_BASE_URL", Settings.base_url).rstrip("/"),
        redis_url=env.get("REDIS_URL") or None,
        smtp_url=env.get("SMTP_URL") or None,
        providers=_providers(toml, env),
        **_checked_sections(toml),
    )
    values.update(overrides or {})
    settings = Settings(**values)
    if settings.is_production and not settings.base_url.startswith("https://"):
        raise ConfigError("PORTAL_BASE_URL must use https when PORTAL_ENV=production")
    return settings
