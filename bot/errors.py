"""UserError: a mistake the user can fix, with a kebab-case reference, what is wrong, and a hint."""

from __future__ import annotations


class UserError(Exception):
    """Shown without a traceback and ends the command with exit status 2."""

    def __init__(self, reference: str, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.reference = reference
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        text = f"error[{self.reference}]: {self.message}"
        return f"{text}\nhint: {self.hint}" if self.hint else text
