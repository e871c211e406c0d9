"""How search reads Spanish: the one analyzer both engines index with and query with.

Text is folded (lowercase, no accents: `Trámite` = `tramite`), split into letters-and-digits
tokens, stripped of function words, and stemmed with the Snowball Spanish stemmer (the algorithm
PostgreSQL's `spanish` configuration uses) so `licencias` finds `licencia`. Folding comes first
because citizens type without accents; docs/decisions/0005-search-engines.md explains why the
engines index our terms instead of running their own Spanish configuration."""

import re
from functools import lru_cache

import snowballstemmer

from ventanilla.core.text import fold

_TOKEN = re.compile(r"[a-z0-9]+")
_STEMMER = snowballstemmer.stemmer("spanish")

# Function words: articles, prepositions, pronouns, conjunctions, and the commonest forms of
# ser/estar/haber. Deliberately shorter than PostgreSQL's list, which drops words that matter
# here ("estado" of a procedure, "sentido", "tiene").
STOPWORDS = frozenset(
    """
    a al algo algun alguna algunas alguno algunos ante antes aqui asi aun cada como con contra
    cual cuales de del desde donde dos e el ella ellas ellos en entre era es esa esas ese eso esos
    esta estas este esto estos fue fueron ha han hasta hay la las le les lo los mas me mi mis muy
    ni no nos o os otra otras otro otros para pero por porque que quien quienes se sea ser si sin
    sobre son su sus tambien te ti tu tus u un una unas uno unos usted ustedes y ya yo
    """.split()  # noqa: SIM905  (a word list reads better as text)
)

# Words people add to a query that say they want to *do* something, but that few page titles
# carry ("como saco mi brevete", "tramite de dni"). They rank, they never exclude a page.
INTENT_WORDS = frozenset(
    """
    tramite tramites tramitar tramito solicitud solicitar solicito pedir pido sacar saco sacarme
    obtener obtengo conseguir consigo hacer hago hacerme quiero quisiera necesito necesitamos
    puedo podemos debo deseo requisito requisitos costo costos precio cuanto cuesta donde
    cuando online linea virtual internet web gob pe peru informacion info ayuda
    """.split()  # noqa: SIM905
)

MAX_TOKEN_LENGTH = 40


def tokens(text: str) -> list[str]:
    """Folded letters-and-digits tokens: 'Duplicado de DNI (S/ 30)' -> duplicado de dni s 30."""
    return [t[:MAX_TOKEN_LENGTH] for t in _TOKEN.findall(fold(text))]


def token_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, folded token) over the *original* text, for highlighting. Folding keeps
    one character per character for Spanish letters, so offsets line up."""
    folded = _fold_same_length(text)
    return [
        (match.start(), match.end(), match.group()[:MAX_TOKEN_LENGTH])
        for match in _TOKEN.finditer(folded)
    ]


def _fold_same_length(text: str) -> str:
    # fold() collapses spaces; here every character maps to exactly one, so offsets survive.
    if text.isascii():
        return text.lower()
    return "".join(map(_fold_char, text))


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    return (fold(ch)[:1] or " ") if ch.strip() else " "


@lru_cache(maxsize=200_000)
def stem(token: str) -> str:
    """The Snowball Spanish stem of a folded token. Digits and two-letter words are kept
    as they are; a plural the stemmer leaves alone ('actas') loses its s."""
    if len(token) <= 2 or not token.isalpha():
        return token
    stemmed: str = _STEMMER.stemWord(token)
    if stemmed == token and token.endswith("s") and len(token) > 4:
        stemmed = _STEMMER.stemWord(token[:-1])
    # The -scribir family names its act -scripción: inscribir = inscripción, suscribir =
    # suscripción. Snowball stems the two apart.
    if stemmed.endswith("scripcion"):
        stemmed = stemmed[: -len("scripcion")] + "scrib"
    return stemmed


def analyze(text: str) -> list[str]:
    """The terms a text is indexed under: folded, function words out, stemmed."""
    return [stem(t) for t in tokens(text) if t not in STOPWORDS]


def terms(*texts: str) -> str:
    """Several texts' terms as one space-separated string, as the index stores them."""
    return " ".join(term for text in texts if text for term in analyze(text))
