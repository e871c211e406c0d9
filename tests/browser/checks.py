"""What the browser checks measure on a loaded page: axe-core violations, transferred weight,
and content wider than the screen. Each returns data plus a readable report for the failure."""

import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import brotli
from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
WEIGHED_TYPES = ("document", "stylesheet", "script")


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
    """How wide the page is against the screen, and the widest elements that stick out."""
    return dict(
        page.evaluate(
            """() => {
                const root = document.documentElement;
                const limit = root.clientWidth;
                const wide = [];
                for (const el of document.body ? document.body.querySelectorAll('*') : []) {
                    const box = el.getBoundingClientRect();
                    if (box.right > limit + 1 && box.width > 0) {
                        const id = el.id ? '#' + el.id : '';
                        const cls = el.classList.length ? '.' + [...el.classList].join('.') : '';
                        const right = Math.round(box.right);
                        wide.push(`${el.tagName.toLowerCase()}${id}${cls} (right edge ${right}px)`);
                    }
                }
                return {scrollWidth: root.scrollWidth, clientWidth: limit, wide: wide.slice(0, 8)};
            }"""
        )
    )
