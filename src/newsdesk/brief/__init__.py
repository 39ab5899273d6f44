"""Brief: the cited account of each event (summary, claims, quotes, timeline, sources)."""
