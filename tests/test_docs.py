"""The README documents every command and every setting the code reads."""

from __future__ import annotations

import re

from conftest import ROOT

from bulletin.cli import main


def test_every_command_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in main.commands:
        assert f"`bulletin {name}" in readme, name


def test_every_setting_is_documented():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    docs = readme + "".join(p.read_text(encoding="utf-8") for p in (ROOT / "docs").glob("*.md"))
    code = "".join(p.read_text(encoding="utf-8") for p in ROOT.glob("[abiw]*/*.py"))
    settings = set(re.findall(r"\bBULLETIN_[A-Z_]+\b", code))
    assert settings >= {"BULLETIN_CORPUS", "BULLETIN_INDEX", "BULLETIN_ADMIN_TOKEN", "BULLETIN_MAX_UPLOAD"}
    for setting in settings:
        assert setting in docs, setting
