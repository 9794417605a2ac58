"""Paragraph styles: heading levels and list numbering inherited through ``basedOn``.

Built-in style names are stored in English in styles.xml whatever the language of Word
("heading 1" shows as "Titre 1" or "Überschrift 1" in the UI), so the stored name plus the
outline level is enough to recognise headings in any language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from ingest.ooxml import W_NS, Package, w

# Built-in names are stored in English, but some producers store the localized ones.
_HEADING_NAME = re.compile(
    r"^(?:heading|titre|t[ií]tulo|encabezado|überschrift|titolo|kop|заголовок|标题|見出し)"
    r"\s*([1-9])$"
)
_TITLE_NAMES = frozenset({"title", "titre", "título", "titulo", "titel", "titolo", "название"})
_BODY_OUTLINE = 9  # w:outlineLvl 9 means "body text"
_MAX_CHAIN = 20  # guards against basedOn cycles
# Numbering styles are read only for w:numStyleLink (a list that borrows a style's list).
_READ_TYPES = frozenset({"paragraph", "numbering"})


@dataclass(frozen=True, slots=True)
class NumPr:
    """A numbering reference: list instance id and 0-based level (None: not given here)."""

    num_id: str
    ilvl: int | None


@dataclass(slots=True)
class _Style:
    name: str
    display: str
    based_on: str | None
    outline: int | None
    num_pr: NumPr | None


def outline_level(ppr: etree._Element | None) -> int | None:
    """Return the 0-based w:outlineLvl of a pPr, or None when absent or unreadable."""
    if ppr is None:
        return None
    node = ppr.find(w("outlineLvl"))
    if node is None:
        return None
    try:
        return int(node.get(w("val"), ""))
    except ValueError:
        return None


def num_pr(ppr: etree._Element | None) -> NumPr | None:
    """Return the w:numPr of a pPr (numId "0" means numbering switched off), or None."""
    if ppr is None:
        return None
    node = ppr.find(w("numPr"))
    if node is None:
        return None
    num = node.find(w("numId"))
    lvl = node.find(w("ilvl"))
    num_id = num.get(w("val"), "") if num is not None else ""
    ilvl = None
    if lvl is not None:
        try:
            ilvl = max(0, min(8, int(lvl.get(w("val"), "0"))))
        except ValueError:
            ilvl = 0
    if not num_id and ilvl is None:
        return None
    return NumPr(num_id, ilvl)


class Styles:
    """Paragraph styles of one document, with cached inherited look-ups."""

    def __init__(self, root: etree._Element | None) -> None:
        self._styles: dict[str, _Style] = {}
        self.default_id: str | None = None
        self._levels: dict[str | None, int | None] = {}
        self._numbering: dict[str | None, NumPr | None] = {}
        if root is None:
            return
        for node in root.iter(w("style")):
            kind = node.get(w("type"), "paragraph")
            if kind not in _READ_TYPES:
                continue  # character and table styles never number or head a paragraph
            style_id = node.get(w("styleId"))
            if not style_id:
                continue
            name_node = node.find(w("name"))
            based = node.find(w("basedOn"))
            ppr = node.find(w("pPr"))
            name = name_node.get(w("val"), "") if name_node is not None else style_id
            self._styles[style_id] = _Style(
                name=name.strip().lower(),
                display=name.strip(),
                based_on=based.get(w("val")) if based is not None else None,
                outline=outline_level(ppr),
                num_pr=num_pr(ppr),
            )
            if kind == "paragraph" and node.get(w("default")) in ("1", "true", "on"):
                self.default_id = style_id

    def name(self, style_id: str | None) -> str:
        """Return the stored (English, lower-case) name of a style, or ""."""
        style = self._styles.get(style_id or self.default_id or "")
        return style.name if style else ""

    def display_name(self, style_id: str | None) -> str:
        """Return the stored name of a style as written ("Heading 1", "List Number"), or ""."""
        style = self._styles.get(style_id or self.default_id or "")
        return style.display if style else ""

    def _chain(self, style_id: str | None) -> list[_Style]:
        chain: list[_Style] = []
        current = style_id or self.default_id
        seen: set[str] = set()
        while current and current not in seen and len(chain) < _MAX_CHAIN:
            seen.add(current)
            style = self._styles.get(current)
            if style is None:
                break
            chain.append(style)
            current = style.based_on
        return chain

    def heading_level(self, style_id: str | None) -> int | None:
        """Return the heading level a style gives (0 for Title, 1-9), or None for body text."""
        if style_id in self._levels:
            return self._levels[style_id]
        level: int | None = None
        for style in self._chain(style_id):
            match = _HEADING_NAME.match(style.name)
            if match:
                level = int(match.group(1))
                break
            if style.name in _TITLE_NAMES:
                level = 0
                break
            if style.outline is not None:
                level = style.outline + 1 if 0 <= style.outline < _BODY_OUTLINE else None
                break
        self._levels[style_id] = level
        return level

    def numbering(self, style_id: str | None) -> NumPr | None:
        """Return the numbering a style (or one it is based on) applies, or None."""
        if style_id in self._numbering:
            return self._numbering[style_id]
        found: NumPr | None = None
        for style in self._chain(style_id):
            if style.num_pr is not None and style.num_pr.num_id:
                found = style.num_pr
                break
        self._numbering[style_id] = found
        return found

    def num_ids(self) -> dict[str, str]:
        """Return the numId each style sets directly, by style id (for numStyleLink)."""
        return {
            sid: style.num_pr.num_id
            for sid, style in self._styles.items()
            if style.num_pr is not None and style.num_pr.num_id
        }


def heading_level(styles: Styles, style_id: str | None, ppr: etree._Element | None) -> int | None:
    """Return a paragraph's heading level from its own outline level, else its style."""
    own = outline_level(ppr)
    if own is not None:
        return own + 1 if 0 <= own < _BODY_OUTLINE else None
    return styles.heading_level(style_id)


