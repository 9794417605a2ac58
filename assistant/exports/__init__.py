"""Exports of answers and conversations (.docx with footnotes, Markdown)."""
