"""Pages in: file kinds and page images (load), clean-up (preprocess), Tesseract (ocr, doctor)."""