_CACHE: dict[tuple[int, int], Styles] = {}
_CACHE_SIZE = 64
_PREFIX = re.compile(rb'xmlns:([A-Za-z_][\w.-]*)="' + re.escape(W_NS.encode()) + rb'"')
_ENCODING = re.compile(rb'^(?:\xef\xbb\xbf)?<\?xml[^>]*encoding=["\']([^"\']+)["\']')


def read_styles(package: Package, name: str | None) -> Styles:
    """Return the paragraph styles of a package, reusing them when the same part was seen.

    Word's default styles.xml is ~350 KB, mostly table styles and latent-style entries that
    never affect paragraphs; only paragraph and numbering styles are parsed, and the result is
    cached by the part's CRC and size (read from the zip directory, before unpacking anything).
    """
    if not name:
        return Styles(None)
    key = package.checksum(name)
    if key is not None and key in _CACHE:
        return _CACHE[key]
    data = package.read(name)
    root = None
    if data is not None:
        sliced = _paragraph_styles_only(data)
        root = package.parse_bytes(sliced if sliced is not None else data, name)
    styles = Styles(root)
    if key is not None:
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = styles
    return styles


def _paragraph_styles_only(data: bytes) -> bytes | None:
    """Return a smaller styles document (paragraph and numbering styles), or None to parse all."""
    encoding = _ENCODING.match(data)
    if encoding and encoding.group(1).lower().replace(b"-", b"") != b"utf8":
        return None
    prefix = _PREFIX.search(data)
    if prefix is None:
        return None
    tag = prefix.group(1)
    root_start = re.search(rb"<" + re.escape(tag) + rb":styles\b[^>]*>", data)
    if root_start is None:
        return None
    pattern = re.compile(
        rb"<" + re.escape(tag) + rb":style\b([^>]*?)(?:/>|>.*?</" + re.escape(tag) + rb":style>)",
        re.DOTALL,
    )
    type_attr = tag + b":type="
    kept = [
        match.group(0)
        for match in pattern.finditer(data, root_start.end())
        if type_attr not in match.group(1)
        or tag + b':type="paragraph"' in match.group(1)
        or tag + b':type="numbering"' in match.group(1)
    ]
    return b"".join([root_start.group(0), *kept, b"</", tag, b":styles>"])
