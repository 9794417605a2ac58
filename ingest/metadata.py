"""Submission metadata: submitter, type, country, language, date, confidentiality.

Precedence, highest first: a ``submissions.csv`` manifest beside the files; file-name
conventions (``State_<Country>_….docx``, ``NGO_<Org>_<Country>.docx``, ``UN_<Entity>_…``);
the first page ("Submission of …", "Country: …"); core properties (title only, since the
author field is often "Microsoft Office User").
"""

from __future__ import annotations

import csv
import logging
import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path, PurePosixPath

from ingest.types import SUBMITTER_TYPES, Document, Submission

logger = logging.getLogger(__name__)

MANIFEST_NAME = "submissions.csv"
MANIFEST_FIELDS = (
    "file",
    "title",
    "submitter",
    "submitter_type",
    "country",
    "language",
    "date",
    "confidential",
)

# File-name prefixes and words that name a submitter type.
_TYPE_WORDS = {
    "state": "State",
    "government": "State",
    "gov": "State",
    "nhri": "NHRI",
    "ngo": "NGO/civil society",
    "cso": "NGO/civil society",
    "civilsociety": "NGO/civil society",
    "un": "UN/intergovernmental",
    "igo": "UN/intergovernmental",
    "academic": "academic",
    "academia": "academic",
    "university": "academic",
    "individual": "individual",
    "other": "other",
}
_UN_ENTITIES = {
    "OHCHR": "OHCHR",
    "A-HRC": "Human Rights Council",
    "HRC": "Human Rights Council",
    "UNDP": "UNDP",
    "UNODC": "UNODC",
    "UNICEF": "UNICEF",
}
_FIRST_PAGE_SUBMITTER = re.compile(
    r"^\s*(?:submitted by|submission (?:by|of|from)|contribution (?:by|of|from|de la|du|des|de)|"
    r"contribución (?:de la|del|de)|aporte (?:de la|del|de)|presentado por|soumis par)"
    r"\s*[:\-–]?\s*(?:the\s+)?(?P<name>[^\n]{3,120})$",
    re.IGNORECASE | re.MULTILINE,
)
_FIRST_PAGE_COUNTRY = re.compile(
    r"^\s*(?:country|pays|país)\s*:\s*(?P<country>[^\n]{2,60})$", re.IGNORECASE | re.MULTILINE
)
_NAME_HINTS = (
    (
        re.compile(
            r"human rights commission|ombudsman|défenseur des droits|defensor[ií]a|"
            r"commission nationale consultative|national human rights",
            re.I,
        ),
        "NHRI",
    ),
    (
        re.compile(
            r"permanent mission|government of|gouvernement|gobierno|ministry|ministère|"
            r"ministerio|république|republic of|kingdom of",
            re.I,
        ),
        "State",
    ),
    (re.compile(r"universit|institute of|faculty|college|professor|dr\. ", re.I), "academic"),
    (
        re.compile(r"united nations|office of the high commissioner|ohchr|unicef|undp", re.I),
        "UN/intergovernmental",
    ),
)


def split_camel(name: str) -> str:
    """Return "United States" for "UnitedStates" and "Campaign Zero" for "CampaignZero"."""
    name = name.replace("-", " ").replace("_", " ")
    name = re.sub(r"(?<=[a-zà-ÿ])(?=[A-ZÀ-Þ])", " ", name)
    name = re.sub(r"(?<=[A-Z])(?=[A-Z][a-z])", " ", name)
    return " ".join(name.split())


def normalise_type(value: str) -> str:
    """Map free text ("ngo", "Civil society", "NHRI") to one of SUBMITTER_TYPES."""
    raw = value.strip()
    if raw in SUBMITTER_TYPES:
        return raw
    key = re.sub(r"[^a-z]", "", raw.lower())
    if key in _TYPE_WORDS:
        return _TYPE_WORDS[key]
    for candidate in SUBMITTER_TYPES:
        if re.sub(r"[^a-z]", "", candidate.lower()).startswith(key) and key:
            return candidate
    if "civil" in key or "ngo" in key:
        return "NGO/civil society"
    if key.startswith(("un", "intergov")):
        return "UN/intergovernmental"
    return "other"


