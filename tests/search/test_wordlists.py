"""The word lists staff edit (``indexer.language.wordlists``): what a search reads of them."""

from __future__ import annotations

from indexer.language import wordlists


def test_a_search_reads_the_word_lists_as_they_were_when_it_started(tmp_path, monkeypatch):
    monkeypatch.setattr(wordlists, "_vocabulary_dir", tmp_path)
    (tmp_path / "synonyms.txt").write_text("甲乙 丙丁\n", encoding="utf-8")
    with wordlists.held():
        assert wordlists.synonyms()["甲乙"] == ("甲乙", "丙丁")
        (tmp_path / "synonyms.txt").write_text("甲乙 戊己庚\n", encoding="utf-8")  # saved through another worker
        assert wordlists.synonyms()["甲乙"] == ("甲乙", "丙丁")
        with wordlists.held():  # a search inside a search reads what the outer one read
            assert wordlists.synonyms()["甲乙"] == ("甲乙", "丙丁")
    assert wordlists.synonyms()["甲乙"] == ("甲乙", "戊己庚")  # the next search sees the edit
