"""Checking a plugin package without installing it: ``gongzhi plugin check PATH``, and the
marketplace's validation of an uploaded wheel.

Nothing of the package is imported or run, so a package can be checked before anyone trusts
it: Python files are read by their syntax tree, templates and catalogues through Babel, the
manifest by :func:`core.plugins.manifest.parse`. What the host would refuse at loading (the
manifest, the core range, hook names and arguments) is found here first, and so is what it
cannot see (imports of core's internals, a table with no migration, a missing translation,
a capability used but not declared). Each :class:`Problem` names its place (a file, a file
and line, a manifest field) and says what is wrong, in English for the plugin's developer.
"""

from __future__ import annotations

import ast
import configparser
import difflib
import importlib.util
import re
import tempfile
import tomllib
import zipfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from core import hookspecs, i18n
from core.plugins.host import ENTRY_POINT_GROUP
from core.plugins.manifest import CORE_API_VERSION, parse as parse_manifest

# An uploaded wheel is unpacked to be checked: one that unpacks to more than this is refused.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_FILES = 5000

MODULE_NAME = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")
CREATE_TABLE = re.compile(r'CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?["`]?(\w+)["`]?', re.IGNORECASE)
# Where messages are found, as in core's babel.cfg, and the functions that mark them.
MESSAGE_METHODS = [("**.py", "python"), ("**.html", "jinja2.ext:babel_extract")]
MESSAGE_OPTIONS = {"**.html": {"extensions": "jinja2.ext.i18n"}}
MESSAGE_KEYWORDS = {**DEFAULT_KEYWORDS, "Message": None, "N_": None}
LANGUAGE_NAMES = {"zh-Hans": "Chinese", "en": "English"}


@dataclass(frozen=True)
class Problem:
    place: str
    message: str

    def __str__(self) -> str:
        return f"{self.place}: {self.message}"


@dataclass
class Report:
    """What was found in a package: its name and version (from its manifest, when it could
    be read) and every problem."""

    name: str = ""
    version: str = ""
    problems: list[Problem] = field(default_factory=list)


def check(path: Path) -> list[Problem]:
    """Every problem of the plugin package at ``path`` (a project folder with its
    pyproject.toml, or a built wheel); an empty list when it is right."""
    return examine(path).problems


def examine(path: Path) -> Report:
    """:func:`check`, with the package's name and version."""
    path = Path(path)
    if path.is_dir():
        return _Package(path, _project_entry_points(path), [path, path / "src"]).report()
    if not path.exists():
        return Report(problems=[Problem(str(path), "there is no such file or folder")])
    if path.suffix != ".whl":
        return Report(problems=[Problem(path.name, "not a plugin package: give the project's folder (with its "
                                                   "pyproject.toml) or a wheel (.whl)")])
    with tempfile.TemporaryDirectory(prefix="gongzhi-check-") as folder:
        root = Path(folder)
        problem = _unpack(path, root)
        if problem:
            return Report(problems=[problem])
        return _Package(root, _wheel_entry_points(root), [root]).report()


# Finding the plugin: its entry point ------------------------------------------------------


@dataclass
class _EntryPoints:
    place: str
    entries: dict[str, str]
    problem: Problem | None = None


