"""A configuration's mistakes: a code, where it is, what is wrong and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.repo_config.schema import CONFIG_PATH


@dataclass(frozen=True)
class ConfigError:
    """One mistake in the configuration: a kebab-case code, where it is, what is wrong, how to fix it."""

    code: str
    location: str  # "projects[1].dir"; "" for the file as a whole
    message: str
    hint: str
    line: int | None = None  # 1-based, when the mistake can be pointed at
    column: int | None = None

    def __str__(self) -> str:
        where = CONFIG_PATH + (f":{self.line}" if self.line is not None else "")
        if self.location:
            where += f" {self.location}"
        return f"{where}: {self.message} ({self.code}). {self.hint}"


@dataclass(frozen=True)
class ConfigErrors:
    """Every mistake found in one configuration (never just the first)."""

    errors: tuple[ConfigError, ...]

    def render(self) -> str:
        return "\n".join(str(error) for error in self.errors)

    def __bool__(self) -> bool:
        return bool(self.errors)


def single_error(code: str, message: str, hint: str, line: int | None = None) -> ConfigErrors:
    """One mistake about the file as a whole."""
    return ConfigErrors((ConfigError(code, "", message, hint, line),))