def from_filename(key: str) -> dict[str, str]:
    """Return the metadata that a conventional file name gives (may be empty)."""
    stem = PurePosixPath(key).stem
    parts = stem.split("_")
    if len(parts) < 2:
        return {}
    kind = _TYPE_WORDS.get(re.sub(r"[^a-z]", "", parts[0].lower()))
    if kind is None:
        return {}
    found: dict[str, str] = {"submitter_type": kind}
    rest = parts[1:]
    if kind == "State":
        found["country"] = split_camel(rest[0])
        found["submitter"] = found["country"]
    elif kind == "UN/intergovernmental":
        entity = rest[0]
        found["submitter"] = next(
            (name for prefix, name in _UN_ENTITIES.items() if entity.upper().startswith(prefix)),
            split_camel(entity),
        )
    else:
        found["submitter"] = split_camel(rest[0])
        if len(rest) > 1:
            found["country"] = split_camel(rest[1])
    return found


def from_first_page(text: str) -> dict[str, str]:
    """Return submitter, type and country read from the first page's text (may be empty)."""
    found: dict[str, str] = {}
    match = _FIRST_PAGE_SUBMITTER.search(text)
    if match:
        name = match.group("name").strip().rstrip(".:;,")
        found["submitter"] = name
        for pattern, kind in _NAME_HINTS:
            if pattern.search(name):
                found["submitter_type"] = kind
                break
    match = _FIRST_PAGE_COUNTRY.search(text)
    if match:
        found["country"] = match.group("country").strip().rstrip(".")
    return found


def read_manifest(folder: Path) -> dict[str, dict[str, str]]:
    """Return the rows of ``folder/submissions.csv`` keyed by file (relative path or name)."""
    path = Path(folder) / MANIFEST_NAME
    if not path.is_file():
        return {}
    rows: dict[str, dict[str, str]] = {}
    with path.open(newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            clean = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items() if k}
            if "type" in clean and "submitter_type" not in clean:
                clean["submitter_type"] = clean.pop("type")
            name = clean.get("file") or clean.get("key")
            if name:
                rows[name] = {k: v for k, v in clean.items() if v and k in MANIFEST_FIELDS}
    return rows


def manifest_row(manifest: Mapping[str, Mapping[str, str]], key: str) -> Mapping[str, str]:
    """Return the manifest row for a submission key (matched by relative path, then name)."""
    return manifest.get(key) or manifest.get(PurePosixPath(key).name) or {}


@lru_cache(maxsize=1)
def _detector():  # type: ignore[no-untyped-def]
    """Return the statistical detector, its models loaded up front (about 2 s, once a process):
    loaded lazily, the first short question in a new language would pay for them."""
    from lingua import Language, LanguageDetectorBuilder

    languages = [
        Language.ENGLISH,
        Language.FRENCH,
        Language.SPANISH,
        Language.PORTUGUESE,
        Language.ARABIC,
        Language.RUSSIAN,
        Language.CHINESE,
        Language.GERMAN,
    ]
    return (
        LanguageDetectorBuilder.from_languages(*languages).with_preloaded_language_models().build()
    )


def sure_language(text: str, floor: float = 0.5) -> str:
    """Return the statistical detector's language of a short ``text`` ("Quels États ?") when its
    confidence reaches ``floor``, else "": below four words ``detect_language`` does not guess."""
    values = _detector().compute_language_confidence_values(" ".join(text.split()))
    if not values or values[0].value < floor:
        return ""
    return values[0].language.iso_code_639_1.name.lower()


def warm_language_detector() -> None:
    """Load the language detector now (the app's warm-up; benchmarks' first use)."""
    _detector()


# Function words that are frequent in one of the three languages of most submissions and rare
# in the other two. Counting them decides most passages in microseconds; lingua decides the rest.
_FUNCTION_WORD_TEXT = {
    "en": "the of and to is are was were that which with for by this shall be has have not from "
    "or their its any an who on at as",
    "fr": "les des du une est sont dans pour par sur aux qui au ou ces cette il elle leur ne pas "
    "avec être été",
    "es": "el los las del una es por para con su sus al como este esta lo ser ha fue y",
}
_FUNCTION_WORDS = {lang: frozenset(text.split(" ")) for lang, text in _FUNCTION_WORD_TEXT.items()}
_WORD = re.compile(r"[^\W\d_]+")


