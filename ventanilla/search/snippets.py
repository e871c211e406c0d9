"""Highlighted excerpts: the passage of a document's text that holds most of the query's
terms, escaped, with those terms in <mark>. Done in Python over the stored text so both
engines give the same excerpt."""

from markupsafe import Markup, escape

from ventanilla.search.analysis import stem, token_spans
from ventanilla.search.query import Group

WINDOW_TOKENS = 28
MAX_SOURCE = 1200


def _wanted(groups: list[Group]) -> tuple[set[str], tuple[str, ...]]:
    terms: set[str] = set()
    prefixes: list[str] = []
    for group in groups:
        for alt in group.alternatives:
            if group.prefix:
                terms.update(alt[:-1])
                prefixes.append(alt[-1])
            else:
                terms.update(alt)
    return terms, tuple(prefixes)


def highlight(text: str, groups: list[Group], *, whole: bool = False) -> Markup:
    """`text` with the query's terms marked; unless `whole`, only the best passage of about
    28 words, with … where it was cut."""
    text = text[:MAX_SOURCE]
    if not text:
        return Markup("")
    terms, prefixes = _wanted(groups)
    spans = token_spans(text)
    if not spans:
        return escape(text[:240])
    hits = [
        (start, end)
        for start, end, token in spans
        if stem(token) in terms or (prefixes and token.startswith(prefixes))
    ]
    first, last = 0, len(spans)
    if not whole and len(spans) > WINDOW_TOKENS:
        hit_starts = {s for s, _e in hits}
        flags = [1 if s in hit_starts else 0 for s, _e, _t in spans]
        count = sum(flags[:WINDOW_TOKENS])
        best, best_count = 0, count
        for i in range(1, len(spans) - WINDOW_TOKENS + 1):
            count += flags[i + WINDOW_TOKENS - 1] - flags[i - 1]
            if count > best_count:
                best, best_count = i, count
        # Start a little before the first hit, so the passage reads as a sentence.
        first = max(0, best - 3) if best_count > 0 else 0
        last = min(len(spans), first + WINDOW_TOKENS)
    begin = 0 if first == 0 else spans[first][0]
    end = len(text) if last == len(spans) else spans[last - 1][1]
    out: list[str] = ["…" if begin > 0 else ""]
    cursor = begin
    for start, stop in hits:
        if start < begin or stop > end:
            continue
        out.append(str(escape(text[cursor:start])))
        out.append(f"<mark>{escape(text[start:stop])}</mark>")
        cursor = stop
    out.append(str(escape(text[cursor:end])))
    if end < len(text):
        out.append("…")
    # Every piece of the source text above went through escape(); only <mark> is ours.
    return Markup("".join(out).strip())  # noqa: S704
