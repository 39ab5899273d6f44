"""The lexicons of extraction, loaded once: the one country lookup and our own tables.

Countries come from pycountry (names and ISO codes) and countryinfo (demonyms, capitals,
alternative spellings); informal names, capitals and demonyms neither knows ("Russia",
"UK") are written by hand in ``data/*.tsv``. Two views of the same sources live here:
:func:`resolve_place` (entities: is this a country, a capital or a demonym, and its
preferred name) and :func:`country_code` / :func:`actor_lookup` (PLOVER and quotes: a code
and sector for any actor name, our ``plover_actors.tsv`` over the country table). Every
extractor imports them from here, so ``plover`` and ``quotes`` no longer import each other
for a country.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

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


@lru_cache(maxsize=1 << 14)  # asked ~200 times per article, mostly the same few names
def resolve_place(text: str) -> Place | None:
    """Country name or alias, capital, or demonym -> :class:`Place`; None otherwise.

    A leading "the" and a trailing possessive are ignored ("the United States's"). A
    short code is one only in capitals: "US", "U.S.", "UK" are places, "Us" (the magazine
    in "told Us") and "us" are not.
    """
    letters = text.replace(".", "").replace(" ", "")
    if len(letters) <= 3 and letters.isalpha() and not letters.isupper():
        return None
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


@lru_cache(maxsize=1 << 16)
def name_key(name: str) -> str:
    """Lookup key of :func:`country_code`: accent-free, lower case, no leading "the" or
    trailing possessive."""
    if name.isascii():  # NFKD leaves ASCII as it is, and it has no combining marks
        t = name.lower()
    else:
        t = unicodedata.normalize("NFKD", name)
        t = "".join(c for c in t if not unicodedata.combining(c))
        t = t.lower().replace("\u2019", "'")
    t = _LEADING_THE.sub("", t.strip())
    t = _POSSESSIVE.sub("", t)
    return _NOT_KEY.sub(" ", t).strip()


_LEADING_THE = re.compile(r"^the\s+")
_POSSESSIVE = re.compile(r"'s$")
_NOT_KEY = re.compile(r"[^a-z0-9./' -]")


# Capitals whose name is also a common word, name or town elsewhere: "The Valley" (read
# "Valley", as in "Matanuska Valley" -> Anguilla), "Malé" ("male"), "Victoria",
# "Hamilton", "Plymouth"; a report naming one of them as a capital says the country too.
_AMBIGUOUS_CAPITALS = frozenset({"The Valley", "Malé", "Victoria", "Hamilton", "Plymouth"})


@lru_cache(maxsize=1)
def _country_table() -> dict[str, str]:
    """Country names, official names, demonyms, capitals and alternative spellings."""
    from countryinfo import all_countries

    table: dict[str, str] = {}
    for c in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            v = getattr(c, attr, None)
            if v:
                table.setdefault(name_key(v), c.alpha_3)
    def population(ci: Any) -> int:
        try:
            return int(ci.population() or 0)
        except (TypeError, ValueError, KeyError, AttributeError):
            return 0

    # most populous first, so a shared demonym ("Indian") names the country, not a
    # territory
    for ci in sorted(all_countries(), key=population, reverse=True):
        info = ci.info()
        a3 = (info.get("ISO") or {}).get("alpha3")
        if not a3:
            continue
        for v in [info.get("name"), info.get("demonym"), info.get("capital"),
                  *(info.get("altSpellings") or [])]:
            if v and len(v) > 3 and not (v == info.get("capital") and v in _AMBIGUOUS_CAPITALS):
                table.setdefault(name_key(v), a3)
    return table


@lru_cache(maxsize=1)
def _actor_table() -> dict[str, tuple[str, str | None]]:
    """Our own names (short forms, metonyms, organisations) over the country table."""
    table: dict[str, tuple[str, str | None]] = {k: (v, None) for k, v in
                                                _country_table().items()}
    for name, code, sector in _rows("plover_actors.tsv"):
        table[name_key(name)] = (code, None if sector == "-" else sector)
    return table


def country_code(name: str) -> str | None:
    """ISO alpha-3 code of a country named, its demonym or its capital (else None);
    international organisations give ``IGO``."""
    hit = actor_lookup(name)
    return hit[0] if hit else None


@lru_cache(maxsize=1 << 16)
def actor_lookup(name: str) -> tuple[str, str | None] | None:
    """(code, sector) of a country, demonym, capital or named actor; None otherwise."""
    n = name_key(name)
    if not n:
        return None
    t = _actor_table()
    for cand in (n, n[:-1] if n.endswith("s") else None,
                 n[:-1] if n.endswith("i") and len(n) > 5 else None):
        if cand and cand in t:
            # abbreviations (US, UN, EU, PRC) only in capitals: "us" is a pronoun
            if len(cand) <= 3 and "." not in cand and not name.strip().isupper():
                continue
            return t[cand]
    return None
