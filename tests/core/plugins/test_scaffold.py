"""``gongzhi plugin new`` and ``gongzhi plugin build``, run as a plugin author runs them: the
scaffolded package is a plugin the host accepts, imports only the SDK, and passes its own
tests once its wheel is installed in a throwaway environment (never this test run's own)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import sysconfig
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from core.plugins import manifest
from core.plugins.checks import check
from tests.core.plugins import test_sdk_boundary

GONGZHI = [sys.executable, "-m", "core.cli"]
FILES = [
    "pyproject.toml", "README.md", "tests/test_notes.py",
    "gongzhi_notes/__init__.py", "gongzhi_notes/manifest.toml", "gongzhi_notes/handle.py",
    "gongzhi_notes/plugin.py", "gongzhi_notes/routes.py", "gongzhi_notes/services.py", "gongzhi_notes/tables.py",
    "gongzhi_notes/piccolo_app.py", "gongzhi_notes/migrations/__init__.py",
    "gongzhi_notes/migrations/notes_2026_01_01t00_00_00_000000.py", "gongzhi_notes/templates/index.html",
    "gongzhi_notes/locales/zh_Hans/LC_MESSAGES/notes.po", "gongzhi_notes/locales/en/LC_MESSAGES/notes.po",
]


def clean_env(tmp: Path) -> dict[str, str]:
    """This run's environment without its Gongzhi settings, speaking English."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGZHI_")}
    env.update(LANG="en_US.UTF-8", TMPDIR=str(tmp))
    env.pop("LC_ALL", None)
    env.pop("LC_MESSAGES", None)
    return env


