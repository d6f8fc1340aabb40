"""annotator: tag claims, their sources and their figures in news text, sentence by sentence."""

# The one place the version is written (pyproject.toml reads it): asking the installed
# metadata instead cost every start of the command about 50 ms.
__version__ = "0.1.0"
