"""Preparing open answers for text analytics: personal data scrubbed, empty answers set aside,
language per answer, tokens, stop words, stems and bigrams. Pure functions, no model downloaded:

* stop words: the ``stop-words`` package (PyPI ``stop-words``, lists shipped inside it under
  ``stop_words/stop-words/<language>.txt``), minus negations and evaluative words that carry the
  meaning of a complaint ("no", "nunca", "sin", "nada", "bien", "mal", ...: ``KEEP``);
* stems: the ``snowballstemmer`` package (Snowball's Spanish, English and Portuguese stemmers,
  pure Python, shipped with the package).

Personal data (``scrub_pii``) is replaced before anything is shown or exported:
e-mail addresses; national ids whose check character is valid (Spanish DNI and NIE: mod-23
letter; Chilean RUT: mod-11 check digit; Brazilian CPF: two mod-11 check digits); card-like
digit runs (13-19 digits, spaces or dashes allowed, passing the Luhn check); and phone numbers
(9-15 digits, optionally with a leading ``+`` and spaces, dots, dashes or brackets between
them). The order is ids, cards, phones, so an 11-digit CPF is counted as an id, not a phone.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

LANGUAGES = {"es": "spanish", "en": "english", "pt": "portuguese"}
PLACEHOLDERS = {"email": "[EMAIL]", "id": "[ID]", "card": "[CARD]", "phone": "[PHONE]"}
PII_KINDS = tuple(PLACEHOLDERS)
# words of the stop lists kept: negations and evaluations decide what an answer complains about
KEEP = {
    "es": {"no", "nunca", "sin", "nada", "nadie", "ningun", "ninguno", "ninguna", "bien", "mal", "bueno", "buena",
           "mejor", "peor", "tiempo", "tarde", "pronto", "siempre", "llego", "llegó", "ni", "tampoco"},
    "en": {"no", "not", "never", "nothing", "nobody", "without", "good", "bad", "better", "worst", "worse", "late",
           "time", "always", "nor"},
    "pt": {"não", "nao", "nunca", "sem", "nada", "ninguém", "ninguem", "bem", "mal", "bom", "melhor", "pior",
           "tarde", "sempre", "nem"},
}
# answers that say nothing (compared after lower-casing, accent folding and stripping punctuation)
EMPTY = {"", "no", "nada", "ninguno", "ninguna", "ninguno en particular", "sin comentarios", "no se", "nose",
         "ns", "nc", "ns nc", "na", "n a", "none", "nothing", "no comment", "no comments", "nope", "nao", "nenhum",
         "nenhuma", "sem comentarios", "nao sei", "x", "xx", "xxx", "ok"}

_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_DNI = re.compile(r"(?<![\w])(\d{8})[\s-]?([A-Za-z])(?![\w])")
_NIE = re.compile(r"(?<![\w])([XYZxyz])[\s-]?(\d{7})[\s-]?([A-Za-z])(?![\w])")
_RUT = re.compile(r"(?<![\w.])(\d{1,2}\.?\d{3}\.?\d{3})-([\dkK])(?![\w])")
_CPF = re.compile(r"(?<![\w.])(\d{3}\.?\d{3}\.?\d{3}-?\d{2})(?![\w])")
_CARD = re.compile(r"(?<![\w])\d(?:[ -]?\d){12,18}(?![\w])")
_PHONE = re.compile(r"(?<![\w+])\+?(?:\(?\d{1,4}\)?[\s.-]?){2,8}\d(?![\w:])")
_DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_CLAUSE = re.compile(r"[.!?;:,()\n]+")


def fold(text: str) -> str:
    """Lower case without accents (á -> a, ñ -> n, ç -> c)."""
    decomposed = unicodedata.normalize("NFKD", str(text).lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def dni_ok(number: str, letter: str) -> bool:
    return _DNI_LETTERS[int(number) % 23] == letter.upper()


def nie_ok(prefix: str, number: str, letter: str) -> bool:
    return dni_ok("XYZ".index(prefix.upper()).__str__() + number, letter)


def rut_ok(body: str, check: str) -> bool:
    digits = body.replace(".", "")
    total, factor = 0, 2
    for ch in reversed(digits):
        total += int(ch) * factor
        factor = 2 if factor == 7 else factor + 1
    value = 11 - total % 11
    expected = "0" if value == 11 else "K" if value == 10 else str(value)
    return expected == check.upper()


def cpf_ok(text: str) -> bool:
    d = [int(c) for c in re.sub(r"\D", "", text)]
    if len(d) != 11 or len(set(d)) == 1:
        return False
    for k in (9, 10):
        s = sum(d[i] * (k + 1 - i) for i in range(k))
        if (s * 10) % 11 % 10 != d[k]:
            return False
    return True


def scrub_pii(text: str) -> tuple[str, Counter]:
    """``(text with personal data replaced by [EMAIL] [ID] [CARD] [PHONE], Counter of kinds)``."""
    counts: Counter = Counter()
    text = str(text)

    def sub(pattern, kind, valid=None):
        nonlocal text

        def repl(m):
            if valid is not None and not valid(m):
                return m.group(0)
            counts[kind] += 1
            return PLACEHOLDERS[kind]
        text = pattern.sub(repl, text)

    sub(_EMAIL, "email")
    sub(_NIE, "id", lambda m: nie_ok(m.group(1), m.group(2), m.group(3)))
    sub(_DNI, "id", lambda m: dni_ok(m.group(1), m.group(2)))
    sub(_RUT, "id", lambda m: rut_ok(m.group(1), m.group(2)))
    sub(_CPF, "id", lambda m: cpf_ok(m.group(1)))
    sub(_CARD, "card", lambda m: luhn_ok(re.sub(r"\D", "", m.group(0))))
    sub(_PHONE, "phone", lambda m: 9 <= len(re.sub(r"\D", "", m.group(0))) <= 15)
    return text, counts


def is_empty(text) -> bool:
    """True for a blank answer or one that says nothing ("no", "nada", "-", "n/a", "sin comentarios")."""
    if text is None:
        return True
    if isinstance(text, float) and text != text:
        return True
    words = re.sub(r"[\W_]+", " ", fold(text)).strip()
    return words in EMPTY


def stop_words(language: str, folded: bool) -> frozenset:
    from stop_words import get_stop_words

    words = set(get_stop_words(language)) - KEEP.get(language, set())
    words = {fold(w) for w in words} - {fold(k) for k in KEEP.get(language, set())} if folded else words
    return frozenset(words)


def detect_language(text: str, languages, stops: dict) -> str:
    """The study language with the most stop words of its own in the answer (words on its list
    and on no other candidate's: 'el', 'y' for Spanish, 'ninguém' for Portuguese); ties: the
    most stop words of any kind, then the study's first language. ``stops``: {language: set of
    unfolded stop words}."""
    words = _WORD.findall(str(text).lower())
    best, best_key = languages[0], (0, 0)
    for lang in languages:
        others = set().union(*(stops[o] for o in languages if o != lang))
        own = sum(1 for w in words if w in stops[lang] and w not in others)
        key = (own, sum(1 for w in words if w in stops[lang]))
        if key > best_key:
            best, best_key = lang, key
    return best


class Preparer:
    """Tokens of an answer: words (letters only, 2+ characters; placeholders dropped), lower
    case, accents folded when ``fold_accents``, stop words out, Snowball stems, and bigrams of
    neighbouring kept stems (``bigrams``). ``surface`` remembers the words behind every stem."""

    def __init__(self, *, fold_accents: bool = True, bigrams: bool = True):
        import snowballstemmer

        self.fold_accents = fold_accents
        self.bigrams = bigrams
        self._stemmers = {lang: snowballstemmer.stemmer(name) for lang, name in LANGUAGES.items()}
        self._stops = {lang: stop_words(lang, fold_accents) for lang in LANGUAGES}
        self.surface: dict[str, Counter] = {}

    def tokens(self, text: str, language: str) -> list[str]:
        for ph in PLACEHOLDERS.values():
            text = text.replace(ph, " ")
        low = str(text).lower()
        low = fold(low) if self.fold_accents else low
        stops = self._stops[language]
        stemmer = self._stemmers[language]
        out, pairs = [], []
        for clause in _CLAUSE.split(low):  # bigrams never cross a sentence or clause boundary
            kept = [w for w in _WORD.findall(clause) if len(w) > 1 and w not in stops]
            stems = stemmer.stemWords(kept)
            for w, st in zip(kept, stems):
                self.surface.setdefault(st, Counter())[w] += 1
            out += stems
            pairs += [f"{a} {b}" for a, b in zip(stems, stems[1:]) if a != b]
        return out + pairs if self.bigrams else out

    def label(self, term: str) -> str:
        """A stem (or bigram of stems) shown as its most frequent word(s); ties: alphabetical."""
        return " ".join(self._word(s) for s in term.split(" "))

    def _word(self, stem: str) -> str:
        seen = self.surface.get(stem)
        if not seen:
            return stem
        return sorted(seen.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
