"""Fixed texts the builder adds to every form, in the languages it knows.

A spec may declare any language; texts for languages missing here fall back
to English (and ``questionnaire check`` says so).
"""

from __future__ import annotations

LANGUAGE_NAMES = {
    "es": "Español", "en": "English", "pt": "Português", "fr": "Français", "ca": "Català",
    "de": "Deutsch", "it": "Italiano", "eu": "Euskara", "gl": "Galego", "nl": "Nederlands",
}

FALLBACK = "en"

FIXED = {
    "intro_customer": {
        "es": "Gracias por participar. Responda pensando en su experiencia más reciente con nosotros. "
              "Si no puede valorar un aspecto, elija «No sabe» cuando aparezca.",
        "en": "Thank you for taking part. Please answer thinking of your most recent experience with us. "
              "If you cannot rate something, choose \"Don't know\" where offered.",
    },
    "intro_staff": {
        "es": "Gracias por participar. No le preguntamos su opinión: responda cómo cree que "
              "nuestros clientes valoran cada aspecto.",
        "en": "Thank you for taking part. We are not asking for your own opinion: answer how you "
              "think our customers rate each aspect.",
    },
    "outcomes_group": {"es": "Valoración global", "en": "Overall assessment"},
    # the employees' voice (spec themes.staff_text): what frontline staff hear, and why it persists
    "staff_complaints": {"es": "¿De qué se quejan más los clientes en esta etapa?",
                         "en": "What do customers complain about most at this stage?",
                         "pt": "Do que os clientes mais se queixam nesta etapa?"},
    "staff_obstacle": {"es": "¿Qué le impide resolverlo?", "en": "What prevents you from solving it?",
                       "pt": "O que o impede de resolver isso?"},
    "segments_group": {"es": "Perfil", "en": "Profile"},
    "why_customer": {
        "es": "¿Por qué? Cuéntenos con sus palabras el principal motivo de sus valoraciones.",
        "en": "Why? Please tell us in your own words the main reason for your ratings.",
    },
    "why_staff": {
        "es": "En su opinión, ¿qué es lo que más influye en la valoración de nuestros clientes?",
        "en": "In your opinion, what most influences how our customers rate us?",
    },
    "segment_hint_staff": {
        "es": "Responda según los clientes que atiende habitualmente.",
        "en": "Answer for the customers you usually serve.",
    },
    "range_message": {"es": "Elija un valor entre {lo} y {hi}{extra}.",
                      "en": "Choose a value between {lo} and {hi}{extra}."},
    "range_extra": {"es": " o {codes}", "en": " or {codes}"},
    # Generated staff wording when the spec gives none for an item or outcome.
    "staff_item": {
        "es": "¿Cómo cree que nuestros clientes evalúan esta afirmación?: «{text}»",
        "en": "How do you think our customers rate this statement?: \"{text}\"",
    },
    "staff_outcome": {
        "es": "¿Cómo cree que responden nuestros clientes a esta pregunta?: «{text}»",
        "en": "How do you think our customers answer this question?: \"{text}\"",
    },
}


def fixed(key: str, languages: list[str], **fmt) -> dict:
    """A fixed text in every language (English where no translation is known)."""
    table = FIXED[key]
    return {lang: table.get(lang, table[FALLBACK]).format(**fmt) for lang in languages}


def language_header(lang: str) -> str:
    """``Español (es)``: XLSForm's language column suffix (name and code)."""
    return f"{LANGUAGE_NAMES.get(lang, lang)} ({lang})"


def complete(text: dict | None, languages: list[str]) -> dict:
    """``text`` in every language; a missing translation takes the first text given."""
    text = dict(text or {})
    if "default" in text and len(text) == 1:
        text = {languages[0]: text["default"]}
    first = next(iter(text.values()), "")
    return {lang: text.get(lang, first) for lang in languages}


def missing_languages(text: dict | None, languages: list[str]) -> list[str]:
    text = text or {}
    return [lang for lang in languages if lang not in text]


def staff_wording(customer: dict, languages: list[str], kind: str = "item") -> dict:
    """The generated staff version of a customer wording (flagged by ``check``)."""
    template = FIXED["staff_outcome" if kind == "outcome" else "staff_item"]
    customer = complete(customer, languages)
    return {lang: template.get(lang, template[FALLBACK]).format(text=customer[lang].strip())
            for lang in languages}


def code_str(code) -> str:
    """A code as forms show it: 1, 99, 2.5 (never 1.0)."""
    if isinstance(code, float) and code.is_integer():
        code = int(code)
    return str(code)
