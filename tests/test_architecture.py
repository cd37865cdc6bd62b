"""The shape of the code: layers without back-edges, small modules, and one declaration per concept."""

from __future__ import annotations

import ast

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner
from conftest import ROOT

from bulletin.cli import main
from indexer import FACETS, FILTER_FACETS, PARAMS

PACKAGES = ("archive", "indexer", "api", "web", "bulletin")
# What each package may import of ours.
ALLOWED = {
    "archive": set(),
    "indexer": {"archive"},
    "api": {"archive", "indexer"},
    "web": {"archive", "indexer"},
    "bulletin": {"archive", "indexer", "api", "web"},
}
# Third-party packages only one layer may use.
OWNERS = {"whoosh": {"indexer"}, "jieba": {"indexer"}, "falcon": {"api", "web", "bulletin"}}


def modules():
    for package in PACKAGES:
        for path in sorted((ROOT / package).glob("*.py")):
            yield package, path


def imported(path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize(("package", "path"), list(modules()), ids=lambda x: getattr(x, "name", x))
def test_layers_have_no_back_edges_and_modules_stay_small(package, path):
    names = imported(path)
    ours = names & set(PACKAGES) - {package}
    assert ours <= ALLOWED[package], f"{path.relative_to(ROOT)} imports {sorted(ours - ALLOWED[package])}"
    for library, owners in OWNERS.items():
        assert library not in names or package in owners, f"{path.relative_to(ROOT)} imports {library}"
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 400, f"{path.relative_to(ROOT)} is over 400 lines"


def test_every_declared_facet_reaches_the_api_document_the_page_and_the_cli(client, openapi):
    search = openapi["paths"]["/api/search"]["get"]
    assert [p["name"] for p in search["parameters"]] == [p.name for p in PARAMS]
    facet_schema = openapi["components"]["schemas"]["SearchResult"]["properties"]["facets"]["properties"]
    assert list(facet_schema) == [f.name for f in FACETS]

    body = client.simulate_get("/api/search", params={"q": "执法"}).json
    assert list(body["facets"]) == [f.name for f in FACETS]

    soup = BeautifulSoup(client.simulate_get("/search", params={"q": "执法"}).text, "html.parser")
    assert [h.get_text() for h in soup.select(".facets h2")] == [f.label for f in FACETS]
    for facet in FILTER_FACETS:
        assert soup.select_one(f'form.filters [name="{facet.name}"]') is not None, facet.name

    help_text = CliRunner().invoke(main, ["search", "--help"]).output
    for facet in FILTER_FACETS:
        assert f"--{facet.name}" in help_text
