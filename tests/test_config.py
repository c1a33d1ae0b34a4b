"""Settings: read from the environment and TOML, wrong settings fail fast."""
from __future__ import annotations

import pytest

from portal.config import ConfigError, load_settings

pytestmark = pytest.mark.once("postgresql")  # independent of the database: make test runs it on one backend (conftest)

PROVIDER = """
[[oidc.providers]]
name = "politie"
label = "Politie"
issuer = "https://sso.politie.example"
client_id = "portal"
client_secret_env = "POLITIE_SECRET"
organisation = "POL"
"""


def test_defaults_in_development():
    settings = load_settings(env={})
    assert settings.env == "development"
    assert settings.database_url.startswith("sqlite:///") and settings.database_url.endswith("instance/portal.db")
    assert settings.base_url == "http://127.0.0.1:5000"
    assert len(settings.secret_key) >= 32
    assert load_settings(env={}).secret_key != settings.secret_key  # random per process start


def test_unknown_portal_variable_is_an_error():
    with pytest.raises(ConfigError, match="PORTAL_DEBUG"):
        load_settings(env={"PORTAL_DEBUG": "1"})


def test_production_requires_secret_key():
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_settings(env={"PORTAL_ENV": "production", "PORTAL_BASE_URL": "https://mdt.example"})
    settings = load_settings(env={"PORTAL_ENV": "production", "SECRET_KEY": "s" * 40, "PORTAL_BASE_URL": "https://mdt.example"})
    assert settings.is_production


def test_toml_providers_and_limits(tmp_path):
    path = tmp_path / "portal.toml"
    path.write_text(PROVIDER + '\n[limits]\nenabled = false\nlogin = "5/minute"\n', encoding="utf-8")
    settings = load_settings(env={"PORTAL_CONFIG": str(path), "POLITIE_SECRET": "geheim"})
    (provider,) = settings.providers
    assert provider.name == "politie" and provider.client_secret == "geheim" and provider.organisation == "POL"
    assert provider.scopes == ("openid", "email", "profile")
    assert settings.limits.enabled is False and settings.limits.login == "5/minute"
    assert settings.limits.write == "120/minute"


@pytest.mark.parametrize(
    ("toml", "env", "message"),
    [
        (PROVIDER, {}, "POLITIE_SECRET is not set"),
        (PROVIDER.replace('name = "politie"', 'name = "Politie NL"'), {"POLITIE_SECRET": "x"}, "name must match"),
        (PROVIDER + 'favourite_colour = "blue"\n', {"POLITIE_SECRET": "x"}, "unknown keys"),
        (PROVIDER.replace('organisation = "POL"', ""), {"POLITIE_SECRET": "x"}, "organisation"),
        (PROVIDER + 'default_role = "god"\n', {"POLITIE_SECRET": "x"}, "default_role"),
        (PROVIDER + 'scopes = ["email"]\n', {"POLITIE_SECRET": "x"}, "openid"),
        (PROVIDER + PROVIDER, {"POLITIE_SECRET": "x"}, "unique"),
        ("[mail]\nhost = 'x'\n", {}, "unknown sections"),
        ("[limits]\nlogni = '1/minute'\n", {}, "unknown keys in \\[limits\\]"),
        ("this is = not toml [", {}, "PORTAL_CONFIG"),
    ],
)
def test_bad_toml_fails_fast(tmp_path, toml, env, message):
    path = tmp_path / "portal.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_settings(env={"PORTAL_CONFIG": str(path), **env})
