"""The helpers of ``tests/conftest.py`` (login, post_form, csrf_token, PASSWORD, _make_app).

Loaded by file path: with no ``__init__.py`` in the test folders, ``import conftest`` may
find another folder's conftest (``tests/e2e/conftest.py``). The module name is the one
``tests/admin/admin_support.py`` uses, so the file is executed once.
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_NAME = "esg_portal_tests_root_conftest"

if _NAME not in sys.modules:
    _spec = importlib.util.spec_from_file_location(_NAME, Path(__file__).resolve().parent / "conftest.py")
    _module = importlib.util.module_from_spec(_spec)
    sys.modules[_NAME] = _module
    _spec.loader.exec_module(_module)

_conftest = sys.modules[_NAME]
PASSWORD = _conftest.PASSWORD
csrf_token = _conftest.csrf_token
login = _conftest.login
post_form = _conftest.post_form
make_app = _conftest._make_app
