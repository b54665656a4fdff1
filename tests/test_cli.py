"""The `dieuhanh` command speaks Vietnamese: its list of commands and each command's own help.

Django activates no language for a management command, so gettext answers in LANGUAGE_CODE: `vi`
unless DIEUHANH_LANGUAGE says otherwise. The console tests run the command as an operator would.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import get_commands, load_command_class
from django.utils import translation

OWN = sorted(name for name, app in get_commands().items() if app.startswith("dieuhanh."))
# What argparse and Django write in English unless told otherwise.
MACHINERY = (
    "usage:",
    "options:",
    "positional arguments",
    "show this help message",
    "Show program's version",
    "Verbosity level",
    "--settings",
    "--pythonpath",
    "Display a full stack trace",
    "colorize",
    "Skip system checks",
)


def run(*args: str, tmp_path: Path, language: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("DIEUHANH_")}
    env["DIEUHANH_HOME"] = str(tmp_path)
    if language:
        env["DIEUHANH_LANGUAGE"] = language
    return subprocess.run(  # noqa: S603 - the product's own command
        [sys.executable, "-m", "dieuhanh", *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def dieuhanh(*args: str, tmp_path: Path, language: str | None = None) -> str:
    done = run(*args, tmp_path=tmp_path, language=language)
    assert done.returncode == 0, done.stderr
    return done.stdout


def parsers(name: str) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    """A command's parser, and those of its subcommands (`directives extract`)."""
    parser = load_command_class(get_commands()[name], name).create_parser("dieuhanh", name)
    yield name, parser
    for action in parser._actions:  # argparse lists subcommands nowhere else
        if isinstance(action, argparse._SubParsersAction):
            for sub, subparser in action.choices.items():
                yield f"{name} {sub}", subparser


def english_texts(parser: argparse.ArgumentParser) -> list[str]:
    """The description and every argument's help, as the source writes them (English)."""
    texts = [str(parser.description or "")]
    texts += [str(a.help) for a in parser._actions if a.help and a.help != argparse.SUPPRESS]
    return [t for t in texts if t]


def test_the_list_of_commands_is_vietnamese(tmp_path: Path) -> None:
    shown = dieuhanh("--help", tmp_path=tmp_path)

    assert "Cách dùng: dieuhanh <lệnh>" in shown
    assert "load-metadata" in shown  # written as typed, with a hyphen
    assert "Viết báo cáo tình hình kinh tế - xã hội" in shown
    assert "Nhập số liệu" in shown
    assert "Available subcommands" not in shown
    assert "Type 'dieuhanh help" not in shown


def test_a_commands_help_is_vietnamese_and_english_when_asked(tmp_path: Path) -> None:
    vietnamese = dieuhanh("report", "--help", tmp_path=tmp_path)
    english = dieuhanh("report", "--help", tmp_path=tmp_path, language="en")

    assert "cách dùng: dieuhanh report" in vietnamese
    assert "Viết báo cáo tình hình kinh tế - xã hội" in vietnamese
    assert "Mã đơn vị" in vietnamese
    assert [text for text in MACHINERY if text in vietnamese] == []
    assert "Write the socio-economic report" in english


@pytest.mark.parametrize("asked", [[], ["--help"], ["help"]])
def test_the_list_names_every_command_of_the_product_hyphenated_in_vietnamese_before_djangos(
    asked: list[str], tmp_path: Path
) -> None:
    commands = {name: load_command_class(get_commands()[name], name) for name in OWN}
    with translation.override("en"):
        english = {name.replace("_", "-"): str(command.help) for name, command in commands.items()}
    with translation.override("vi"):
        vietnamese = {name.replace("_", "-"): str(command.help) for name, command in commands.items()}

    shown = dieuhanh(*asked, tmp_path=tmp_path)

    # A command's line: two spaces, its name, its description (wrapped lines are indented further).
    listed = re.findall(r"^  (\S+) +(.*)$", shown, flags=re.MULTILINE)
    assert sorted(name for name, _description in listed) == sorted(english)
    assert "load-metadata" in dict(listed)
    for name, description in listed:
        assert vietnamese[name] != english[name], name  # translated, not left in English
        assert vietnamese[name].startswith(description), name
    last_command = max(shown.index(f"  {name} ") for name, _description in listed)
    assert shown.index("Django") > last_command


def test_a_command_is_named_with_its_hyphen_in_its_own_help(tmp_path: Path) -> None:
    shown = dieuhanh("load-metadata", "--help", tmp_path=tmp_path)

    assert "cách dùng: dieuhanh load-metadata" in shown
    assert "load_metadata" not in shown
    assert dieuhanh("help", "load-metadata", tmp_path=tmp_path) == shown


def test_a_mistyped_command_is_answered_in_vietnamese_with_the_nearest_one(tmp_path: Path) -> None:
    done = run("lode-metadata", "catalogue.yaml", tmp_path=tmp_path)

    assert done.returncode == 1
    assert "Không có lệnh “lode-metadata”" in done.stderr
    assert "dieuhanh load-metadata" in done.stderr
    assert "dieuhanh --help" in done.stderr
    assert "Unknown command" not in done.stderr


@pytest.mark.parametrize("name", OWN)
def test_every_help_text_of_the_projects_commands_is_translated(name: str) -> None:
    with translation.override("en"):
        english = {label: english_texts(parser) for label, parser in parsers(name)}
    with translation.override("vi"):
        shown_by_label = {label: parser.format_help() for label, parser in parsers(name)}

    for label, shown in shown_by_label.items():
        assert [text for text in MACHINERY if text in shown] == [], label
        # Compared on the first words: argparse wraps long lines.
        flat = " ".join(shown.split())
        assert [text for text in english[label] if " ".join(text.split()[:4]) in flat] == [], label
