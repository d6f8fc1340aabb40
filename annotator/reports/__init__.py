"""Agreement and statistics: computed from the database, then drawn as Rich tables."""
