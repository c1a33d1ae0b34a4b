"""htmx helpers: one URL serves the page or its fragment."""
from flask import request


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"
