"""The label scheme: annotation labels and the default taxonomy of source types."""

from __future__ import annotations

LABELS = ("claim", "source", "figure")

# (key, description): keys are what is stored and exported.
SOURCE_TYPES: tuple[tuple[str, str], ...] = (
    ("government", "government or state agency"),
    ("military", "military or security"),
    ("party_or_armed_group", "political party or armed group official"),
    ("intergovernmental", "intergovernmental body or UN agency"),
    ("ngo", "NGO or rights group"),
    ("media", "media or journalist"),
    ("expert", "expert or academic"),
    ("witness", "witness or civilian"),
    ("anonymous", "anonymous or unnamed"),
    ("document", "document or report"),
    ("author", "author's own voice"),
)

