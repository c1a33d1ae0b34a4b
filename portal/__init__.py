"""The MDT-portaal Flask application factory."""
from __future__ import annotations

from flask import Flask

from models import UPDATE_STATUSES

from . import cache, i18n, inputs, limits, logs, probe, security, sessions
from .about import bp as about_bp
from .access import gate
from .actions import bp as actions_bp
from .admin import bp as admin_bp
from .api import bp as api_bp
from .auth import bp as auth_bp
from .auth.oidc import ProviderClient
from .cli import portal_cli
from .config import Settings, load_settings
from .dashboard import bp as dashboard_bp
from .extensions import csrf, db, limiter, login_manager
from .followup import bp as followup_bp
from .framework import bp as framework_bp
from .health import bp as health_bp
from .indicators import bp as indicators_bp
from .meetings import bp as meetings_bp
from .records import bp as records_bp
from .reports import bp as reports_bp
from .search import bp as search_bp


def create_app(config: Settings | dict | None = None) -> Flask:
    """Build the app. `config` is a Settings object, or overrides on top of the environment."""
    settings = config if isinstance(config, Settings) else load_settings(overrides=config)
    app = Flask(__name__, template_folder="../templates", static_folder="../static")
    app.config.update(
        PORTAL_SETTINGS=settings,
        SECRET_KEY=settings.secret_key,
        DEBUG=False,
        PROPAGATE_EXCEPTIONS=False,
        SESSION_COOKIE_NAME="__Host-portal" if settings.is_production else "portal",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.is_production,
        PORTAL_UPLOAD_MAX=settings.uploads.max_mb * 1024 * 1024,
        # Room for the form fields around the largest allowed upload; beyond it: 413.
        MAX_CONTENT_LENGTH=(settings.uploads.max_mb + 1) * 1024 * 1024,
        WTF_CSRF_CHECK_DEFAULT=False,
        WTF_CSRF_TIME_LIMIT=None,
        WTF_CSRF_SSL_STRICT=settings.is_production,
        RATELIMIT_ENABLED=settings.limits.enabled,
        RATELIMIT_STORAGE_URI=settings.redis_url or "memory://",
        BABEL_DEFAULT_LOCALE="nl",
        BABEL_DEFAULT_TIMEZONE="Europe/Amsterdam",
    )

    db.init_app(app, settings.database_url)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.session_protection = None  # server-side sessions are renewed at login instead

    inputs.init_app(app)
    logs.init_app(app)
    cache.init_app(app, settings.redis_url)
    sessions.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    probe.init_app(app)  # after security: the probe answers with its headers, before any other machinery
    app.jinja_env.globals.update(limits=limits, update_statuses=UPDATE_STATUSES)  # a page's maxlength and choices, defined once
    app.extensions["portal.oidc"] = {
        p.name: ProviderClient(p, f"{settings.base_url}/auth/callback/{p.name}") for p in settings.providers
    }

    app.before_request(inputs.check_request)  # bad input is refused before anything reads it (the gate's CSRF check does)
    app.before_request(gate)

    for blueprint in (health_bp, about_bp, i18n.language_blueprint(), auth_bp, dashboard_bp, framework_bp, actions_bp, meetings_bp, indicators_bp,
                      reports_bp, followup_bp, search_bp, api_bp, admin_bp, records_bp):
        app.register_blueprint(blueprint)

    app.cli.add_command(portal_cli)
    return app
