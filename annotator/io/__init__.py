"""Getting data in and out: reading files, importing, interchange formats, export, merge."""
