"""sayso: who said what in the news."""
from sayso.records import Article, Part, Speaker, Statement

__version__ = "0.1.0"
__all__ = ["Article", "Part", "Speaker", "Statement", "__version__"]
