"""Chinese text: how it is cut into words (``analysis``: jieba, with the domain dictionary, compact in a
server's processes, ``dictionary``) and folded for comparison (``folding``); the archive's own words with
their readings (``vocabulary``) and what they are corrected from (homophones; similar shapes, ``shapes``);
the thesaurus (``thesaurus``); the word lists staff grow (``wordlists``); an issue's candidate new terms
(``terms``).
"""

from .analysis import init, is_word, lean_dictionary, words
from .folding import fold, normalise
from .terms import Term, candidate_terms
from .vocabulary import Vocabulary
from .wordlists import VOCABULARY_FILES, seed_vocabulary, use_vocabulary

__all__ = [
    "VOCABULARY_FILES",
    "Term",
    "Vocabulary",
    "candidate_terms",
    "fold",
    "init",
    "is_word",
    "lean_dictionary",
    "normalise",
    "seed_vocabulary",
    "use_vocabulary",
    "words",
]
