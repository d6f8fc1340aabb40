"""Persistence for annotator: models, engine and migrations, query functions.

This package never imports ``annotator``; the application calls into it.
"""
