"""Records management: retention, the archive export and disposal (Archiefwet). Admin pages under /admin/records."""
from flask import Blueprint, abort

from ..access import current_viewer
from ..admin.permissions import can_administer

bp = Blueprint("records", __name__, url_prefix="/admin/records")


@bp.before_request
def _admins_only():
    viewer = current_viewer()
    if viewer is not None and not can_administer(viewer):
        abort(403)


from . import views  # noqa: E402,F401
