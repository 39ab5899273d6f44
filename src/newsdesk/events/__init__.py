"""Events: group a stream of articles into real-world happenings (one visit, one quake).

``cluster_articles(articles)`` is the batch entry point, :class:`OnlineClusterer` the
streaming one (same results for the same order); ``run_events(store)`` works over the
store with cached features and saves the clustering in the stage's own tables.
"""

from newsdesk.events.cluster import (
    Assignment,
    Event,
    EventItem,
    EventOptions,
    OnlineClusterer,
    cluster_items,
    event_id_for,
)
from newsdesk.events.features import EventFeatures, extract_features
from newsdesk.events.stage import (
    EventResult,
    EventStep,
    EventStore,
    cluster_articles,
    dateline_place,
    pending_features,
    run_events,
    stored_or_run,
)

__all__ = [
    "Assignment",
    "Event",
    "EventFeatures",
    "EventItem",
    "EventOptions",
    "EventResult",
    "EventStep",
    "dateline_place",
    "EventStore",
    "OnlineClusterer",
    "cluster_articles",
    "cluster_items",
    "event_id_for",
    "extract_features",
    "pending_features",
    "run_events",
    "stored_or_run",
]
