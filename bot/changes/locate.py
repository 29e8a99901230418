"""Finding what a repository already defines: Terraform directories, named resources, module calls, variables."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from bot.changes.hcl_reader import Attribute, Block, HclSyntaxError, parse
from bot.changes.provider_pins import LOCK_FILE
from bot.domain.models import Refusal
from bot.ports import RepoReader


@dataclass(frozen=True)
class TfFile:
    """One parsed file of a Terraform directory."""

    path: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class TfDir:
    """The *.tf files (and lock file) directly inside one directory, parsed."""

    path: str
    files: tuple[TfFile, ...] = ()
    lock: TfFile | None = None

    @property
    def exists(self) -> bool:
        return bool(self.files) or self.lock is not None

    def blocks(self, type_: str) -> Iterator[tuple[TfFile, Block]]:
        for file in self.files:
            for block in file.blocks:
                if block.type == type_:
                    yield file, block

    def parsed(self) -> Mapping[str, tuple[Block, ...]]:
        """Every parsed file by path, lock file included (the shape provider_pins reads)."""
        files = {file.path: file.blocks for file in self.files}
        if self.lock is not None:
            files[self.lock.path] = self.lock.blocks
        return files


@dataclass(frozen=True)
class Definition:
    """A resource or module block, and where it is."""

    path: str
    block: Block

    @property
    def address(self) -> str:
        if self.block.type == "module":
            return f"module.{self.block.labels[0]}"
        return ".".join(self.block.labels)

    @property
    def location(self) -> str:
        return f"{self.path}:{self.block.line}"


@dataclass(frozen=True)
class NamingRule:
    """Where a kind of thing keeps its cloud name: resource attributes and module-call arguments."""

    # resource type → attribute path ("bucket", "tags.Name")
    resource_attributes: Mapping[str, str] = field(default_factory=dict)
    module_arguments: tuple[str, ...] = ()


def read_dir(repo: RepoReader, path: str) -> TfDir | Refusal:
    """The directory's own *.tf files and lock file, parsed; a file Terraform could not read either is refused."""
    prefix = path.rstrip("/") + "/"
    files: list[TfFile] = []
    lock: TfFile | None = None
    for file_path in repo.list_files(prefix):
        name = file_path[len(prefix) :]
        if "/" in name or not (name.endswith(".tf") or name == LOCK_FILE):
            continue
        text = repo.read_text(file_path)
        if text is None:
            continue
        try:
            parsed = TfFile(file_path, parse(text))
        except HclSyntaxError as error:
            return Refusal(
                message=f"Cannot read {file_path}: {error.message} (line {error.line}).",
                hint="Fix the file (`terraform fmt` and `terraform validate` point at the problem), then ask again.",
                location=f"{file_path}:{error.line}",
            )
        if name == LOCK_FILE:
            lock = parsed
        else:
            files.append(parsed)
    return TfDir(path.rstrip("/"), tuple(files), lock)


def child_dirs(repo: RepoReader, parent: str) -> list[str]:
    """The directories directly under `parent` that hold files (envs under infra/aws/envs, say)."""
    prefix = parent.rstrip("/") + "/"
    names = {path[len(prefix) :].split("/", 1)[0] for path in repo.list_files(prefix) if "/" in path[len(prefix) :]}
    return sorted(prefix + name for name in names)


def named(tf_dir: TfDir, rule: NamingRule, name: str) -> list[Definition]:
    """Every resource or module call in the directory whose cloud name is `name`."""
    return [definition for definition, found in _names(tf_dir, rule) if found == name]


def names(tf_dir: TfDir, rule: NamingRule) -> list[str]:
    """The cloud names of every such thing the directory defines, sorted."""
    return sorted({found for _definition, found in _names(tf_dir, rule)})


def _names(tf_dir: TfDir, rule: NamingRule) -> Iterator[tuple[Definition, str]]:
    for file, block in tf_dir.blocks("resource"):
        if len(block.labels) == 2 and block.labels[0] in rule.resource_attributes:
            found = _attribute_path(block, rule.resource_attributes[block.labels[0]])
            if found is not None:
                yield Definition(file.path, block), found
    for file, block in tf_dir.blocks("module"):
        for argument in rule.module_arguments:
            attribute = block.attributes.get(argument)
            if attribute is not None and attribute.string() is not None:
                yield Definition(file.path, block), attribute.string() or ""
                break


def _attribute_path(block: Block, path: str) -> str | None:
    head, _, rest = path.partition(".")
    attribute = block.attributes.get(head)
    if attribute is None:
        return None
    if not rest:
        return attribute.string()
    value = attribute.value
    inner = value.get(rest) if isinstance(value, dict) else None
    return inner if isinstance(inner, str) else None


def module_call(tf_dir: TfDir, module_name: str) -> Definition | None:
    """The `module "<module_name>"` block, wherever in the directory it is."""
    for file, block in tf_dir.blocks("module"):
        if block.labels and block.labels[0] == module_name:
            return Definition(file.path, block)
    return None


def references(tf_dir: TfDir, address: str, outside: str) -> list[str]:
    """Locations of blocks, outside the file `outside`, whose expressions refer to `address` (module.x)."""
    pattern = re.compile(rf"(?<![\w.]){re.escape(address)}(?![\w-])")
    found: list[str] = []
    for file in tf_dir.files:
        if file.path == outside:
            continue
        for block in file.blocks:
            if any(pattern.search(expression) for expression in block.expressions()):
                found.append(f"{file.path}:{block.line}")
    return found


def variable(tf_dir: TfDir, name: str) -> tuple[Attribute | None, str] | None:
    """A declared variable's `default` attribute (None when it has none) and its location; None if undeclared."""
    for file, block in tf_dir.blocks("variable"):
        if block.labels == (name,):
            return block.attributes.get("default"), f"{file.path}:{block.line}"
    return None


def declared_variables(tf_dir: TfDir) -> set[str]:
    return {block.labels[0] for _file, block in tf_dir.blocks("variable") if block.labels}


def provider_attribute(tf_dir: TfDir, provider: str, attribute: str) -> tuple[Attribute, str] | None:
    """A literal attribute of the default (unaliased) `provider` block, and where it is."""
    for file, block in tf_dir.blocks("provider"):
        if block.labels == (provider,) and "alias" not in block.attributes and attribute in block.attributes:
            found = block.attributes[attribute]
            return found, f"{file.path}:{found.line}"
    return None


def required_version(tf_dir: TfDir) -> str | None:
    """The `terraform { required_version }` constraint the directory declares, if any."""
    for _file, block in tf_dir.blocks("terraform"):
        attribute = block.attributes.get("required_version")
        if attribute is not None and attribute.string():
            return attribute.string()
    return None
