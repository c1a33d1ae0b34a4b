"""Every JSON body the API takes, defined once (#25): a route validates its request with it (helpers.body_of) and the
OpenAPI document states it (schemas.json_schema), both from the same TypedDict through pydantic. A field a body does not
list is refused; a field that is not Required may be left out (the service decides what an absent field means).
Limits come from portal/limits.py and choices from the models, so a form, a service, a body and the document agree."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Required, get_type_hints

from pydantic import ConfigDict, Field, GetCoreSchemaHandler, GetJsonSchemaHandler, with_config
from pydantic_core import core_schema
from typing_extensions import TypedDict  # pydantic needs this one before Python 3.12

import models

from .. import limits

STRICT = ConfigDict(extra="forbid", strict=True)  # JSON types as sent: "3" is no number, 1 is no text, true is no number
DB_ID = 2**31 - 1
COMMITMENT_KEY = r"[0-9]{1,9}"  # a commitment's id as a JSON key (its weight's)


@dataclass(frozen=True)
class OneOf:
    """One of these values (an enum in the document); used as Annotated[str, OneOf(models.VISIBILITIES)]."""

    values: tuple

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        # The field's own type first (a wrong type is the edge's to refuse), then the choice (the service's).
        return core_schema.chain_schema([handler(source), core_schema.literal_schema(list(self.values))])

    def __get_pydantic_json_schema__(self, schema: Any, handler: GetJsonSchemaHandler) -> dict:
        return {**handler(schema), "enum": list(self.values)}


def _text(maximum: int | None = None, **extra: Any) -> Any:
    return Field(max_length=maximum, **extra) if maximum else Field(**extra)


_TYPED_DICT: Any = TypedDict  # called with a name made at run time (see required)


def required(name: str, body: Any, *names: str, **more: Any) -> Any:
    """The body a create takes: a change's `body` (every field optional) with the fields `names` required and the fields
    `more` added, so that creating and changing one kind of record read one list of fields."""
    fields = {k: Required[v] if k in names else v for k, v in get_type_hints(body, include_extras=True).items()}
    made = _TYPED_DICT(name, {**fields, **more}, total=False)
    made.__module__ = body.__module__
    return with_config(STRICT)(made)


Date = Annotated[str, Field(json_schema_extra={"format": "date"})]
DateTime = Annotated[str, Field(json_schema_extra={"format": "date-time"})]
Codes = Annotated[list[Annotated[str, Field(max_length=limits.CODE)]], Field(description="organisation codes")]
Ids = list[int]
Figure = int | float | str | None  # a number (an integer stays one), a number written as text ("12,5"), or null for not available
Reason = Annotated[str | None, Field(max_length=limits.REASON, description="why it was changed (kept in the audit trail)")]
Retired = Annotated[bool, Field(description="true retires it from today on (kept, never deleted); false restores it")]


# -- action items ----------------------------------------------------------------------------------------------------

@with_config(STRICT)
class ItemWrite(TypedDict, total=False):
    title: Annotated[str, _text(limits.TITLE)]
    description: Annotated[str | None, _text(limits.DESCRIPTION)]
    recommendation_ids: Ids
    focus_area: str | None
    owner_organisation: str
    contributing_organisations: list[str]
    assignee_id: int | None
    due_date: Date | None
    visibility: Annotated[str, OneOf(models.VISIBILITIES)]
    shared_with: list[str]


@with_config(STRICT)
class UpdateBody(TypedDict, total=False):
    note: Required[str]
    status: Annotated[str, OneOf(models.UPDATE_STATUSES)]
    progress: Annotated[int, Field(ge=0, le=100)]


@with_config(STRICT)
class NoteBody(TypedDict):
    note: str


@with_config(STRICT)
class ReasonBody(TypedDict):
    reason: str


@with_config(STRICT)
class NoBody(TypedDict):
    pass


@with_config(STRICT)
class CommentBody(TypedDict):
    body: str


# -- meetings --------------------------------------------------------------------------------------------------------

@with_config(STRICT)
class MeetingWrite(TypedDict, total=False):
    series: str
    title: str
    starts_at: DateTime
    ends_at: DateTime | None
    location: str | None
    is_online: bool
    chair_organisation: str | None
    visibility: Annotated[str, OneOf(models.VISIBILITIES)]
    shared_with: list[str]
    invited: list[str]
    agenda: Annotated[Ids, Field(description="this meeting's agenda item ids in their new order")]


@with_config(STRICT)
class AgendaPoint(TypedDict, total=False):
    title: Required[str]
    presenter: str | None
    duration_minutes: int | None
    focus_area: str | None


Attendance = dict[str, Annotated[str, OneOf(models.meeting.ATTENDANCE)]]


@with_config(STRICT)
class MinutesBody(TypedDict, total=False):
    body: Required[str]
    is_restricted: bool


@with_config(STRICT)
class DecisionBody(TypedDict, total=False):
    agenda_item_id: int | None
    text: Required[str]
    focus_area: str | None


@with_config(STRICT)
class ErratumBody(TypedDict):
    agenda_item_id: int
    body: str


@with_config(STRICT)
class NextMeeting(TypedDict, total=False):
    starts_at: Annotated[DateTime | None, Field(description="default: four weeks later")]


@with_config(STRICT)
class StandardAgenda(TypedDict):
    standard_agenda: list[Annotated[str, _text(limits.TITLE)]]


@with_config(STRICT)
class SeriesBody(TypedDict):
    code: Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9]{1,15}$")]
    title: str


@with_config(STRICT)
class Invitation(TypedDict):
    user_id: int


# -- framework, targets, follow-up, Parliament -----------------------------------------------------------------------

@with_config(STRICT)
class FrameworkBody(TypedDict, total=False):
    title: Required[str]
    period_start: Required[Date]
    period_end: Required[Date]
    carry_over_ids: Annotated[Ids, Field(description="commitment ids")]


@with_config(STRICT)
class Weights(TypedDict):
    weights: Annotated[dict[Annotated[str, Field(pattern=f"^{COMMITMENT_KEY}$")], int | float | str], Field(description="commitment id -> weight")]


@with_config(STRICT)
class TargetBody(TypedDict, total=False):
    period: Required[Annotated[str, Field(examples=["2025", "2025-Q3"])]]
    value: Figure
    unit: Required[str]
    direction: Required[Annotated[str, OneOf(models.TARGET_DIRECTIONS)]]
    indicator: str | None
    organisation: str | None
    valid_from: Date | None
    reason: str | None
    note: str | None
    source: Annotated[str | None, Field(description="key of the document that set the target")]


@with_config(STRICT)
class ResponseBody(TypedDict, total=False):
    stance: Required[Annotated[str, OneOf(models.RESPONSES)]]
    text: str | None
    responded_on: Date | None
    document: Annotated[str | None, Field(description="source key")]
    document_title: str | None
    kamerstuk: str | None
    url: str | None
    reason: str | None


@with_config(STRICT)
class Related(TypedDict, total=False):
    related_id: Required[int]
    linked: bool


@with_config(STRICT)
class ParliamentWrite(TypedDict, total=False):
    kind: Annotated[str, OneOf(models.PARLIAMENT_KINDS)]
    kamerstuk: str | None
    text: str
    date: Annotated[Date | None, Field(description="the day it was made")]
    owner_organisation: str | None
    due: Annotated[str | None, Field(examples=["medio 2022", "begin 2017", "2025-03-01"])]
    status: Annotated[str, OneOf(models.PARLIAMENT_STATUSES)]
    closed_on: Date | None
    fulfilled_by: Annotated[str | None, Field(description="source key")]
    fulfilled_note: str | None
    action_item_ids: Ids
    made_in: Annotated[str | None, _text(limits.PLACE, description="the debate or document")]
    member: Annotated[str | None, _text(limits.NAME, description="the Kamerlid")]
    due_reason: Annotated[str | None, _text(limits.REASON, description="why the term changed (kept in due_history)")]


ParliamentCreate = required("ParliamentCreate", ParliamentWrite, "text")
