"""Sign-in. For now only the login page; OpenID Connect arrives with the sign-in change."""
from flask import Blueprint, current_app, render_template

from ..access import public

bp = Blueprint("auth", __name__)


@bp.get("/login")
@public
def login_page():
    providers = current_app.config["PORTAL_SETTINGS"].providers
    return render_template("auth/login.html", providers=providers)
