"""Each first-party plugin's catalogues hold every message its code and templates use, and
zh-Hans translates each, keeping its placeholders."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

PLUGINS = Path(__file__).resolve().parents[2] / "plugins"
FIRST_PARTY = sorted(folder.name for folder in PLUGINS.iterdir() if (folder / "manifest.toml").is_file())


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"%\(\w+\)[sd]", text))


@pytest.mark.parametrize("name", FIRST_PARTY)
def test_a_plugins_catalogues_translate_every_message(name, tmp_path):
    config = tmp_path / "babel.cfg"
    config.write_text("[python: **.py]\n[jinja2: templates/**.html]\nextensions = jinja2.ext.i18n\n")
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", str(config), "-k", "Message",
                    "-k", "N_", "-o", str(pot), str(PLUGINS / name)], check=True, capture_output=True)
    with pot.open("rb") as handle:
        wanted = {message.id for message in read_po(handle) if message.id}
    # A plugin with pages has many messages; one still without pages, a few (the extraction works).
    assert len(wanted) > (20 if (PLUGINS / name / "templates").is_dir() else 0)
    for language in ("en", "zh_Hans"):
        with (PLUGINS / name / "locales" / language / "LC_MESSAGES" / f"{name}.po").open("rb") as handle:
            catalogue = {m.id: m.string for m in read_po(handle) if m.id and not m.fuzzy}
        missing = sorted(msgid for msgid in wanted if not catalogue.get(msgid))
        assert not missing, f"{name}'s {language} catalogue does not translate {missing}"
        for msgid in wanted:
            assert _placeholders(catalogue[msgid]) == _placeholders(msgid), (name, language, msgid)
