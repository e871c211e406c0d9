"""What the public verification page may say about a document's holder: enough to match the
person in front of you, no more (personal data minimised, Ley 29733)."""

PARTICLES = frozenset({"de", "del", "la", "las", "los", "y", "e", "da", "di", "van", "von"})


def name_masked(full_name: str) -> str:
    """«Rosa María Quispe Huamán» → «Rosa M. Q. H.»: the first given name whole, then only the
    initials of the other names (particles such as «de la» dropped). «QUISPE HUAMÁN, Rosa María»
    (surnames first, with a comma) reads the same."""
    text = " ".join((full_name or "").split())
    if "," in text:
        surnames, _, given = text.partition(",")
        text = f"{given.strip()} {surnames.strip()}"
    words = [w for w in text.split(" ") if w]
    if not words:
        return ""
    first, rest = words[0], words[1:]
    initials = [f"{w[0].upper()}." for w in rest if w.lower() not in PARTICLES and w[0].isalpha()]
    return " ".join([first.capitalize() if first.isupper() else first, *initials])


def document_number_masked(number: str) -> str:
    """«45678912» → «•••••912»: the last three digits only."""
    number = (number or "").strip()
    if len(number) <= 3:
        return "•" * len(number)
    return "•" * (len(number) - 3) + number[-3:]
