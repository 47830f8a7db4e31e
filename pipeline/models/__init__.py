"""The shipped statistical models: syllable language model (lm), OCR error model (channel)."""
