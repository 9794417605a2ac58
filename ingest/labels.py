"""Typed paragraph labels, and citing sub-items under their parent paragraph.

Submissions often type their numbers ("12.", "(a)", "(iv)") instead of using Word lists. The
label is read from the start of the paragraph (the text keeps it: it is typed). Sub-items are
then cited the way UN and legal documents cite them: "(a)" after paragraph 12 is "12(a)", "(i)"
under it "12(a)(i)", "(1)" under a heading numbered 49 is "49(1)", and "1." restarting under
"(a)" is "12(a)(1)". A letter "i" right after "(h)" stays a letter.
"""

from __future__ import annotations

import re

# "12.", "12)", "12.3.", "(a)", "a)", "(iv)", "(1)", "IV." followed by a space or the end.
_TYPED = re.compile(
    r"""^[ \t\u00a0]*(?:
        (?P<num>\d{1,3}(?:\.\d{1,3})*)[.)]
      | \((?P<paren>\d{1,3}|[a-z]{1,2}|[ivxlcdm]{1,6}|[A-Z]|[IVXLCDM]{1,6})\)
      | (?P<alpha>[a-z]|[ivxlcdm]{1,6}|[A-Z]|[IVXLCDM]{1,6})[.)]
    )(?=[ \t\u00a0\n]|$)""",
    re.VERBOSE,
)
_NUMERIC = re.compile(r"^\d+(?:\.\d+)*$")
_LOWER_SUB = re.compile(r"^[a-z]{1,6}$")
_LOWER_ROMAN = re.compile(r"^[ivxl]+$")

# Kinds of label, outermost first as they usually nest: 12 > (1) > (a) > (i) > 1.
NUMBER, PAREN_NUMBER, LETTER, ROMAN, NESTED_NUMBER = "n", "p", "l", "r", "m"


def typed_label(text: str) -> tuple[str, bool]:
    """Return the label typed at the start of ``text`` and whether it is a "(1)"-style number."""
    match = _TYPED.match(text)
    if match is None:
        return "", False
    paren = match.group("paren")
    if paren:
        return paren, paren.isdigit()
    return match.group("num") or match.group("alpha") or "", False


def parse_typed_label(text: str) -> str:
    """Return the label typed at the start of a paragraph ("12." -> "12", "(a)" -> "a"), or ""."""
    return typed_label(text)[0]


def is_numeric_label(label: str) -> bool:
    """Return True for labels like "12" or "3.2" that can be the parent of "(a)" items."""
    return bool(_NUMERIC.match(label))


class LabelCiter:
    """Turns bare labels, met in reading order, into labels cited under their parents."""

    def __init__(self) -> None:
        self._stack: list[tuple[str, str]] = []

    def reset(self, parent: str = "") -> None:
        """Start a section (at a heading), whose own number, if any, is the new parent."""
        self._stack = [(NUMBER, parent)] if is_numeric_label(parent) else []

    def cite(self, label: str, *, parenthesized: bool = False) -> str:
        """Return the label to cite for a paragraph labelled ``label`` (typed or automatic)."""
        if not label or "(" in label:
            return label  # empty, or already composed by the numbering definitions
        kind = self._kind(label, parenthesized)
        if kind is None:
            return label  # "IV", "A": section-like labels stand alone
        if kind == NUMBER:
            self._stack = [(NUMBER, label)]
            return label
        kinds = [k for k, _ in self._stack]
        if kind in kinds:
            del self._stack[kinds.index(kind) :]  # a sibling: drop it and everything under it
        self._stack.append((kind, label))
        first, *rest = (value for _, value in self._stack)
        return first + "".join(f"({value})" for value in rest)

    def _value(self, kind: str) -> str:
        return next((value for k, value in self._stack if k == kind), "")

    def _kind(self, label: str, parenthesized: bool) -> str | None:
        if is_numeric_label(label):
            if parenthesized:
                return PAREN_NUMBER
            if label.isdigit() and self._value(LETTER) and self._nests(int(label)):
                return NESTED_NUMBER
            return NUMBER
        if not _LOWER_SUB.match(label):
            return None
        letter = self._value(LETTER)
        successor = chr(ord(letter[-1]) + 1) if letter else "a"
        if (
            letter
            and _LOWER_ROMAN.match(label)
            and label != successor
            and (self._value(ROMAN) or label == "i")
        ):
            return ROMAN
        return LETTER

    def _nests(self, number: int) -> bool:
        # Under a letter item, "1." opens a nested list and its successors continue it, unless
        # the number also continues the parent paragraphs (12, (a), (b), 13).
        parent = self._value(NUMBER)
        if parent.isdigit() and number == int(parent) + 1:
            return False
        nested = self._value(NESTED_NUMBER)
        return number == 1 or (nested.isdigit() and number == int(nested) + 1)
