"""What the browser checks measure on a loaded page: axe-core violations, transferred weight,
and content wider than the screen. Each returns data plus a readable report for the failure."""

import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import brotli
from playwright.sync_api import BrowserContext, Page

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
WEIGHED_TYPES = ("document", "stylesheet", "script")
PHONE_WIDTH = 320


# ---- accessibility -------------------------------------------------------------------------


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Run axe-core on the page with the WCAG 2.x A/AA rules; the violations it finds."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # evaluate(), not a <script> tag: a strict Content-Security-Policy cannot block it.
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {
                runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
            });
            return r.violations;
        }""",
        AXE_TAGS,
    )
    return list(result)


def axe_report(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v.get('impact')}): {v['help']}  <{v['helpUrl']}>")
        for node in v["nodes"][:5]:
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(f"    at {', '.join(map(str, node['target']))}: {summary[:300]}")
        if len(v["nodes"]) > 5:
            lines.append(f"    … and {len(v['nodes']) - 5} more elements")
    return "\n".join(lines)


# ---- page weight ---------------------------------------------------------------------------


@dataclass
class Resource:
    url: str
    kind: str
    encoded_bytes: int
    encoding: str


@dataclass
class PageWeight:
    resources: list[Resource] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(r.encoded_bytes for r in self.resources)

    def report(self) -> str:
        rows = [
            f"  {r.encoded_bytes:>7,} B  {r.kind:<10} {r.encoding:<22} {r.url}"
            for r in self.resources
        ]
        return "\n".join([*rows, f"  {self.total:>7,} B  total"])


def _fetch(url: str) -> tuple[bytes, str]:
    assert url.startswith("http://"), url  # only the live server is weighed
    request = urllib.request.Request(url, headers={"Accept-Encoding": "br, gzip"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.read(), response.headers.get("Content-Encoding", "")
    except urllib.error.HTTPError as error:  # the 404 page is weighed too
        return error.read(), error.headers.get("Content-Encoding", "")


def page_weight(urls: list[tuple[str, str]]) -> PageWeight:
    """Fetch each (url, kind) again asking for br/gzip and add up the bytes on the wire.

    The test server hands static files over uncompressed (production serves whitenoise's
    precompressed .br files), so a file that comes back without Content-Encoding is counted at
    its Brotli size, as whitenoise would send it; an HTML answer is counted as it was sent."""
    weight = PageWeight()
    seen = set()
    for url, kind in urls:
        if url in seen or kind not in WEIGHED_TYPES:
            continue
        seen.add(url)
        body, encoding = _fetch(url)
        if encoding:
            weight.resources.append(Resource(url, kind, len(body), encoding))
        elif kind == "document":
            weight.resources.append(Resource(url, kind, len(body), "identity"))
        else:
            # whitenoise keeps a .br only when it is smaller than the file itself.
            size = min(len(body), len(brotli.compress(body)))
            weight.resources.append(Resource(url, kind, size, "br as whitenoise would"))
    return weight


# ---- small screens -------------------------------------------------------------------------


def horizontal_overflow(page: Page) -> dict[str, Any]:
    """How wide the page is against the screen, and the innermost elements that stick out
    (an element past the edge none of whose children is: where the fix belongs)."""
    return dict(
        page.evaluate(
            """() => {
                const root = document.documentElement;
                const limit = root.clientWidth;
                const out = (el) => el.getBoundingClientRect().right > limit + 1;
                const wide = [];
                for (const el of document.body ? document.body.querySelectorAll('*') : []) {
                    if (!out(el) || [...el.children].some(out)) continue;
                    const cls = el.classList.length ? '.' + [...el.classList].join('.') : '';
                    const text = (el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 60);
                    const right = Math.round(el.getBoundingClientRect().right);
                    wide.push(`<${el.tagName.toLowerCase()}${cls}> "${text}" ends at ${right}px`);
                }
                return {scrollWidth: root.scrollWidth, clientWidth: limit, wide: wide.slice(0, 6)};
            }"""
        )
    )


# ---- all of it at once ---------------------------------------------------------------------

BUDGET_BYTES = 30 * 1024


def citizen_page_problems(
    desktop: BrowserContext, phone: BrowserContext, url: str, expected_status: int = 200
) -> list[str]:
    """Every check on one URL: HTTP status, axe-core, weight, 320 px. Empty when all pass."""
    problems = []
    page = desktop.new_page()
    loaded: list[tuple[str, str]] = []
    page.on("response", lambda r: loaded.append((r.url, r.request.resource_type)))
    response = page.goto(url, wait_until="load")
    status = response.status if response else 0
    if status != expected_status:
        problems.append(f"HTTP {status}, expected {expected_status}")
    violations = axe_violations(page)
    if violations:
        problems.append(f"axe-core:\n{axe_report(violations)}")
    page.close()
    weight = page_weight(loaded)
    if weight.total >= BUDGET_BYTES:
        problems.append(f"weighs {weight.total:,} B:\n{weight.report()}")
    small = phone.new_page()
    small.goto(url, wait_until="load")
    overflow = horizontal_overflow(small)
    small.close()
    if overflow["clientWidth"] != PHONE_WIDTH or overflow["scrollWidth"] > PHONE_WIDTH:
        problems.append(
            f"{overflow['scrollWidth']} px wide on a {PHONE_WIDTH} px screen "
            f"(laid out {overflow['clientWidth']} px): {', '.join(overflow['wide'])}"
        )
    return problems
