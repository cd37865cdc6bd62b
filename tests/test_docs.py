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


def test_the_lock_pins_every_dependency_and_the_readme_uses_it():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = _pinned(ROOT / "requirements" / "runtime.txt")
    test = _pinned(ROOT / "requirements" / "test.txt")
    for requirement in project["dependencies"]:
        name = _name(requirement)
        assert name in runtime and name in test, name
    for extra in ("test", "ocr"):  # the tests read scans for real
        for requirement in project["optional-dependencies"][extra]:
            assert _name(requirement) in test, requirement
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "pip install -r requirements/runtime.txt -e . && bulletin serve" in readme
    assert "pip install -r requirements/test.txt -e '.[test,ocr]' && python3 -m pytest" in readme
    assert "requirements/test.txt" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].lower().replace("_", "-").replace(".", "-")


def _pinned(path) -> dict[str, str]:
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==", 1)
            pins[_name(name.strip())] = version.strip()
    return pins


def test_every_reading_limit_is_documented_with_its_value():
    from dataclasses import fields

    from archive.limits import LIMITS, MB

    doc = (ROOT / "docs" / "archive.md").read_text(encoding="utf-8")
    for limit in fields(LIMITS):
        value = getattr(LIMITS, limit.name)
        shown = f"{value // MB} MB" if limit.name.endswith("bytes") else str(value)
        assert f"| `{limit.name}` | {shown} |" in doc, limit.name


def test_the_export_and_feed_sizes_in_the_readme_are_the_codes():
    from web.exports import EXPORT_LIMIT, FEED_SIZE

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"every result up to {EXPORT_LIMIT:,}" in readme
    assert f"newest {FEED_SIZE}," in readme


def test_the_shipped_word_lists_explain_themselves_in_chinese():
    """Staff edit these files (seeded into the data folder): each says what it is for, in Chinese."""
    for path in sorted((ROOT / "indexer" / "data").glob("*.txt")):
        comments = [line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("#")]
        assert comments, f"{path.name} has no header"
        for line in comments:
            assert re.search(r"[\u4e00-\u9fff]", line), (path.name, line)
            assert not re.search(r"[A-Za-z]+ [A-Za-z]+ [A-Za-z]+", line), (path.name, line)
