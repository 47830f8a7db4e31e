"""Diacritic restoration: candidates, decoding, and the document-level fixers (see correct)."""
