"""axe-core in the browser tests: the copy vendored from the npm registry by ``make axe-core``.

The file is git-ignored (``tests/e2e/vendor/``). Without it the accessibility test is skipped and says
why, as the browser tests are without Chromium: it never passes without having run axe.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

VENDOR = Path(__file__).resolve().parent / "vendor"
AXE_CORE = VENDOR / "node_modules" / "axe-core" / "axe.min.js"
#: the impacts that fail a page (axe's others are "moderate" and "minor")
BLOCKING = ("serious", "critical")


def missing_reason() -> str | None:
    """Why axe-core cannot run here, or None when the vendored copy is present."""
    if AXE_CORE.exists():
        return None
    where = AXE_CORE.relative_to(VENDOR.parents[2])
    if shutil.which("npm") is None:
        return (f"axe-core is not vendored ({where} is missing) and npm is not installed: "
                "apt-get install npm, then make axe-core")
    return f"axe-core is not vendored ({where} is missing): run make axe-core (npm install from the npm registry)"


def version() -> str:
    return json.loads((AXE_CORE.parent / "package.json").read_text(encoding="utf-8"))["version"]


def run(page: Page) -> dict[str, Any]:
    """axe's results for the page as it is now. The page's context must bypass the CSP: the portal's
    ``script-src 'self'`` blocks the inline script Playwright adds."""
    page.add_script_tag(path=str(AXE_CORE))
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    assert results["passes"], "axe ran no check on the page"
    return results


def blocking(results: dict[str, Any]) -> list[dict[str, Any]]:
    return [v for v in results["violations"] if v.get("impact") in BLOCKING]


def describe(violation: dict[str, Any]) -> list[str]:
    """One line per element: rule id, impact, CSS target, axe's help text."""
    return [f"{violation['id']} ({violation['impact']}) at {' '.join(map(str, node['target']))}: {violation['help']}"
            for node in violation["nodes"]]