def _project_entry_points(root: Path) -> _EntryPoints:
    try:
        data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except FileNotFoundError:
        return _EntryPoints("pyproject.toml", {}, Problem(
            "pyproject.toml", "there is no pyproject.toml: a plugin's project declares its entry point there"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        return _EntryPoints("pyproject.toml", {}, Problem("pyproject.toml", f"not valid TOML: {error}"))
    entries: object = data
    for key in ("project", "entry-points", ENTRY_POINT_GROUP):
        entries = entries.get(key, {}) if isinstance(entries, dict) else {}
    return _EntryPoints("pyproject.toml", {str(k): str(v) for k, v in entries.items()} if entries else {})


def _unpack(wheel: Path, root: Path) -> Problem | None:
    """Unpacks ``wheel`` into ``root``, or says why it is not a wheel."""
    if not zipfile.is_zipfile(wheel):
        return Problem(wheel.name, "not a wheel: the file is not a zip archive")
    try:
        with zipfile.ZipFile(wheel) as archive:
            members = archive.infolist()
            if not any(re.fullmatch(r"[^/]+\.dist-info/METADATA", m.filename) for m in members):
                return Problem(wheel.name, "not a wheel: it has no *.dist-info/METADATA")
            if len(members) > MAX_FILES or sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
                return Problem(wheel.name, f"too large: a plugin's wheel holds at most {MAX_FILES} files and "
                                           f"{MAX_UNPACKED_BYTES // 1024 // 1024} MB unpacked")
            archive.extractall(root)  # zipfile drops absolute paths and "..": nothing lands outside root
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        return Problem(wheel.name, f"not a wheel: the archive cannot be read ({error})")
    return None


def _wheel_entry_points(root: Path) -> _EntryPoints:
    info = sorted(root.glob("*.dist-info"))[0]
    place = f"{info.name}/entry_points.txt"
    parser = configparser.ConfigParser(delimiters=("=",), interpolation=None)
    parser.optionxform = str  # entry point names keep their case
    try:
        parser.read_string((info / "entry_points.txt").read_text(encoding="utf-8"))
    except FileNotFoundError:
        return _EntryPoints(place, {})
    except (configparser.Error, UnicodeDecodeError) as error:
        return _EntryPoints(place, {}, Problem(place, f"cannot be read: {error}"))
    entries = dict(parser[ENTRY_POINT_GROUP]) if parser.has_section(ENTRY_POINT_GROUP) else {}
    return _EntryPoints(place, entries)


# The package --------------------------------------------------------------------------------


class _Package:
    """One package being checked: ``root`` is the project folder or the unpacked wheel, and
    ``sources`` the folders its modules are found in."""

    def __init__(self, root: Path, entry_points: _EntryPoints, sources: list[Path]) -> None:
        self.root = root
        self.entry_points = entry_points
        self.sources = sources
        self.problems: list[Problem] = []
        self.entry_name = ""
        self.name = ""
        self.version = ""
        self.capabilities: set[str] = set()
        self.province_tables: set[str] = set()

    def where(self, path: Path, line: int | None = None) -> str:
        place = path.relative_to(self.root).as_posix()
        return f"{place}:{line}" if line is not None else place

    def add(self, place: str, message: str) -> None:
        self.problems.append(Problem(place, message))

    def report(self) -> Report:
        found = self._entry_module()
        if found is not None:
            source, module = found
            # The manifest is in the module's folder (as the host reads it); the package is
            # everything under the module's top-level package.
            folder, package = module.parent, source / module.relative_to(source).parts[0]
            manifest_read = self._manifest(folder)
            trees = self._trees(package)
            self._hooks(trees)
            self._imports(trees)
            if manifest_read:
                self._capabilities(trees)
                self._tables(package, trees)
                self._translations(package, folder)
        return Report(self.name, self.version, self.problems)

    # 1. The entry point ---------------------------------------------------------------

    def _entry_module(self) -> tuple[Path, Path] | None:
        """The source folder and the file of the module the one entry point names (None, with
        a problem, otherwise)."""
        found = self.entry_points
        if found.problem:
            self.problems.append(found.problem)
            return None
        if not found.entries:
            self.add(found.place, f'no entry point in the group "{ENTRY_POINT_GROUP}": Gongzhi finds a plugin '
                                  f'by it (in pyproject.toml: [project.entry-points."{ENTRY_POINT_GROUP}"] '
                                  f'<name> = "<package>.plugin")')
            return None
        if len(found.entries) > 1:
            self.add(found.place, f"several entry points in {ENTRY_POINT_GROUP} ({', '.join(sorted(found.entries))}): "
                                  "a package holds one plugin")
            return None
        (key, value), = found.entries.items()
        self.entry_name = key
        if not MODULE_NAME.match(value.strip()):
            self.add(found.place, f"the entry point {key} = {value!r} must name a module (e.g. \"{key}_pkg.plugin\")")
            return None
        parts = value.strip().split(".")
        for source in self.sources:
            for candidate in (source.joinpath(*parts).with_suffix(".py"), source.joinpath(*parts, "__init__.py")):
                if candidate.is_file():
                    return source, candidate
        self.add(found.place, f"the entry point {key} names the module {value.strip()}, which is not in the package")
        return None

    # 2. The manifest ------------------------------------------------------------------

    def _manifest(self, folder: Path) -> bool:
        """Reads and checks the manifest beside the entry point's module; False when it cannot
        be read at all (the checks that need its name and capabilities then do not run)."""
        path = folder / "manifest.toml"
        place = self.where(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            self.add(place, "there is no manifest.toml beside the entry point's module")
            return False
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            self.add(place, f"not valid TOML: {error}")
            return False
        problems = parse_manifest(data, folder)[1]
        for problem in problems:
            field_name, _, message = problem.partition(": ")
            self.add(f"{place}: {field_name}", message)
        core = data.get("core")
        if isinstance(core, str) and core.strip():
            try:
                if Version(CORE_API_VERSION) not in SpecifierSet(core.strip()):
                    self.add(f"{place}: core", f"the range {core.strip()!r} excludes this core: Gongzhi's plugin "
                                               f"API is version {CORE_API_VERSION}")
            except InvalidSpecifier:
                pass  # parse has said so
        name = data.get("name")
        self.name = name if isinstance(name, str) else ""
        self.version = data.get("version") if isinstance(data.get("version"), str) else ""
        if self.name and self.name != self.entry_name:
            self.add(self.entry_points.place, f"the entry point is named {self.entry_name}, the manifest's name is "
                                              f"{self.name}: they must be the same")
        self.name = self.name or self.entry_name
        capabilities, tables = data.get("capabilities"), data.get("province_tables")
        self.capabilities = {c for c in capabilities if isinstance(c, str)} if isinstance(capabilities, list) else set()
        self.province_tables = {t for t in tables if isinstance(t, str)} if isinstance(tables, list) else set()
        return True

    # The Python files -----------------------------------------------------------------

    def _trees(self, package: Path) -> dict[Path, ast.Module]:
        trees = {}
        for path in sorted(package.rglob("*.py")):
            if "__pycache__" in path.parts:
                continue
            try:
                trees[path] = ast.parse(path.read_bytes(), str(path))
            except (SyntaxError, ValueError) as error:
                self.add(self.where(path, getattr(error, "lineno", None) or 1), f"not valid Python: {error}")
        return trees

    # 3. Hook implementations ----------------------------------------------------------

    def _hooks(self, trees: dict[Path, ast.Module]) -> None:
        specs = hookspecs.arguments()
        for path, tree in trees.items():
            for node in ast.walk(tree):
                if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    continue
                marker = next((d for d in node.decorator_list if _is_hookimpl(d)), None)
                if marker is None:
                    continue
                hook = _specname(marker) or node.name
                place = self.where(path, node.lineno)
                if hook not in specs:
                    near = difflib.get_close_matches(hook, specs, n=1)
                    self.add(place, f"hookimpl {hook}: there is no such hook"
                                    + (f" (did you mean {near[0]}?)" if near else ""))
                    continue
                wanted = specs[hook]
                for argument in _arguments(node.args):
                    if argument not in wanted:
                        takes = f"takes {', '.join(wanted)}" if wanted else "takes no arguments"
                        self.add(place, f"hookimpl {hook}: the hook has no argument {argument!r} (it {takes})")

    # 4. Imports of core ---------------------------------------------------------------

    def _imports(self, trees: dict[Path, ast.Module]) -> None:
        for path, tree in trees.items():
            for line, name in forbidden_imports(tree):
                self.add(self.where(path, line), f"imports {name}: a plugin imports nothing of core but core.sdk, "
                                                 "and nothing of tenants")

    # 5. Tables and their migrations ---------------------------------------------------

    def _tables(self, package: Path, trees: dict[Path, ast.Module]) -> None:
        migrations = {p: t for p, t in trees.items() if "migrations" in p.relative_to(package).parts[:-1]}
        classes: dict[str, str] = {}
        tables = []
        for path, tree in trees.items():
            if path in migrations:
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef):
                    kind = _table_kind(node)
                    if kind:
                        tablename = _keyword(node.keywords, "tablename") or _camel_to_snake(node.name)
                        classes[node.name] = tablename
                        tables.append((path, node, kind, tablename))
        created = set()
        for path, tree in migrations.items():
            created.update(CREATE_TABLE.findall(path.read_text(encoding="utf-8", errors="replace")))
            for node in ast.walk(tree):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                    if node.func.attr == "add_table":
                        created.add(_keyword(node.keywords, "tablename"))
                    elif node.func.attr == "create_table" and isinstance(node.func.value, ast.Name):
                        created.add(classes.get(node.func.value.id))
        for path, node, kind, tablename in tables:
            place = self.where(path, node.lineno)
            if not tablename.startswith(f"{self.name}_"):
                self.add(place, f"table {tablename}: a plugin's table names start with its name and _ ({self.name}_…)")
            if kind == "table" and tablename not in self.province_tables:
                self.add(place, f"table {tablename}: derives from Table, not core.sdk.TenantOwned; only a table the "
                                "manifest lists in province_tables is not a district's")
            if tablename not in created:
                self.add(place, f"table {tablename}: no migration of the package creates it")

    # 6. Translations ------------------------------------------------------------------

    def _translations(self, package: Path, folder: Path) -> None:
        used: dict[tuple[str, str | None], str] = {}  # (msgid, context) → where it is first used
        try:
            extracted = list(extract_from_dir(str(package), MESSAGE_METHODS, MESSAGE_OPTIONS, MESSAGE_KEYWORDS,
                                              strip_comment_tags=True))
        except Exception as error:  # a template Babel cannot read: said once, the rest still checked
            self.add(self.where(package), f"messages could not be extracted: {error}")
            return
        for filename, line, message, _comments, context in extracted:
            msgid = message[0] if isinstance(message, tuple) else message
            if msgid and (msgid, context) not in used:
                used[(msgid, context)] = self.where(package / filename, line)
        for language, directory in (("zh-Hans", "zh_Hans"), ("en", "en")):
            path = folder / "locales" / directory / "LC_MESSAGES" / f"{self.name}.po"
            core = _core_translated(language)
            missing = [(key, at) for key, at in used.items() if key not in core]
            if not missing:
                continue
            place = self.where(path)
            if not path.is_file():
                (msgid, _context), at = missing[0]
                self.add(place, f"there is no {LANGUAGE_NAMES[language]} catalogue here, and {len(missing)} "
                                f"message(s) need it, the first {msgid!r} (at {at})")
                continue
            try:
                with path.open("rb") as po:
                    catalogue = read_po(po, locale=directory)
            except Exception as error:  # Babel raises several kinds for a broken catalogue
                self.add(place, f"not a readable catalogue: {error}")
                continue
            done = _translated(catalogue)
            for (msgid, context), at in missing:
                if (msgid, context) not in done:
                    self.add(place, f"no translation of {msgid!r} (used at {at})")

    # 7. Capabilities ------------------------------------------------------------------

    def _capabilities(self, trees: dict[Path, ast.Module]) -> None:
        needs, properties = _capability_of_method(), _capability_of_property()
        for path, tree in trees.items():
            for node in ast.walk(tree):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in needs:
                    used, capability = f"{node.func.attr}()", needs[node.func.attr]
                elif (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                      and node.attr in properties):
                    used, capability = f"{node.value.id}.{node.attr}", properties[node.attr]
                else:
                    continue
                if capability not in self.capabilities:
                    self.add(self.where(path, node.lineno),
                             f"{used} needs the capability {capability!r}, which the manifest does not declare")


# Reading Python by its syntax tree ---------------------------------------------------------


def forbidden_imports(tree: ast.AST) -> list[tuple[int, str]]:
    """The imports of core (other than core.sdk) and of tenants in a module: ``(line, name)``.
    A plugin reaches core only through the SDK."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] if node.module != "core" else [f"core.{a.name}" for a in node.names]
        else:
            continue
        for name in names:
            if name.split(".")[0] in ("core", "tenants") and name != "core.sdk":
                found.append((node.lineno, name))
    return found


def _is_hookimpl(decorator: ast.expr) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return (isinstance(target, ast.Name) and target.id == "hookimpl") or (
        isinstance(target, ast.Attribute) and target.attr == "hookimpl")


def _specname(decorator: ast.expr) -> str | None:
    """``@hookimpl(specname="…")`` implements the hook of that name."""
    return _keyword(decorator.keywords, "specname") if isinstance(decorator, ast.Call) else None


def _arguments(arguments: ast.arguments) -> list[str]:
    names = [a.arg for a in arguments.posonlyargs + arguments.args + arguments.kwonlyargs]
    names += [a.arg for a in (arguments.vararg, arguments.kwarg) if a is not None]
    return names


def _keyword(keywords: list[ast.keyword], name: str) -> str | None:
    for keyword in keywords:
        if keyword.arg == name and isinstance(keyword.value, ast.Constant) and isinstance(keyword.value.value, str):
            return keyword.value.value
    return None


def _table_kind(node: ast.ClassDef) -> str | None:
    """"tenant" for a class deriving from TenantOwned, "table" for one deriving from Piccolo's Table."""
    bases = [b for b in node.bases if isinstance(b, (ast.Name, ast.Attribute))]
    names = {b.id if isinstance(b, ast.Name) else b.attr for b in bases}
    if "TenantOwned" in names:
        return "tenant"
    return "table" if "Table" in names else None


def _camel_to_snake(name: str) -> str:
    """Piccolo's table name for a class that gives none."""
    from piccolo.utils.naming import _camel_to_snake as piccolo_name

    return piccolo_name(name)


# What core offers: hookspecs, the SDK's capabilities, core's translations -----------------


def _capability_of_method() -> dict[str, str]:
    """SDK method → the capability it requires, read from core/sdk.py (each method of
    ``Plugin`` that calls ``self.require("…")``), so that a new SDK method is covered."""
    return _capabilities_in_sdk()[0]


def _capability_of_property() -> dict[str, str]:
    """SDK property (``plugin.appointments``) → the capability it requires."""
    return _capabilities_in_sdk()[1]


@cache
def _capabilities_in_sdk() -> tuple[dict[str, str], dict[str, str]]:
    source = Path(importlib.util.find_spec("core.sdk").origin)
    tree = ast.parse(source.read_text(encoding="utf-8"))
    plugin = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Plugin")
    needs, properties = {}, {}
    for method in plugin.body:
        if not isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)) or method.name.startswith("_"):
            continue
        is_property = any(isinstance(d, ast.Name) and d.id == "property" for d in method.decorator_list)
        for node in ast.walk(method):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "require"
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "self" and node.args
                    and isinstance(node.args[0], ast.Constant)):
                (properties if is_property else needs)[method.name] = node.args[0].value
                break
    return needs, properties


def _translated(catalogue: Catalog) -> set[tuple[str, str | None]]:
    """The (msgid, context) a catalogue translates: a non-empty msgstr, not fuzzy (a fuzzy
    entry is left out when the catalogue is compiled)."""
    done = set()
    for message in catalogue:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.id and not message.fuzzy and all(strings):
            done.add((message.id[0] if isinstance(message.id, tuple) else message.id, message.context))
    return done


@cache
def _core_translated(language: str) -> frozenset[tuple[str, str | None]]:
    """What core's own catalogue translates: a plugin's messages are looked up after core's."""
    path = i18n.catalogue_path(language)
    if not path.is_file():
        return frozenset()
    with path.open("rb") as po:
        return frozenset(_translated(read_po(po)))
