"""Cross-check: claims aligned across articles, corroborated, single-source or conflicting.

:func:`build_claims` groups an event's sentences into claims and counts the independent
origins behind each; :func:`find_conflicts` finds quantities that sources report with
different values and marks the claims that carry them ``conflicting``.
"""

from newsdesk.crosscheck.claims import (
    Claim,
    ClaimSentence,
    Conflict,
    ConflictValue,
    CrosscheckOptions,
    align,
    build_claims,
)
from newsdesk.crosscheck.conflicts import find_conflicts

__all__ = ["Claim", "ClaimSentence", "Conflict", "ConflictValue", "CrosscheckOptions",
           "align", "build_claims", "find_conflicts"]
