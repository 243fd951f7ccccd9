"""Errors a user can act on. The CLI prints them without a traceback and exits with status 2."""

from __future__ import annotations


class ArchspecError(Exception):
    """Bad input from the user (recipe, data, run directory, flags): a message, not a bug."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message
