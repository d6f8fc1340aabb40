"""Widgets of the annotation interface, one per module."""
