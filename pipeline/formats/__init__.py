"""Archival output formats of page results: hOCR, ALTO XML and searchable PDF/A."""
