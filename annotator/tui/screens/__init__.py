"""Screens of the annotation interface."""
