"""The NL/EN message catalogue: complete, consistent, and forgiving at run time."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from welfare.i18n import DEFAULT_LANG, MESSAGES, md_escape, resolve_lang, t
from welfare.types import LANGS

REPO = Path(__file__).resolve().parent.parent
USERS = [REPO / "app.py", *sorted((REPO / "pages").glob("*.py")), REPO / "welfare" / "status.py"]


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_key_has_nonempty_dutch_and_english(key: str) -> None:
    entry = MESSAGES[key]
    assert set(entry) == set(LANGS), f"{key}: languages {sorted(entry)}"
    for lang in LANGS:
        assert isinstance(entry[lang], str) and entry[lang].strip(), f"{key}: empty {lang}"


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_dutch_and_english_use_the_same_fields(key: str) -> None:
    assert _fields(MESSAGES[key]["nl"]) == _fields(MESSAGES[key]["en"]), key


def test_every_key_used_in_the_code_exists() -> None:
    used: set[str] = set()
    for path in USERS:
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"""\bt\(\s*["']([a-z_]+\.[a-z_.]+)["']""", text))
    # keys built at run time
    used |= {f"summary.source_{kind}" for kind in ("folder", "cbs")}
    used |= {f"summary.source_{kind}_short" for kind in ("folder", "cbs")}
    missing = sorted(used - set(MESSAGES))
    assert not missing, f"keys used but not in MESSAGES: {missing}"
    assert len(used) > 20  # the scan found the calls


@pytest.mark.parametrize("lang", ["fr", "", "EN", "nl-NL"])
def test_unknown_language_falls_back_to_dutch(lang: str) -> None:
    assert t("status.title", lang) == MESSAGES["status.title"][DEFAULT_LANG]
    assert t("build.step", lang, step=1, total=2, table="T", message="m") == "Stap 1 van 2: T — m"


def test_english() -> None:
    assert t("status.title", "en") == "Data status"
    assert t("build.failed", "en", error="boom") == "The data warehouse could not be built: boom"


def test_unknown_key_and_missing_field_do_not_raise() -> None:
    assert t("no.such.key", "nl") == "no.such.key"
    assert t("build.step", "nl", step=1) == "Stap 1 van {total}: {table} — {message}"
    assert t("status.title", "nl", unused="x") == "Status van de gegevens"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, ("nl", None)),
        ("", ("nl", None)),
        ("nl", ("nl", None)),
        ("en", ("en", None)),
        (["xx", "en"], ("en", None)),
        ([], ("nl", None)),
        ("xx", ("nl", "xx")),
        ("EN", ("nl", "EN")),
        ("<script>alert(1)</script>", ("nl", "scriptalert1_scr")),
        ("*" * 40, ("nl", "?")),
    ],
)
def test_resolve_lang(raw: object, expected: tuple[str, str | None]) -> None:
    assert resolve_lang(raw) == expected


def test_md_escape_neutralises_markdown_and_latex() -> None:
    assert md_escape("Tevreden_8 *x* $y$ [a](b)") == r"Tevreden\_8 \*x\* \$y\$ \[a\]\(b\)"
    assert md_escape("/data/cbs") == "/data/cbs"
