"""The catalogues: every message in the code and templates is in both, and translated in both."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from core import i18n
from core.config import PROJECT_ROOT


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "zh-Hans"),
        ("", "zh-Hans"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh-Hans"),
        ("en-US,en;q=0.9", "en"),
        ("en;q=0.5, zh;q=0.9", "zh-Hans"),
        ("zh-TW, en;q=0.3", "en"),
        ("fr-FR", "zh-Hans"),
        ("en;q=abc", "zh-Hans"),
    ],
)
def test_negotiate(header, expected):
    assert i18n.negotiate(header) == expected


def test_gettext_follows_the_current_language():
    token = i18n.set_language("en")
    try:
        assert i18n.gettext("This field is required.") == "This field is required."
    finally:
        i18n.reset_language(token)
    token = i18n.set_language("zh-Hans")
    try:
        assert i18n.gettext("This field is required.") == "此项必填。"
        assert i18n.gettext("Must be exactly %(length)d digits.", length=6) == "必须是 6 位数字。"
    finally:
        i18n.reset_language(token)


def test_message_is_translated_when_shown():
    message = i18n.Message("This field is required.")
    token = i18n.set_language("zh-Hans")
    try:
        assert str(message) == "此项必填。"
    finally:
        i18n.reset_language(token)


def _extracted_ids(tmp_path) -> set[str]:
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
         "-k", "Message", "-k", "N_", "-o", str(pot), "."],
        cwd=PROJECT_ROOT, check=True, capture_output=True,
    )
    with pot.open("rb") as handle:
        return {message.id for message in read_po(handle) if message.id}


def _placeholders(text: str | tuple) -> set[str]:
    texts = text if isinstance(text, tuple) else (text,)
    return {found for item in texts for found in re.findall(r"%\(\w+\)[sd]", item)}


def _translated(string: str | tuple) -> bool:
    return any(string) if isinstance(string, tuple) else bool(string)


def test_catalogues_hold_every_message_and_zh_hans_translates_each(tmp_path):
    wanted = _extracted_ids(tmp_path)
    assert len(wanted) > 20
    for language in i18n.LANGUAGES:
        with i18n.catalogue_path(language).open("rb") as handle:
            catalogue = {m.id: m.string for m in read_po(handle) if m.id}
        missing = wanted - set(catalogue)
        assert not missing, f"{language} catalogue lacks {sorted(map(str, missing))} (run `make messages`)"
        untranslated = sorted(str(msgid) for msgid in wanted if not _translated(catalogue[msgid]))
        assert not untranslated, f"{language} has no translation for {untranslated} (run `make messages`)"
        for msgid in wanted:
            if _translated(catalogue[msgid]):
                assert _placeholders(catalogue[msgid]) == _placeholders(msgid), msgid


def test_on_a_plugins_pages_its_own_catalogue_answers_first():
    """Two plugins translate one word each their own way ("Why": the reasons for collecting
    data; the reason for a green channel); on each one's pages its own translation wins."""
    import plugins

    added = [name for name in ("mental_health", "legal_aid") if name not in i18n._PLUGIN_CATALOGUES]
    for name in added:
        i18n.add_catalogues(name, Path(plugins.__file__).parent / name / "locales")
    token = i18n.set_language("zh-Hans")
    try:
        for plugin, expected in (("mental_health", "为什么收集"), ("legal_aid", "原因")):
            plugin_token = i18n.set_plugin(plugin)
            try:
                assert i18n.gettext("Why") == expected
            finally:
                i18n.reset_plugin(plugin_token)
    finally:
        i18n.reset_language(token)
        for name in added:
            i18n.remove_catalogues(name)
