"""Which file formats are read, and the limits that apply to PDF, OCR and LibreOffice conversion.

:class:`FormatOptions` travels from the settings to :func:`ingest.prepare.prepare` (and into
worker processes), so library code never reads the environment.
"""

from __future__ import annotations

from dataclasses import dataclass

WORD_SUFFIXES = (".docx", ".docm")
LEGACY_SUFFIXES = (".doc",)
CONVERTED_SUFFIXES = (".odt", ".rtf")  # read through LibreOffice, like .doc
PDF_SUFFIXES = (".pdf",)
SUFFIXES = (*WORD_SUFFIXES, *LEGACY_SUFFIXES, *CONVERTED_SUFFIXES, *PDF_SUFFIXES)

# Text sources of a document, kept in ``Document.properties["text_source"]``.
TEXT_LAYER = ""  # the PDF's own text, or a Word file: quotes are verified against it
OCR = "ocr"  # read from page images by Tesseract here
OCR_LAYER = "ocr-layer"  # an invisible text layer someone else's OCR put on a scan


@dataclass(frozen=True, slots=True)
class FormatOptions:
    """Limits for the non-Word formats (see the README's settings table)."""

    max_pages: int = 2000  # a PDF with more pages is refused
    file_timeout_s: float = 180.0  # reading one PDF (text layer) may take this long
    ocr: bool = True  # OCR scanned PDFs when Tesseract is installed
    ocr_languages: str = "eng+fra+spa"
    ocr_max_pages: int = 60  # a scan with more pages is refused (OCR costs seconds per page)
    ocr_timeout_s: float = 240.0  # time limit for the OCR of one file
    convert_timeout_s: float = 120.0  # time limit for one LibreOffice conversion

    @classmethod
    def from_settings(cls, settings: object) -> FormatOptions:
        """Return the limits of the app's Settings (pdf_max_pages, ocr_timeout_s, ...)."""
        get = settings.__getattribute__
        return cls(
            max_pages=get("pdf_max_pages"),
            file_timeout_s=get("pdf_timeout_s"),
            ocr=get("ocr"),
            ocr_languages=get("ocr_languages"),
            ocr_max_pages=get("ocr_max_pages"),
            ocr_timeout_s=get("ocr_timeout_s"),
            convert_timeout_s=get("convert_timeout_s"),
        )


def is_from_ocr(properties: dict[str, str]) -> bool:
    """Return True when a document's text was read by OCR (here or by whoever made the PDF)."""
    return properties.get("text_source", "") in (OCR, OCR_LAYER)
