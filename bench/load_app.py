"""The WSGI app of bench/load.py: the portal on the bench's database, plus ``/__ceiling``, a trivial
endpoint under the same server that shows what server and load generator manage at all, and two
floors of the signed-in pages: ``/__signed`` (the session's user loaded, nothing rendered) and
``/__base`` (the page frame, base.html, around nothing)."""
from __future__ import annotations

import os

from flask import render_template
from flask_login import login_required

from load import bench_app

app = bench_app(os.environ["ESG_LOAD_DATABASE_URL"], os.environ["ESG_LOAD_FOLDER"])
FRAME = app.jinja_env.from_string('{% extends "base.html" %}{% block content %}<p>ok</p>{% endblock %}')


@app.get("/__ceiling")
def ceiling():
    return "ok"


@app.get("/__signed")
@login_required
def signed():
    return "ok"


@app.get("/__base")
@login_required
def frame():
    return render_template(FRAME)
