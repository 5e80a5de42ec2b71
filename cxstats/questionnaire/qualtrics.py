"""Form model -> Qualtrics Advanced Format TXT (Survey > Tools > Import/Export > Import survey).

One language per file (Qualtrics imports one; add translations in its
Translate tool). Layout: ``[[AdvancedFormat]]``, an introduction
(``[[Question:Text]]``), one ``[[Block:...]]`` per touchpoint with a
``[[PageBreak]]`` between constructs, a block for the outcomes, one for the
segment questions and a closing ``[[Question:TE:Essay]]``. Every question
carries ``[[ID:name]]`` with the spec's id so the export's columns are named
by the spec.

Choices are written as the spec's labels (a code without a label is written
as the number itself). Qualtrics numbers choices 1..k by position, which is
not the spec's coding for 0-10 scales or missing codes such as 99: export
with "Use choice text" (labels), which the spec-driven ingest maps back to
codes, or set the recode values in Qualtrics to the codes the codebook lists.
What the builder cannot say in this format (hidden respondent type, forced
response) is listed in ``docs/questionnaire.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cxstats.questionnaire.forms import Form, Question


def _line(text: str) -> str:
    """One line of text, with nothing Qualtrics would read as a tag."""
    return " ".join(str(text).replace("[[", "[ [").replace("]]", "] ]").split())


def render(form: Form, language: str) -> str:
    out = ["[[AdvancedFormat]]", ""]

    def question(q: Question):
        if q.kind == "note":
            out.extend(["[[Question:Text]]", f"[[ID:{q.name}]]", _line(q.label[language]), ""])
        elif q.kind == "select_one":
            horizontal = ":Horizontal" if q.role in ("item", "outcome") else ""
            out.extend([f"[[Question:MC:SingleAnswer{horizontal}]]", f"[[ID:{q.name}]]",
                        _line(q.label[language]), "", "[[Choices]]"])
            out.extend(_line(label[language]) for _, label in form.choices[q.list_name])
            out.append("")
        elif q.kind in ("text", "decimal"):
            kind = "TE:Essay" if q.role == "open" else "TE:SingleLine"
            text = q.label[language] + (f" ({q.hint[language]})" if q.hint else "")
            out.extend([f"[[Question:{kind}]]", f"[[ID:{q.name}]]", _line(text), ""])
        # calculate fields have no Qualtrics question (see docs/questionnaire.md)

    for q in form.head:
        question(q)
    for s in form.sections:
        out.extend([f"[[Block:{_line(s.label[language])}]]", ""])
        for i, q in enumerate(s.questions):
            if i and i in s.breaks:
                out.extend(["[[PageBreak]]", ""])
            question(q)
    if form.tail:
        out.extend(["[[PageBreak]]", ""])
        for q in form.tail:
            question(q)
    return "\n".join(out).rstrip() + "\n"


@dataclass
class ParsedQuestion:
    type: str
    id: str | None
    text: str
    block: str | None
    choices: list[str] = field(default_factory=list)


def parse(text: str) -> list[ParsedQuestion]:
    """Read an Advanced Format TXT back into questions (for checks and tests).

    Raises ``ValueError`` on a file that does not start with ``[[AdvancedFormat]]``
    or on text outside a question.
    """
    lines = [ln.rstrip() for ln in text.splitlines()]
    if not lines or lines[0].strip() != "[[AdvancedFormat]]":
        raise ValueError("not an Advanced Format file: the first line must be [[AdvancedFormat]]")
    questions: list[ParsedQuestion] = []
    block = None
    current: ParsedQuestion | None = None
    mode = None
    for n, raw in enumerate(lines[1:], start=2):
        ln = raw.strip()
        if not ln:
            continue
        if ln.startswith("[[") and ln.endswith("]]"):
            tag = ln[2:-2]
            if tag.startswith("Block:"):
                block, current, mode = tag[6:], None, None
            elif tag == "PageBreak":
                current, mode = None, None
            elif tag.startswith("Question:"):
                current = ParsedQuestion(tag[9:], None, "", block)
                questions.append(current)
                mode = "text"
            elif tag.startswith("ID:") and current is not None:
                current.id = tag[3:]
            elif tag == "Choices" and current is not None:
                mode = "choices"
            else:
                raise ValueError(f"line {n}: unexpected tag {ln}")
            continue
        if current is None:
            raise ValueError(f"line {n}: text outside a question: {ln!r}")
        if mode == "choices":
            current.choices.append(ln)
        else:
            current.text = f"{current.text} {ln}".strip()
    return questions
