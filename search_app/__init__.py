"""Flask front end of the Vietnamese news search engine (uses only the public ``indexer`` API)."""

from __future__ import annotations

import os

from flask import Flask

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def create_app(config: dict | None = None) -> Flask:
    """Create the search app; the index folder comes from INDEX_DIR (config, then env)."""
    app = Flask(__name__)
    app.config.from_mapping(INDEX_DIR=os.environ.get("INDEX_DIR", "index_data"))
    if config:
        app.config.update(config)
    app.json.ensure_ascii = False
    from . import views

    app.url_map.converters["article_id"] = views.ArticleIdConverter
    app.register_blueprint(views.bp)
    app.jinja_env.globals["url_for"] = views.fixed_url_for
    app.jinja_env.globals["request_flag"] = views.request_flag
    app.jinja_env.globals["form_args"] = views.form_args
    views.register_error_handlers(app)
    app.after_request(add_security_headers)
    return app


def add_security_headers(response):
    """Set the security headers (CSP without inline script, nosniff, no framing) on a response."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response
