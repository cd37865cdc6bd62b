"""`bulletin verify` finds every way corpus and index can disagree, and `--repair` mends them from the corpus."""

from __future__ import annotations

from click.testing import CliRunner
from conftest import variant_of_seed

from bulletin.cli import main
from indexer import repair, verify


def test_agreeing_corpus_and_index_verify_clean(fresh):
    corpus, index = fresh
    report = verify(corpus, index)
    assert report.ok and report.files == 5 and report.indexed == 5 and report.recovered is None
    result = CliRunner().invoke(main, ["verify", "--corpus", str(corpus), "--index", str(index)])
    assert result.exit_code == 0 and "一致：语料库 5 个文件，索引 5 期" in result.output


def test_each_disagreement_is_reported_and_repair_mends_them_from_the_corpus(fresh):
    corpus, index = fresh
    seed = corpus / "2017" / "2017-06.md"
    seed.write_bytes(seed.read_bytes() + "\n补记一段。\n".encode())  # edited by hand
    removed = next(corpus.rglob("2018-03.*"))
    removed.unlink()  # deleted by hand
    added = corpus / "2020" / "2020-05.md"
    added.parent.mkdir()
    added.write_bytes(variant_of_seed(2020, 5))  # copied in by hand, never ingested
    stray = corpus / "2017" / ".2017-06.md.x1y2.tmp"
    stray.write_bytes(b"half")  # what a killed write of an older version left

    report = verify(corpus, index)
    kinds = {(p.kind, p.issue) for p in report.problems}
    assert kinds == {
        ("checksum", "2017-06"),
        ("not-in-corpus", "2018-03"),
        ("not-indexed", "2020-05"),
        ("staged", None),
    }
    result = CliRunner().invoke(main, ["verify", "--corpus", str(corpus), "--index", str(index)])
    assert result.exit_code == 1 and "共 4 处不一致" in result.output and "bulletin verify --repair" in result.output
    assert "校验和不符" in result.output and str(added) in result.output

    before, after = repair(corpus, index)
    assert len(before.problems) == 4 and after is not None and after.ok
    assert not stray.exists() and seed.exists() and added.exists()  # the corpus is the truth: only leftovers go
    assert verify(corpus, index).indexed == 5


def test_repair_refuses_what_only_a_person_can_decide(fresh):
    corpus, index = fresh
    twin = corpus / "2017" / "2017-06.txt"
    twin.write_bytes((corpus / "2017" / "2017-06.md").read_bytes())
    result = CliRunner().invoke(main, ["verify", "--repair", "--corpus", str(corpus), "--index", str(index)])
    assert result.exit_code == 1
    assert "多个文件" in result.output and "每期只能有一个文件" in result.output and "Traceback" not in result.output