def run(args: list[str], tmp: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(GONGZHI + args, env=clean_env(tmp), capture_output=True, text=True, timeout=timeout)


def new(name: str, parent: Path) -> subprocess.CompletedProcess:
    return run(["plugin", "new", name, "--dir", str(parent)], parent)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """A scaffolded ``notes`` plugin, and ``gongzhi plugin build`` run on it (slow: pip builds it)."""
    parent = tmp_path_factory.mktemp("built")
    assert new("notes", parent).returncode == 0
    folder = parent / "gongzhi-notes"
    return folder, run(["plugin", "build", str(folder)], parent, timeout=300)


@pytest.mark.sqlite
def test_new_makes_a_plugin_package_the_host_would_accept(tmp_path):
    made = new("notes", tmp_path)
    assert made.returncode == 0, made.stderr
    folder = tmp_path / "gongzhi-notes"
    assert str(folder) in made.stdout
    assert [name for name in FILES if not (folder / name).is_file()] == []

    found = manifest.load(folder / "gongzhi_notes")
    assert (found.name, found.version, found.core, found.capabilities) == ("notes", "0.1.0", ">=1.0,<2", ())
    assert found.supports_core()
    assert found.title.en and found.title.zh and found.description.en and found.description.zh

    project = tomllib.loads((folder / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["name"] == "gongzhi-notes" and project["project"]["version"] == found.version
    assert project["project"]["entry-points"]["gongzhi.plugins"] == {"notes": "gongzhi_notes.plugin"}
    assert project["tool"]["pytest"]["ini_options"]["asyncio_mode"] == "auto"
    assert project["tool"]["pytest"]["ini_options"]["asyncio_default_fixture_loop_scope"] == "session"

    migration = (folder / "gongzhi_notes/migrations/notes_2026_01_01t00_00_00_000000.py").read_text(encoding="utf-8")
    assert 'app_name="notes"' in migration and 'tablename="notes_note"' in migration
    assert "$" not in "".join(path.read_text(encoding="utf-8") for path in folder.rglob("*") if path.is_file()), \
        "every placeholder is filled"

    # Both catalogues hold the same messages, every one translated.
    catalogues = {}
    for language in ("zh_Hans", "en"):
        with (folder / f"gongzhi_notes/locales/{language}/LC_MESSAGES/notes.po").open("rb") as po:
            catalogues[language] = {m.id: m.string for m in read_po(po, locale=language) if m.id}
    assert catalogues["zh_Hans"].keys() == catalogues["en"].keys() and catalogues["en"]
    assert all(catalogues["zh_Hans"].values()) and all(catalogues["en"].values())


@pytest.mark.sqlite
def test_the_scaffold_imports_nothing_of_core_but_the_sdk_and_passes_the_check(tmp_path, monkeypatch):
    assert new("bike_repair", tmp_path).returncode == 0
    folder = tmp_path / "gongzhi-bike-repair"
    monkeypatch.setattr(test_sdk_boundary, "ROOT", folder)  # where offences are named from
    sources = list(folder.rglob("*.py"))
    assert any(path.name == "plugin.py" for path in sources)
    assert [offence for path in sources for offence in test_sdk_boundary._offences(path)] == []
    assert 'Plugin("bike_repair")' in (folder / "gongzhi_bike_repair/handle.py").read_text(encoding="utf-8")
    assert check(folder) == []


@pytest.mark.sqlite
@pytest.mark.parametrize("name", ["Notes", "bike-repair", "1notes", "n", "notes!", "x" * 41])
def test_a_name_that_is_not_a_plugin_name_is_refused(tmp_path, name):
    made = new(name, tmp_path)
    assert made.returncode == 1
    assert "is not a plugin name" in made.stderr
    assert list(tmp_path.iterdir()) == [], "nothing is written"


@pytest.mark.sqlite
def test_an_existing_folder_is_refused_unless_it_is_empty(tmp_path):
    folder = tmp_path / "gongzhi-notes"
    folder.mkdir()
    (folder / "mine.txt").write_text("an author's file")
    made = new("notes", tmp_path)
    assert made.returncode == 1
    assert "already exists" in made.stderr and str(folder) in made.stderr
    assert [path.name for path in folder.iterdir()] == ["mine.txt"]

    (folder / "mine.txt").unlink()
    assert new("notes", tmp_path).returncode == 0
    assert (folder / "gongzhi_notes/manifest.toml").is_file()


@pytest.mark.sqlite
@pytest.mark.slow
def test_build_makes_the_wheel_and_prints_its_sha256(built, tmp_path):
    folder, result = built
    assert result.returncode == 0, result.stderr
    path, digest = result.stdout.strip().splitlines()
    wheel = Path(path)
    assert wheel.parent == folder / "dist" and wheel.is_file()
    assert wheel.name.startswith("gongzhi_notes-0.1.0-") and wheel.suffix == ".whl"
    assert digest == "sha256 " + hashlib.sha256(wheel.read_bytes()).hexdigest()
    assert check(wheel) == []

    elsewhere = run(["plugin", "build", str(folder), "--out", str(tmp_path / "out")], tmp_path, timeout=300)
    assert elsewhere.returncode == 0, elsewhere.stderr
    assert Path(elsewhere.stdout.splitlines()[0]).parent == tmp_path / "out"


@pytest.mark.sqlite
def test_build_refuses_a_folder_without_pyproject(tmp_path):
    result = run(["plugin", "build", str(tmp_path)], tmp_path)
    assert result.returncode == 1
    assert "has no pyproject.toml" in result.stderr
    assert not (tmp_path / "dist").exists()


def _throwaway_environment(where: Path) -> Path:
    """A virtual environment of its own that sees this run's packages (Gongzhi, pytest…)
    behind its own: what is installed in it stays in it."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True, timeout=60)
    python = where / "bin" / "python"
    own = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                         check=True, capture_output=True, text=True).stdout.strip()
    ours = sorted({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]})
    # addsitedir, not a bare path: this run's own .pth files (editable installs) are read too.
    (Path(own) / "gongzhi_test_run.pth").write_text(
        "".join(f"import site; site.addsitedir({path!r})\n" for path in ours), encoding="utf-8")
    return python


@pytest.mark.sqlite
@pytest.mark.slow
def test_the_scaffolded_plugin_passes_its_own_tests_installed_from_its_wheel(built, tmp_path):
    folder, result = built
    assert result.returncode == 0, result.stderr
    wheel = result.stdout.splitlines()[0]
    python = _throwaway_environment(tmp_path / "env")
    env = clean_env(tmp_path)
    installed = subprocess.run([str(python), "-m", "pip", "install", "--no-deps", "--no-index", wheel],
                               env=env, capture_output=True, text=True, timeout=120)
    assert installed.returncode == 0, installed.stdout + installed.stderr

    # Run from elsewhere, so the package is the installed wheel's, not the source folder's.
    elsewhere = tmp_path / "run"
    elsewhere.mkdir()
    tests = subprocess.run([str(python), "-m", "pytest", str(folder / "tests"), "-c", str(folder / "pyproject.toml"),
                            "-q", "-p", "no:cacheprovider"], cwd=elsewhere, env={**env, "GONGZHI_TEST_DB": "sqlite"},
                           capture_output=True, text=True, timeout=300)
    assert tests.returncode == 0, tests.stdout[-4000:] + tests.stderr[-2000:]
    assert "6 passed" in tests.stdout
    with pytest.raises(metadata.PackageNotFoundError):
        metadata.distribution("gongzhi-notes")  # this run's own environment is untouched
