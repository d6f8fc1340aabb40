"""The table views ``annotator export`` writes, in a module of their own so the command line
can offer them as choices without loading the exporters (which `annotate` never needs)."""

TABLE_VIEWS = ("spans", "claims", "figures", "sources", "sentences")
