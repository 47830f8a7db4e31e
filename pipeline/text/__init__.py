"""Text without models: Unicode clean-up, Vietnamese orthography, tokens, evaluation."""
