"""`/infra create|update|destroy KIND NAME key=value...`: the change commands, with a valid nearest form."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.commands.kinds import DESTROY_KEYS, KIND_RULES, KIND_SYNONYMS, KINDS, key_synonym
from bot.domain.commands.rendering import quote_word
from bot.domain.commands.requests import build_request
from bot.domain.commands.types import PREFIX, Create, Destroy, Invalid, Reply, Update
from bot.domain.commands.wording import closest, listing, problems_reply, shown
from bot.domain.models import Cloud, ResourceKind

__all__ = ["change_usage", "parse_change"]


def change_usage(verb: str, kind: ResourceKind | None = None) -> str:
    if kind is None:
        kinds = "bucket|instance|function|cluster" if verb == "create" else "bucket|instance|function"
        return f"`{PREFIX} {verb} {kinds} NAME ...` (`{PREFIX} help {verb}` shows every setting)"
    keys = " ".join(f"[{key}=...]" for key in _keys(verb, kind))
    return f"`{PREFIX} {verb} {kind.value} NAME {keys}`"


def parse_change(verb: str, words: Sequence[str]) -> Create | Update | Destroy | Reply:
    """The words after `create`, `update` or `destroy`."""
    if not words:
        return Reply(f"`{PREFIX} {verb}` needs a resource kind and a name: {change_usage(verb)}")
    kind_word, rest = words[0].lower(), list(words[1:])
    if kind_word in KINDS:
        kind = ResourceKind(kind_word)
    elif kind_word in KIND_SYNONYMS:
        kind, implied = KIND_SYNONYMS[kind_word]
        nearest = _valid_line(verb, [kind.value, *rest, *([implied] if implied else [])])
        if nearest:
            return Reply(f"Olympus calls that a `{kind.value}`; did you mean `{nearest}`?")
        setting = f" (with `{implied}`)" if implied else ""
        return Reply(f"Olympus calls that a `{kind.value}`: write `{kind.value}`{setting} in place of `{kind_word}`.")
    else:
        match = closest(kind_word, KINDS)
        nearest = _valid_line(verb, [match, *rest]) if match else None
        if nearest:
            return Reply(f"unknown resource kind `{shown(words[0])}`; did you mean `{nearest}`?")
        near = f" (the nearest is `{match}`)" if match else ""
        return Reply(
            f"unknown resource kind `{shown(words[0])}`{near}; Olympus knows {listing(KINDS)}. {change_usage(verb)}"
        )
    if kind is ResourceKind.CLUSTER and verb != "create":
        return Reply(
            f"Olympus creates clusters but does not {verb} them: a cluster's settings live in its module call in "
            "`infra/<cloud>/envs/<env>/`; edit or remove it in a pull request, and the plan shows what that changes."
        )
    rules = KIND_RULES[kind]
    if not rest or "=" in rest[0]:
        example = _valid_line(verb, [kind.value, rules.example_name, *rest])
        example = example or f"{PREFIX} {verb} {kind.value} {rules.example_name}"
        return Reply(f"`{PREFIX} {verb} {kind.value}` needs a name, e.g. `{example}`")
    name, settings = rest[0], rest[1:]
    pairs, problems = _key_values(settings, kind, verb)
    cloud_word = pairs.pop("cloud", Cloud.AWS.value)
    if cloud_word.lower() not in (Cloud.AWS.value, Cloud.GCP.value):
        match = closest(cloud_word.lower(), ("aws", "gcp"))
        hint = f"; did you mean `cloud={match}`?" if match else "; use `cloud=aws` or `cloud=gcp`"
        return problems_reply([*problems, f"unknown cloud `{shown(cloud_word)}`{hint}"], change_usage(verb, kind))
    cloud = Cloud(cloud_word.lower())
    region = pairs.pop("region", "")
    env = pairs.pop("env", "dev")
    options = {rules.option_keys[key]: value for key, value in pairs.items()}
    if verb == "update" and not options and problems:
        # A misspelt setting is the one mistake: "needs at least one setting" would only repeat it.
        return problems_reply(problems, change_usage(verb, kind))
    built = build_request(verb, cloud, kind, name, region=region, env=env, options=options)
    if isinstance(built, Invalid):
        problems += built.problems
    if problems or isinstance(built, Invalid):
        return problems_reply(problems, change_usage(verb, kind))
    if verb == "update":
        return Update(built)
    return Create(built) if verb == "create" else Destroy(built)


def _keys(verb: str, kind: ResourceKind) -> tuple[str, ...]:
    if verb == "update":
        # The kind's own settings, then where the resource is; an update does not move it (no region).
        return (*KIND_RULES[kind].option_keys, *DESTROY_KEYS)
    return KIND_RULES[kind].create_keys if verb == "create" else DESTROY_KEYS


def _valid_line(verb: str, words: Sequence[str]) -> str | None:
    """`/infra VERB words...` when it parses to a command, else None: a suggestion must itself be valid."""
    if isinstance(parse_change(verb, words), Create | Update | Destroy):
        return " ".join([PREFIX, verb, *map(quote_word, words)])
    return None


def _key_values(words: Sequence[str], kind: ResourceKind, verb: str) -> tuple[dict[str, str], list[str]]:
    allowed = _keys(verb, kind)
    form = f"{verb} {kind.value}"
    pairs: dict[str, str] = {}
    problems: list[str] = []
    for word in words:
        key, sep, value = word.partition("=")
        if not sep:
            problems.append(f"unexpected `{shown(word)}`: settings are written `key=value`")
            continue
        if key not in allowed:
            synonym = key_synonym(kind, key)
            match = synonym if synonym in allowed else closest(key.lower(), allowed)
            if match:
                problems.append(f"`{shown(key)}` is not a setting of `{form}`; did you mean `{match}=`?")
            else:
                problems.append(f"`{shown(key)}` is not a setting of `{form}`; use {listing(k + '=' for k in allowed)}")
            continue
        if key in pairs:
            problems.append(f"`{key}` is given twice; keep one")
            continue
        if not value:
            problems.append(f"`{key}=` needs a value")
            continue
        pairs[key] = value
    return pairs, problems
