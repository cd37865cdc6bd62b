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


# Inside indexer, each part may import only those before it (the search interface, at the top, uses them all).
INDEXER_LAYERS = ("language", "engine", "storage", "admin")
MAX_MODULES = 15  # in one folder
MAX_FUNCTION_LINES = 80


def modules():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            yield package, path


def imported(path) -> set[str]:
    """The top-level packages ``path`` imports (relative imports resolved), not those imported for types."""
    return {name.split(".")[0] for name in _modules_imported(path)}


def _modules_imported(path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    typing_only = {
        id(n) for node in ast.walk(tree) if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for n in ast.walk(node)
    }  # fmt: skip
    names = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            names.update([module] if node.module else [f"{module}.{a.name}" for a in node.names])
    return names


@pytest.mark.parametrize(("package", "path"), list(modules()), ids=lambda x: getattr(x, "name", x))
def test_layers_have_no_back_edges_and_modules_stay_small(package, path):
    names = imported(path)
    ours = names & set(PACKAGES) - {package}
    assert ours <= ALLOWED[package], f"{path.relative_to(ROOT)} imports {sorted(ours - ALLOWED[package])}"
    for library, owners in OWNERS.items():
        assert library not in names or package in owners, f"{path.relative_to(ROOT)} imports {library}"
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 400, f"{path.relative_to(ROOT)} is over 400 lines"


@pytest.mark.parametrize("path", sorted((ROOT / "indexer").rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_indexer_s_parts_import_only_those_before_them(path):
    parts = path.relative_to(ROOT / "indexer").parts
    if len(parts) < 2:
        return  # the search interface and the package's face compose the parts
    own = INDEXER_LAYERS.index(parts[0])
    for module in _modules_imported(path):
        names = module.split(".")
        if names[0] == "indexer" and len(names) > 1 and names[1] in INDEXER_LAYERS:
            assert INDEXER_LAYERS.index(names[1]) <= own, f"indexer/{'/'.join(parts)} imports {module}"


def test_no_folder_holds_more_than_fifteen_modules():
    folders = {p.parent for p in ROOT.rglob("*.py") if not {".git", "var"} & set(p.parts)}
    crowded = {str(f.relative_to(ROOT)): n for f in folders if (n := len(list(f.glob("*.py")))) > MAX_MODULES}
    assert not crowded, f"folders of more than {MAX_MODULES} modules: {crowded}"


def test_no_function_is_longer_than_a_screen():
    long = []
    for path in ROOT.rglob("*.py"):
        if {".git", "var"} & set(path.parts):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(ROOT)}:{node.name} ({lines} lines)")
    assert not long, long


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
