"""The dateline at the head of a lead sentence (where a report was filed, not what
happened), for the stages that show sentences; the pattern lives with the other shared
patterns in :mod:`newsdesk.text_patterns`."""

from __future__ import annotations

from newsdesk.text_patterns import DATELINE_HEAD, dateline_end

__all__ = ["DATELINE_HEAD", "dateline_end"]
