"""The file read as bounded YAML, and its mistakes pointed at by line and column."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import yaml

from bot.domain.repo_config.errors import ConfigError
from bot.domain.repo_config.schema import MAX_YAML_NODES


def load_yaml(text: str) -> tuple[yaml.Node | None, object] | ConfigError:
    """The document's node tree and its data, or why it cannot be read (too large once expanded, not YAML)."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is not None and _expanded_size(node) > MAX_YAML_NODES:
            return ConfigError(
                "config-too-large",
                "",
                f"the YAML expands to more than {MAX_YAML_NODES:,} values (aliases included)",
                "write the settings out instead of nesting aliases (`*name`)",
            )
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = ", ".join(part for part in (exc.context, exc.problem) if part) or "a syntax error"
        return ConfigError(
            "invalid-yaml",
            "",
            f"not valid YAML: {problem}"
            + (f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""),
            "check the indentation, that list items start with `- `, and quote values holding `: ` or ` #`",
            mark.line + 1 if mark is not None else None,
            mark.column + 1 if mark is not None else None,
        )
    except (yaml.YAMLError, RecursionError) as exc:
        return ConfigError("invalid-yaml", "", f"not valid YAML: {exc}", "check the file's syntax")
    finally:
        loader.dispose()
    return node, data


def _expanded_size(root: yaml.Node) -> int:
    """How many nodes the document has once aliases are expanded, counting no further than the limit."""
    count = 0
    stack = [root]
    while stack and count <= MAX_YAML_NODES:
        node = stack.pop()
        count += 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack += (key, value)
        elif isinstance(node, yaml.SequenceNode):
            stack += node.value
    return count


def duplicate_keys(root: yaml.Node | None) -> Iterator[ConfigError]:
    """Every key set twice in one mapping."""
    # PyYAML keeps the last of two equal keys silently; a repeated `dir:` is almost always a paste error.
    stack: list[tuple[yaml.Node, tuple[str | int, ...]]] = [(root, ())] if root is not None else []
    while stack:
        node, path = stack.pop()
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key, value in node.value:
                name = key.value if isinstance(key, yaml.ScalarNode) else None
                if name is not None and name != "<<":
                    if name in seen:
                        yield ConfigError(
                            "duplicate-key",
                            location_of((*path, name)),
                            f"`{name}` is set twice in the same mapping",
                            "keep one of them; YAML would silently use the last",
                            key.start_mark.line + 1,
                            key.start_mark.column + 1,
                        )
                    seen.add(name)
                    stack.append((value, (*path, name)))
        elif isinstance(node, yaml.SequenceNode):
            stack += [(item, (*path, index)) for index, item in enumerate(node.value)]


def _node_at(root: yaml.Node | None, path: Sequence[str | int]) -> yaml.Node | None:
    node = root
    for step in path:
        if isinstance(node, yaml.MappingNode) and isinstance(step, str):
            node = next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == step), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = node.value[step]
        else:
            return None
    return node


def _key_node_at(root: yaml.Node | None, path: Sequence[str | int]) -> yaml.Node | None:
    parent = _node_at(root, path[:-1])
    if isinstance(parent, yaml.MappingNode):
        return next((k for k, _ in parent.value if isinstance(k, yaml.ScalarNode) and k.value == path[-1]), None)
    return None


def located(
    root: yaml.Node | None, code: str, path: Sequence[str | int], message: str, hint: str, *, key: bool = False
) -> ConfigError:
    """An error at path, pointing at the key itself (key=True) or at its value, else at the nearest parent."""
    node = _key_node_at(root, path) if key and path else _node_at(root, path)
    trail = list(path)
    while node is None and trail:
        trail.pop()
        node = _node_at(root, trail)
    line = node.start_mark.line + 1 if node is not None else None
    column = node.start_mark.column + 1 if node is not None else None
    return ConfigError(code, location_of(path), message, hint, line, column)


def location_of(path: Sequence[str | int]) -> str:
    """The path as the messages write it: `projects[1].dir`."""
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out
