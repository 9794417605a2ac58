"""Files handed to people: coverage CSV/XLSX and the thematic digest (Word and Markdown)."""
