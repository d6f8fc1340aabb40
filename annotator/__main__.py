"""Allow ``python -m annotator``."""

from annotator.entry_point import main

main()
