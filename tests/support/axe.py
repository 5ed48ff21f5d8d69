"""axe-core, the accessibility checker, run inside a Playwright page.

Installed from npm once into the test cache (missing npm skips with a message naming it, and
fails under SLOTWISE_REQUIRE_ALL). The script is evaluated through the browser's devtools
protocol, so the page's own Content-Security-Policy stays as strict as a guest's browser sees it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.support.tools import missing, npm_package

SPEC = "axe-core@4.10.3"
SERIOUS = {"serious", "critical"}
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def axe_source() -> str:
    folder = npm_package(SPEC, "axe-core")
    script = Path(folder) / "node_modules" / "axe-core" / "axe.min.js"
    if not script.exists():
        missing(f"axe.min.js inside npm package {SPEC}")
    return script.read_text()


def serious_violations(page: Any, source: str) -> list[str]:
    """The serious and critical WCAG 2.x A/AA violations on the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(source)
    result = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ': ' + n.failureSummary),
            }));
        }""",
        TAGS,
    )
    return [
        f"{v['id']} ({v['impact']}): {'; '.join(v['nodes'])}"
        for v in result
        if v["impact"] in SERIOUS
    ]