def _guess_by_function_words(words: list[str]) -> str:
    counts = {lang: sum(w in vocab for w in words) for lang, vocab in _FUNCTION_WORDS.items()}
    best, second = sorted(counts.values(), reverse=True)[:2]
    hits = best / max(len(words), 1)
    if best >= 4 and hits >= 0.08 and best >= 3 * max(second, 1):
        return max(counts, key=counts.__getitem__)
    return ""


def detect_language(text: str, default: str = "") -> str:
    """Return the ISO 639-1 code of ``text`` ("en", "fr", "es", ...), or ``default``."""
    sample = text[:1500]
    words = [w.lower() for w in _WORD.findall(sample)]
    if len(words) < 4:
        return default
    guess = _guess_by_function_words(words)
    if guess:
        return guess
    if default and len(words) < 30:
        return default  # a title, a list of links, a short line: keep the document's language
    language = _detector().detect_language_of(" ".join(sample.split()))
    if language is None:
        return default
    return language.iso_code_639_1.name.lower()


def describe(
    key: str,
    content_hash: str,
    document: Document,
    *,
    language: str = "",
    manifest: Mapping[str, Mapping[str, str]] | None = None,
) -> Submission:
    """Return the Submission record for a parsed document, applying the precedence rules."""
    props = document.properties
    first_page = props.get("first_page_text", "") or document.text[:2000]
    layers: list[Mapping[str, str]] = [
        {"title": props.get("title", "")},
        {"title": _first_line(document)},
        from_first_page(first_page),
        from_filename(key),
        manifest_row(manifest or {}, key),
    ]
    merged: dict[str, str] = {"language": language, "date": _core_date(props)}
    printed = find_date(first_page[:800])
    if printed:
        merged["date"] = printed
    for layer in layers:  # lowest precedence first, later layers override
        merged.update({k: v for k, v in layer.items() if v})
    title = merged.get("title") or split_camel(PurePosixPath(key).stem)
    confidential = merged.get("confidential", "").strip().lower() in {"1", "true", "yes", "y"}
    return Submission(
        key=key,
        content_hash=content_hash,
        file=PurePosixPath(key).name,
        title=title,
        submitter=merged.get("submitter", ""),
        submitter_type=normalise_type(merged.get("submitter_type", "other")),
        country=merged.get("country", ""),
        language=merged.get("language", ""),
        date=merged.get("date", ""),
        confidential=confidential,
    )


def _first_line(document: Document) -> str:
    """Return the first heading of the first page (the document's own title), if any."""
    for block in document.blocks[:5]:
        if block.kind == "heading" or block.style.lower() in {"title", "subtitle"}:
            line = block.text.strip().split("\n")[0]
            if line:
                return line[:200]
    return ""


# python-docx's default template carries this creation date; it says nothing about the file.
_TEMPLATE_DATES = {"2013-12-23"}
_MONTH_NAMES = (
    "january february march april may june july august september october november december",
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
)
_MONTHS = {name: i + 1 for names in _MONTH_NAMES for i, name in enumerate(names.split(" "))}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DATE_DMY = re.compile(
    rf"\b(\d{{1,2}})(?:er)?\s+(?:de\s+)?({_MONTH})\s+(?:de\s+|del\s+)?(\d{{4}})\b", re.I
)
_DATE_MDY = re.compile(rf"\b({_MONTH})\s+(\d{{1,2}}),\s+(\d{{4}})\b", re.I)
_DATE_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def find_date(text: str) -> str:
    """Return the first printed date in ``text`` as YYYY-MM-DD (English, French, Spanish)."""
    found: list[tuple[int, str]] = []
    for match in _DATE_DMY.finditer(text):
        day, month, year = match.groups()
        found.append((match.start(), f"{year}-{_MONTHS[month.lower()]:02d}-{int(day):02d}"))
    for match in _DATE_MDY.finditer(text):
        month, day, year = match.groups()
        found.append((match.start(), f"{year}-{_MONTHS[month.lower()]:02d}-{int(day):02d}"))
    for match in _DATE_ISO.finditer(text):
        found.append((match.start(), match.group(0)))
    return min(found)[1] if found else ""


def _core_date(props: Mapping[str, str]) -> str:
    date = (props.get("created") or "")[:10]
    return "" if date in _TEMPLATE_DATES else date
