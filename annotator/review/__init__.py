"""Review and adjudication sessions over the database (no Textual)."""
