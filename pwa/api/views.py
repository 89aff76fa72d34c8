"""GET /openapi.json: the description of the outbox's JSON endpoints (no case data in it)."""
from flask import Blueprint, jsonify

from pwa.api import openapi

bp = Blueprint("api", __name__)


@bp.route("/openapi.json")
def openapi_json():
    """Serve the OpenAPI document."""
    return jsonify(openapi.spec())
