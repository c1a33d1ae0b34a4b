"""Public pages about the portal itself: the accessibility statement (toegankelijkheidsverklaring)."""
from datetime import date

from flask import Blueprint, render_template

from ..access import public

bp = Blueprint("about", __name__)

# The measured state, as the statement reports it (update with every new measurement).
MEASURED_ON = date(2026, 12, 2)
AXE_VERSION = "4.14.1"


@bp.get("/toegankelijkheid")
@public
def accessibility():
    return render_template("about/accessibility.html", measured_on=MEASURED_ON, axe_version=AXE_VERSION)
