"""Whole folders: batch conversion with a resumable manifest, and full-text search."""
