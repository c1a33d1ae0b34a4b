"""Action item pages: list, create, detail with history, edit with conflict handling, updates, closure,
comments, attachments and exports. Every form works without JavaScript; htmx swaps fragments in place."""
from __future__ import annotations

import base64
import json
import secrets

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from models import UPDATE_STATUSES, ActionItem, Attachment, AuditEvent, Comment, Organisation, Recommendation, User

from .. import audit
from ..access import get_or_404, signed_in
from ..downloads import attachment
from ..errors import ValidationFailed, VersionConflict
from ..extensions import counts_as_download, db
from ..formtools import apply_errors, ids_prefixed
from ..htmx import is_htmx
from ..inputs import bounded_int
from ..sheets import MAX_BYTES, SheetError
from ..writes import transaction
from . import attachments, bp, exports, imports, queries, services
from .forms import AttachmentForm, ClosureForm, CommentForm, ConfirmForm, ItemForm, ReasonForm, UpdateForm
from .permissions import can_comment, can_confirm, can_create, can_edit, can_request_closure, is_owner_side, visible_clause

PER_PAGE = 25


@bp.get("")
def list():
    viewer = signed_in()
    filters = queries.Filters.from_args(request.args)
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    items, total = queries.page_of(viewer, filters, page, PER_PAGE)
    context = dict(items=items, total=total, page=page, per_page=PER_PAGE, filters=filters,
                   pages=max((total + PER_PAGE - 1) // PER_PAGE, 1),
                   organisations=db.session.scalars(select(Organisation).where(Organisation.kind == "partner").order_by(Organisation.code)).all(),
                   focus_areas=db.session.scalars(select(queries.FocusArea).order_by(queries.FocusArea.position)).all(),
                   recommendation_groups=queries.recommendation_groups(db.session.execute(queries.recommendation_choices()).all()))
    if is_htmx() and request.headers.get("HX-Target") == "resultaten":
        return render_template("actions/_results.html", **context)
    return render_template("actions/list.html", **context)


@bp.get("/export.<fmt>")
@counts_as_download
def export(fmt: str):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    viewer = signed_in()
    filters = queries.Filters.from_args(request.args)
    items = queries.all_filtered(viewer, filters)
    with transaction():
        audit.record("export", actor=viewer, entity_type="action_item", format=fmt, count=len(items), filters=filters.as_args())
    if fmt == "csv":
        body, mimetype = exports.to_csv(items), "text/csv; charset=utf-8"
    else:
        body, mimetype = exports.to_xlsx(items), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return attachment(body, mimetype, f"acties.{fmt}")


@bp.route("/new", methods=["GET", "POST"])
def create():
    viewer = signed_in()
    if not can_create(viewer):
        abort(403)
    form = ItemForm()
    if request.method == "GET":
        form.owner_organisation.data = viewer.organisation.code
        form.visibility.data = "mdt"
        form.recommendation_ids.data = [r for r in map(bounded_int, request.args.getlist("recommendation")) if r is not None]
        form.submission_key.data = secrets.token_urlsafe(24)
        form.meeting_id.data = request.args.get("meeting", "")
        form.agenda_item_id.data = request.args.get("agenda_item", "")
        form.focus_area.data = request.args.get("focus_area", "")
    form.fill_choices(form.owner_organisation.data or viewer.organisation.code)
    extra = {}
    if form.validate_on_submit():
        try:
            with transaction():
                item, created = services.create_item(db.session, viewer, form.data_for_service(), form.submission_key.data or None)
            flash(_("De actie is aangemaakt.") if created else _("Deze actie was al aangemaakt; u ziet hem hieronder."), "success")
            return redirect(url_for("actions.detail", item_id=item.id))
        except ValidationFailed as exc:
            extra = apply_errors(form, exc.fields)
    status = 422 if request.method == "POST" else 200
    return render_template("actions/form.html", form=form, item=None, extra_errors=extra), status


DETAIL_OPTIONS = (
    joinedload(ActionItem.owner_organisation), joinedload(ActionItem.focus_area), joinedload(ActionItem.assignee), joinedload(ActionItem.commitment),
    selectinload(ActionItem.recommendations).joinedload(Recommendation.source),
    selectinload(ActionItem.shared_with), selectinload(ActionItem.contributing_organisations),
)


def _requester(item: ActionItem) -> int | None:
    """Who turned the first key (four eyes: that coordinator is not offered the second)."""
    if item.closure_state != "requested":
        return None
    request = services.closure_request(db.session, item)
    return request.author_id if request else None


def _detail_context(item: ActionItem, viewer: User, **forms) -> dict:
    history = db.session.scalars(queries.history(item)).all()
    comments = db.session.scalars(select(Comment).where(Comment.action_item_id == item.id).order_by(Comment.created_at)
                                  .options(joinedload(Comment.author))).all()
    files = db.session.scalars(select(Attachment).where(Attachment.action_item_id == item.id).order_by(Attachment.uploaded_at)).all()
    editable = can_edit(viewer, item)
    is_owner = is_owner_side(viewer, item)
    update_form = forms.get("update_form") or UpdateForm(formdata=None, status=item.status if item.status in UPDATE_STATUSES else "in_progress",
                                                         progress=item.progress, version=item.version)
    return dict(
        item=item, history=history, comments=comments, attachments=files,
        can_edit=editable, can_close=can_request_closure(viewer, item) and item.status in UPDATE_STATUSES,
        can_cancel=editable and is_owner and item.status not in ("done", "cancelled"),
        can_confirm=can_confirm(viewer, item, _requester(item)),
        can_comment=can_comment(viewer, item),
        update_form=update_form,
        closure_form=forms.get("closure_form") or ClosureForm(formdata=None, version=item.version),
        reason_form=forms.get("reason_form") or ReasonForm(formdata=None, version=item.version),
        reject_form=ids_prefixed(forms.get("reject_form") or ReasonForm(formdata=None, version=item.version), "reject"),
        confirm_form=ConfirmForm(formdata=None, version=item.version),
        comment_form=forms.get("comment_form") or CommentForm(formdata=None),
        attachment_form=forms.get("attachment_form") or AttachmentForm(formdata=None),
        conflict=forms.get("conflict"),
    )


@bp.get("/<int:item_id>")
def detail(item_id: int):
    item = get_or_404(ActionItem, item_id, visible=visible_clause, options=DETAIL_OPTIONS)
    return render_template("actions/detail.html", **_detail_context(item, signed_in()))


@bp.get("/<int:item_id>/log")
def log(item_id: int):
    """Every recorded action on the item (the audit trail), newest first."""
    item = get_or_404(ActionItem, item_id, visible=visible_clause)
    events = db.session.execute(
        select(AuditEvent, User.name).outerjoin(User, User.id == AuditEvent.actor_id)
        .where(AuditEvent.entity_type == "action_item", AuditEvent.entity_id == item.id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(500)
    ).all()
    return render_template("actions/log.html", item=item, events=events)


@bp.route("/<int:item_id>/edit", methods=["GET", "POST"])
def edit(item_id: int):
    viewer = signed_in()
    item = get_or_404(ActionItem, item_id, visible=visible_clause)
    if not can_edit(viewer, item):
        abort(403)
    if request.method == "GET":
        form = ItemForm(formdata=None, obj=item)
        form.owner_organisation.data = item.owner_organisation.code
        form.focus_area.data = item.focus_area.code if item.focus_area else ""
        form.commitment_id.data = item.commitment_id
        form.recommendation_ids.data = [r.id for r in item.recommendations]
        form.contributing_organisations.data = [o.code for o in item.contributing_organisations]
        form.shared_with.data = [o.code for o in item.shared_with]
        form.version.data = item.version
    else:
        form = ItemForm()
    form.fill_choices(form.owner_organisation.data or item.owner_organisation.code)
    extra = {}
    if form.validate_on_submit():
        try:
            with transaction():
                services.update_item(db.session, viewer, item, bounded_int(form.version.data), form.data_for_service())
            flash(_("De wijzigingen zijn opgeslagen."), "success")
            return redirect(url_for("actions.detail", item_id=item.id))
        except VersionConflict:
            db.session.refresh(item)
            theirs = form.data_for_service()
            form.version.data = item.version  # resubmitting now means: my version wins, knowingly
            return render_template("actions/conflict.html", form=form, item=item, theirs=theirs), 409
        except ValidationFailed as exc:
            db.session.refresh(item)
            extra = apply_errors(form, exc.fields)
    status = 422 if request.method == "POST" else 200
    return render_template("actions/form.html", form=form, item=item, extra_errors=extra), status


def _after_write(item: ActionItem, message: str, anchor: str, **forms):
    """htmx: the re-rendered history fragment plus a message; otherwise back to the page."""
    if is_htmx():
        response = current_app.make_response(render_template("actions/_activity.html", **_detail_context(item, signed_in(), **forms)))
        response.headers["HX-Trigger"] = json.dumps({"portal:message": message})
        return response
    flash(message, "success")
    return redirect(url_for("actions.detail", item_id=item.id) + f"#{anchor}")


def _refused(item: ActionItem, status: int, **forms):
    db.session.rollback()
    db.session.refresh(item)
    template = "actions/_activity.html" if is_htmx() else "actions/detail.html"
    return render_template(template, **_detail_context(item, signed_in(), **forms)), status


def _simple_action(item_id: int, form_cls, call, message: str, form_key: str, anchor: str = "geschiedenis"):
    """Validate the form, call one service, commit; a stale version keeps what was typed (409)."""
    viewer = signed_in()
    item = get_or_404(ActionItem, item_id, visible=visible_clause)
    form = form_cls()
    if not form.validate():
        return _refused(item, 422, **{form_key: form})
    try:
        with transaction():
            call(viewer, item, form)
    except VersionConflict:
        db.session.refresh(item)
        form.version.data = item.version  # the text stays in the form; nothing typed is lost
        return _refused(item, 409, **{form_key: form, "conflict": True})
    except ValidationFailed as exc:
        apply_errors(form, exc.fields)
        return _refused(item, 422, **{form_key: form})
    return _after_write(item, message, anchor)


@bp.post("/<int:item_id>/updates")
def add_update(item_id: int):
    return _simple_action(item_id, UpdateForm, lambda viewer, item, form: services.add_update(
        db.session, viewer, item, bounded_int(form.version.data), form.note.data, form.status.data, form.progress.data),
        _("Uw voortgangsbericht is opgeslagen."), "update_form")


@bp.post("/<int:item_id>/close")
def close(item_id: int):
    def call(viewer, item, form):
        services.request_closure(db.session, viewer, item, bounded_int(form.version.data), form.closing_note.data)
        upload = form.evidence.data
        if upload and getattr(upload, "filename", ""):
            try:
                attachments.store_upload(db.session, viewer, item, upload, is_evidence=True)
            except ValidationFailed as exc:
                raise ValidationFailed({"evidence": exc.fields.get("file", _("Dit bestand kan niet worden toegevoegd."))}) from None
    return _simple_action(item_id, ClosureForm, call, _("De actie is gemeld als afgerond en wacht op bevestiging."), "closure_form")


@bp.post("/<int:item_id>/confirm")
def confirm(item_id: int):
    return _simple_action(item_id, ConfirmForm, lambda viewer, item, form: services.confirm_closure(
        db.session, viewer, item, bounded_int(form.version.data)), _("De afronding is bevestigd."), "confirm_form")


@bp.post("/<int:item_id>/reject")
def reject(item_id: int):
    return _simple_action(item_id, ReasonForm, lambda viewer, item, form: services.reject_closure(
        db.session, viewer, item, bounded_int(form.version.data), form.reason.data), _("De actie is teruggestuurd."), "reject_form")


@bp.post("/<int:item_id>/cancel")
def cancel(item_id: int):
    return _simple_action(item_id, ReasonForm, lambda viewer, item, form: services.cancel_item(
        db.session, viewer, item, bounded_int(form.version.data), form.reason.data), _("De actie is vervallen."), "reason_form")


@bp.post("/<int:item_id>/comments")
def comment(item_id: int):
    return _simple_action(item_id, CommentForm, lambda viewer, item, form: services.add_comment(
        db.session, viewer, item, form.body.data), _("Uw reactie is geplaatst."), "comment_form", "reacties")


@bp.post("/<int:item_id>/attachments")
def upload(item_id: int):
    return _simple_action(item_id, AttachmentForm, lambda viewer, item, form: attachments.store_upload(
        db.session, viewer, item, form.file.data, is_evidence=form.is_evidence.data), _("Het bestand is toegevoegd."), "attachment_form", "bijlagen")


@bp.get("/<int:item_id>/attachments/<int:attachment_id>")
@counts_as_download
def download(item_id: int, attachment_id: int):
    item = get_or_404(ActionItem, item_id, visible=visible_clause)
    attachment = attachments.of_item(db.session, item, attachment_id) or abort(404)
    return attachments.send(attachment, attachments.storage_dir())


IMPORT_FIELD_LABELS = {"title": _l("Titel (verplicht)"), "description": _l("Omschrijving"), "owner_organisation": _l("Eigenaar (organisatie)"),
                       "due_date": _l("Deadline"), "focus_area": _l("Speerpunt"), "status": _l("Status"), "progress": _l("Voortgang (%)"),
                       "visibility": _l("Zichtbaarheid")}


def _posted_mapping(width: int) -> dict[str, int | None] | None:
    """The column chosen per field ("" = not used); None when the form holds no mapping yet."""
    if "map-title" not in request.form:
        return None
    mapping: dict[str, int | None] = {}
    for name in imports.FIELDS:
        raw = request.form.get(f"map-{name}", "")
        column = bounded_int(raw)
        mapping[name] = column if column is not None and column < width else None
    return mapping


@bp.route("/import", methods=["GET", "POST"])
def import_list():
    """Step 1: upload; step 2: check the column mapping and every line; step 3 (confirm): all lines become items, or none."""
    viewer = signed_in()
    if not can_create(viewer):
        abort(403)
    if request.method == "GET":
        return render_template("actions/import.html", header=None, lines=None, error=None, labels=IMPORT_FIELD_LABELS)
    raw, filename = b"", "actielijst.xlsx"
    if request.form.get("payload"):
        try:
            raw = base64.b64decode(request.form["payload"], validate=True)
        except ValueError:
            abort(400)
        filename = request.form.get("filename", filename)[:200]
    elif request.files.get("file") and request.files["file"].filename:
        upload = request.files["file"]
        filename, raw = upload.filename, upload.read(MAX_BYTES + 1)
    if not raw:
        return render_template("actions/import.html", header=None, lines=None, error=_("Kies een bestand."), labels=IMPORT_FIELD_LABELS), 422
    try:
        header = imports.header(filename, raw)
        mapping = _posted_mapping(len(header))
        if request.form.get("confirm") == "1" and mapping is not None:
            try:
                with transaction():
                    count = imports.store(db.session, viewer, filename, raw, mapping)
            except ValidationFailed:
                pass  # shown below, line by line
            else:
                flash(ngettext("%(num)d actie is geïmporteerd.", "%(num)d acties zijn geïmporteerd.", count), "success")
                return redirect(url_for("actions.list")), 303
        header, mapping, lines = imports.preview(db.session, viewer, filename, raw, mapping)
    except SheetError as exc:
        return render_template("actions/import.html", header=None, lines=None, error=str(exc), labels=IMPORT_FIELD_LABELS), 422
    ok = not any(line.problems for line in lines)
    return render_template("actions/import.html", header=header, mapping=mapping, lines=lines, error=None, labels=IMPORT_FIELD_LABELS,
                           filename=filename, payload=base64.b64encode(raw).decode("ascii"), ok=ok), 200 if ok else 422
