"""How long each text a person writes may be, defined once (#25). The services check it (validation.text), the forms
declare it (WTForms Length), the OpenAPI document states it (maxLength) and a page's input says it (maxlength): all read
these names, and tests/test_field_rules.py fails on a limit written anywhere else."""
from __future__ import annotations

TITLE = 300            # an action item, meeting, agenda point, report, update round or indicator
DESCRIPTION = 10_000   # an action item's description
NOTE = 5_000           # a progress note, comment, closing note, reason to send back or cancel, decision, erratum
MINUTES = 20_000       # the minutes of one agenda point
TEXT = 4_000           # a narrative, a response, a toezegging, a round's message, a definition, a document's note
RECOMMENDATION = 8_000  # a recommendation's or commitment's text
REASON = 2_000         # why something changed; the note with a figure, a target or a fulfilled toezegging
DOCUMENT_TITLE = 500   # a source's or framework's title
URL = 500              # a link to a document
SOURCE_TEXT = 500      # where a figure comes from, in words
REFERENCE = 100        # a kenmerk or a Kamerstuk number
NAME = 200             # someone or something named in words: a presenter, a Kamerlid, a producer, an issuer, a series
PLACE = 300            # a meeting's location; the debate or document where a toezegging was made
CATEGORY = 100         # a category in a figure's breakdown
UNIT = 32              # a unit: aantal, procent, euro
DUE = 64               # a term in words: "medio 2022"
CODE = 16              # an organisation's, series' or focus area's code
COMMITMENT_CODE = 32   # a commitment's code: 3.1.4
IDEMPOTENCY_KEY = 64   # the Idempotency-Key header of a create
NUMBER = 9_999         # a recommendation's number within its document
TOKEN_NAME = 100       # a personal access token's name
BREAKDOWN_PARTS = 50   # how many categories a figure's breakdown may have
TOKEN_DAYS = 366       # how many days a personal access token may be valid
