"""Small hand-written lexicons for extraction, loaded once from ``extract/data``.

pycountry knows country names and ISO codes but has no capitals, demonyms or informal
country names ("Russia", "UK"), so those tables are written by hand in ``data/*.tsv`` and
combined here with pycountry into one place lookup.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import pycountry


def _rows(name: str) -> list[list[str]]:
    text = resources.files("newsdesk.extract").joinpath("data", name).read_text("utf-8")
    out = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        out.append(line.split("\t"))
    return out


@lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Lower-case, accent-free, dot-free, single-spaced form used as a lookup key."""
    t = unicodedata.normalize("NFKD", text)
    t = "".join(c for c in t if not unicodedata.combining(c))
    t = t.replace("\u2019", "'").replace(".", "").lower()
    return re.sub(r"\s+", " ", t).strip()


@dataclass(frozen=True, slots=True)
class Place:
    """What a place-like string resolves to: a country, a capital or a demonym."""

    kind: str  # "country" | "capital" | "demonym"
    code: str | None  # ISO 3166-1 alpha-3 (XKX for Kosovo); None for a place found in text
    name: str  # preferred form: country short name, capital as written, singular demonym


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    """ISO alpha-3 -> preferred short English name."""
    names: dict[str, str] = {}
    for c in pycountry.countries:
        names[c.alpha_3] = getattr(c, "common_name", None) or c.name
    for code, name in _rows("country_names.tsv"):
        names[code] = name
    return names


def country_name(code: str) -> str | None:
    """Preferred short English name of an ISO alpha-3 code."""
    return _country_names().get(code)


@lru_cache(maxsize=1)
def _places() -> dict[str, Place]:
    table: dict[str, Place] = {}
    names = _country_names()
    for c in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            v = getattr(c, attr, None)
            if v:
                table.setdefault(fold(v), Place("country", c.alpha_3, names[c.alpha_3]))
    for alias, code in _rows("country_aliases.tsv"):
        table[fold(alias)] = Place("country", code, names.get(code, alias))
    for cap, code in _rows("capitals.tsv"):
        table.setdefault(fold(cap), Place("capital", code, cap))
    for dem, code in _rows("demonyms.tsv"):
        p = Place("demonym", code, dem)
        table.setdefault(fold(dem), p)
        plural = fold(dem) + ("es" if dem.endswith("s") else "s")
        if not dem.endswith(("ese", "ish", "ch", "ss")):
            table.setdefault(plural, p)
    return table


def resolve_place(text: str) -> Place | None:
    """Country name or alias, capital, or demonym -> :class:`Place`; None otherwise.

    A leading "the" and a trailing possessive are ignored ("the United States's").
    """
    key = fold(text)
    key = re.sub(r"^the ", "", key)
    key = re.sub(r"'s?$", "", key)
    return _places().get(key)


@dataclass(frozen=True, slots=True)
class RoleWord:
    """A word of a title: ``kind`` is office, rank, honorific or link."""

    kind: str
    expansion: str | None


@lru_cache(maxsize=1)
def role_words() -> dict[str, RoleWord]:
    """Lower-case word -> :class:`RoleWord` (from ``data/roles.tsv``)."""
    out: dict[str, RoleWord] = {}
    for row in _rows("roles.tsv"):
        out[row[0].lower()] = RoleWord(row[1], row[2] if len(row) > 2 and row[2] else None)
    return out


@lru_cache(maxsize=1)
def entity_fixes() -> dict[str, str]:
    """Folded surface form -> forced type or ``DROP``."""
    return {fold(s): t for s, t in _rows("entity_fixes.tsv")}
