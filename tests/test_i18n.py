"""The English catalog is complete and keeps every placeholder.

To update the catalog after changing user-facing text, run ``make extract-messages``
(pybabel extract + ``pybabel update --no-fuzzy-matching``), translate every new empty
``msgstr`` in crm/translations/en/LC_MESSAGES/messages.po, then ``make translations`` to compile.
Strings passed to ``_()`` only at runtime (role and setting labels) are listed in
crm/translations/dynamic_msgids.py so extraction keeps them.

This test reads the .po file only; it does not re-extract from source (too slow).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

PO_PATH = Path(__file__).resolve().parent.parent / "crm/translations/en/LC_MESSAGES/messages.po"
PLACEHOLDER_RE = re.compile(r"%\([^)]+\)[a-z]")


@pytest.fixture(scope="module")
def messages():
    with PO_PATH.open("rb") as handle:
        catalog = read_po(handle)
    # The header entry has an empty msgid; obsolete entries are not iterated.
    return [message for message in catalog if message.id]


def _ids(message) -> list[str]:
    return list(message.id) if message.pluralizable else [message.id]


def _strings(message) -> list[str]:
    return list(message.string) if message.pluralizable else [message.string]


def test_catalog_is_not_empty(messages):
    assert messages, f"no messages in {PO_PATH}"


def test_every_message_is_translated(messages):
    untranslated = [_ids(m)[0] for m in messages if not all(s and s.strip() for s in _strings(m))]
    assert not untranslated, "untranslated msgids in messages.po:\n" + "\n".join(untranslated)


def test_no_fuzzy_translations(messages):
    fuzzy = [_ids(m)[0] for m in messages if m.fuzzy]
    assert not fuzzy, "fuzzy entries in messages.po:\n" + "\n".join(fuzzy)


def test_placeholders_survive_translation(messages):
    problems = []
    for message in messages:
        # For plurals, only placeholders used in both the singular and plural msgid are required
        # (English "one item" may legitimately drop %(num)d).
        wanted = set.intersection(*(set(PLACEHOLDER_RE.findall(msgid)) for msgid in _ids(message)))
        for msgstr in _strings(message):
            missing = wanted - set(PLACEHOLDER_RE.findall(msgstr or ""))
            if missing:
                problems.append(f"{_ids(message)[0]!r} → {msgstr!r}: missing {sorted(missing)}")
    assert not problems, "placeholders lost in translation:\n" + "\n".join(problems)


def test_stored_vocabulary_has_english(messages):
    """Words kept in the database and shown through ``|label`` (dynamic msgids) are translated."""
    from crm.enterprises.models import LABELS, OWNERSHIPS, TIERS
    from crm.projects.models import PROJECT_TYPES
    from crm.projects.stages import DEFAULT_LABELS
    from crm.targets.models import ACTIVITY_KINDS, ATTRACTION_MODES, TARGET_STATUSES

    translated = {m.id for m in messages if not m.pluralizable and m.string}
    words = {
        *ATTRACTION_MODES,
        *TARGET_STATUSES.values(),
        *ACTIVITY_KINDS.values(),
        *LABELS,
        *TIERS,
        *OWNERSHIPS,
        *PROJECT_TYPES.values(),
        *DEFAULT_LABELS.values(),
    }
    assert sorted(words - translated) == []


def test_setting_labels_have_english(messages):
    """Every rule setting's label (shown through ``_(definition.label)``) is translated."""
    import crm.areas  # noqa: F401 — every area defines its settings on import
    from crm.core.settings import REGISTRY

    translated = {m.id for m in messages if not m.pluralizable and m.string}
    assert len(REGISTRY) > 10
    assert sorted(d.label for d in REGISTRY.values() if str(d.label) not in translated) == []


def test_counts_use_plural_forms(app):
    """ "1 day in stage", not "1 days in stage": counted phrases go through ngettext."""
    from flask import render_template_string
    from flask_babel import force_locale

    template = "{{ ngettext('本阶段 %(num)s 天', '本阶段 %(num)s 天', n) }}"
    with app.test_request_context(), force_locale("en"):
        assert render_template_string(template, n=1) == "1 day in stage"
        assert render_template_string(template, n=3) == "3 days in stage"
    with app.test_request_context(), force_locale("zh_CN"):
        assert render_template_string(template, n=1) == "本阶段 1 天"


def test_english_po_has_no_chinese_punctuation_or_words(messages):
    """An English msgstr never keeps Chinese text (a mixed line like "Counting basis: 签约")."""
    han = re.compile(r"[\u3400-\u9fff]")
    # import messages that must quote the Chinese word a spreadsheet cell should hold
    file_words = {
        "“%(text)s”应填写“是”或“否”",
        "项目类型“%(text)s”应为“新引进”或“增资扩产”",
        "优先级“%(text)s”无法识别，请填写 A、B、C（或 高、中、低）",
    }
    mixed = [
        m.id
        for m in messages
        for s in _strings(m)
        if s and han.search(s) and m.id not in file_words
    ]
    assert mixed == []
