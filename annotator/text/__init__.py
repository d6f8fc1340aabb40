"""Text as annotator reads it: sentences, words and figures (no database, no Textual)."""
