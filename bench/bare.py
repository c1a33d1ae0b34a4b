"""A bare Flask route under the same gunicorn settings: the floor the portal's request path is compared with."""
from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/healthz")
def healthz():
    return jsonify(status="ok")
