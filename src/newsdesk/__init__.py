"""newsdesk: overlapping news reports in, one sourced account per event out."""

from newsdesk.model import Article, Paragraph, Span

__all__ = ["Article", "Paragraph", "Span", "__version__"]
__version__ = "0.1.0"
