"""Files handed to people: answers and conversations (.docx with footnotes, Markdown), the
coverage matrix (CSV/XLSX) and the thematic digest (Word and Markdown)."""
