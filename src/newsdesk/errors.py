"""Errors that say what went wrong and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass


class NewsdeskError(Exception):
    """Base class: every message names the problem and a way out."""


class InputError(NewsdeskError):
    """One input (file, record) could not be read; the batch goes on without it."""

    def __init__(self, origin: str, reason: str, hint: str = "") -> None:
        self.origin = origin
        self.reason = reason
        self.hint = hint
        super().__init__(f"{origin}: {reason}" + (f" ({hint})" if hint else ""))


class StoreError(NewsdeskError):
    """The store cannot be opened or migrated."""


@dataclass(slots=True)
class Skipped:
    """An input that was not ingested, with the reason (reported, never fatal)."""

    origin: str
    reason: str

    def __str__(self) -> str:
        return f"skipped {self.origin}: {self.reason}"
