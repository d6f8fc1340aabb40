"""annotator: tag claims, their sources and their figures in news text, sentence by sentence."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("claim-annotator")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
