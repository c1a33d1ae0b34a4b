"""The JSON bodies of the content coordinators keep (indicators, documents, recommendations, commitments), of reports,
letters and update rounds, and of people, organisations and tokens: the second half of api/bodies.py, alike in every way."""
from __future__ import annotations

from typing import Annotated, NotRequired, Required

from pydantic import Field, with_config
from typing_extensions import TypedDict  # pydantic needs this one before Python 3.12

import models

from .. import limits
from ..indicators.catalogue import FREQUENCIES, KEY_PATTERN
from .bodies import DB_ID, STRICT, Codes, Date, Figure, OneOf, Reason, Retired, _text, required

# -- indicators ------------------------------------------------------------------------------------------------------

@with_config(STRICT)
class IndicatorWrite(TypedDict, total=False):
    title: Annotated[str, _text(limits.TITLE)]
    unit: Annotated[str, _text(limits.UNIT)]
    definition: Annotated[str | None, _text(limits.TEXT)]
    producer: Annotated[str | None, _text(limits.NAME)]
    producer_organisation: Annotated[str | None, _text(limits.CODE, description="who publishes (extern ones too)")]
    owner_organisation: Annotated[str, _text(limits.CODE)]
    visibility: Annotated[str, OneOf(models.INDICATOR_VISIBILITIES)]
    focus_area: Annotated[str | None, _text(limits.CODE)]
    frequency_months: Annotated[int | None, OneOf((*FREQUENCIES, None))]
    responsible_user_id: Annotated[int | None, Field(ge=1, le=DB_ID)]


IndicatorCreate = required("IndicatorCreate", IndicatorWrite, "title", "unit", "owner_organisation", "visibility",
                           key=Required[Annotated[str, Field(pattern=f"^{KEY_PATTERN}$")]])


@with_config(STRICT)
class BreakdownPart(TypedDict):
    category: Annotated[str, _text(limits.CATEGORY)]
    value: NotRequired[Figure]


@with_config(STRICT)
class MeasurementBody(TypedDict, total=False):
    period: Required[Annotated[str, Field(examples=["2024", "2024-Q3", "2024-05"])]]
    value: Figure
    source: str
    note: str
    breakdown: Annotated[list[BreakdownPart], Field(max_length=limits.BREAKDOWN_PARTS,
                                                    description="the figure by category; the parts add up to it, or breakdown_note says why not")]
    breakdown_note: Annotated[str, _text(limits.REASON)]


@with_config(STRICT)
class Definition(TypedDict, total=False):
    definition: Required[str]
    valid_from: Required[Annotated[str, Field(description="the first period, e.g. 2024 or 2024-Q3")]]
    note: str | None


@with_config(STRICT)
class Expected(TypedDict):
    period: str
    due_on: Date


@with_config(STRICT)
class Correction(TypedDict):
    value: Figure
    reason: str


# -- content kept by coordinators: documents, recommendations, commitments -------------------------------------------

@with_config(STRICT)
class SourceWrite(TypedDict, total=False):
    kind: Annotated[str, OneOf(models.SOURCE_KINDS)]
    title: Annotated[str, _text(limits.DOCUMENT_TITLE)]
    issued_on: Date | None
    reference: Annotated[str | None, _text(limits.REFERENCE)]
    kamerstuk: Annotated[str | None, _text(limits.REFERENCE)]
    issued_by: Annotated[str | None, _text(limits.CODE, description="the issuing organisation's code (extern ones included)")]
    issuer: Annotated[str | None, _text(limits.NAME)]
    url: Annotated[str | None, _text(limits.URL)]
    note: Annotated[str | None, _text(limits.TEXT)]
    retired: Retired
    reason: Reason


SourceCreate = required("SourceCreate", SourceWrite, "kind", "title")


@with_config(STRICT)
class RecommendationWrite(TypedDict, total=False):
    source_id: Annotated[int, Field(ge=1, le=DB_ID)]
    number: Annotated[int, Field(ge=1, le=limits.NUMBER)]
    text: Annotated[str, _text(limits.RECOMMENDATION)]
    kind: Annotated[str, OneOf(models.RECOMMENDATION_KINDS)]
    addressees: Codes
    focus_areas: Codes
    retired: Retired
    reason: Reason


RecommendationCreate = required("RecommendationCreate", RecommendationWrite, "source_id", "number", "text", "addressees")


@with_config(STRICT)
class CommitmentWrite(TypedDict, total=False):
    text: Annotated[str, _text(limits.RECOMMENDATION)]
    code: Annotated[str | None, _text(limits.COMMITMENT_CODE, description="e.g. 3.1.4")]
    note: Annotated[str | None, _text(limits.TEXT)]
    retired: Retired
    reason: Reason


CommitmentCreate = required("CommitmentCreate", CommitmentWrite, "text")


# -- reports, letters and update rounds ------------------------------------------------------------------------------

@with_config(STRICT)
class ReportCreate(TypedDict, total=False):
    as_of: Required[Date]
    title: Required[str]
    previous_report_id: int | None
    framework_id: Annotated[int | None, Field(ge=1, le=DB_ID, description="default: the framework in force today")]


@with_config(STRICT)
class Answer(TypedDict):
    parliament_id: Annotated[int, Field(ge=1, le=DB_ID)]
    status: Annotated[str, OneOf(models.ANSWER_STATUSES)]


@with_config(STRICT)
class Sent(TypedDict, total=False):
    sent_on: Required[Date]
    reference: Required[Annotated[str, Field(min_length=1, max_length=limits.REFERENCE, description="the kenmerk")]]
    kamerstuk: Annotated[str | None, _text(limits.REFERENCE)]
    answers: list[Answer]


@with_config(STRICT)
class Narrative(TypedDict, total=False):
    focus_area: Required[str]
    text: Required[Annotated[str, _text(limits.TEXT)]]
    visibility: Required[Annotated[str, OneOf(("mdt", "public"))]]
    organisation: Annotated[str | None, Field(description="coordinators only")]


@with_config(STRICT)
class Round(TypedDict, total=False):
    title: Required[str]
    message: str | None
    deadline: Required[Date]


# -- people, organisations and tokens --------------------------------------------------------------------------------

@with_config(STRICT)
class UserChange(TypedDict, total=False):
    role: Annotated[str, OneOf(models.ROLES)]
    is_active: bool


@with_config(STRICT)
class OrganisationCreate(TypedDict, total=False):
    code: Required[str]
    name: Required[Annotated[str, _text(limits.NAME)]]
    mdt_member: bool
    active: bool
    kind: Annotated[str, OneOf(models.ORGANISATION_KINDS)]


@with_config(STRICT)
class OrganisationChange(TypedDict, total=False):
    name: Annotated[str, _text(limits.NAME)]
    mdt_member: bool
    active: bool
    confirm: bool


@with_config(STRICT)
class TokenCreate(TypedDict, total=False):
    name: Required[Annotated[str, Field(min_length=1, max_length=limits.TOKEN_NAME)]]
    expires_in_days: Annotated[int, Field(ge=1, le=limits.TOKEN_DAYS)]
