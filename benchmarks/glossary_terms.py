"""How long finding the glossary's words takes, for every card and question of the shipped library.

A card or question offers "❓ Words" when it uses a glossary term, so the coach
reads each text it shows once per library load (the glossary keeps what it
found). This times that reading for the whole library at once, in the four
languages, from a cold start (no word stemmed yet) and again (all kept), and
how long building the glossary's index takes. Prints the figures; asserts nothing.

    .venv/bin/python benchmarks/glossary_terms.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import time

from lessons import glossary as glossary_module
from lessons.glossary import Glossary
from lessons.loader import load_library
from lessons.model import LANGUAGES


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    library = load_library(required_languages=LANGUAGES).library
    assert library is not None
    terms = list(library.glossary.terms.values())
    texts: list[tuple[str, str]] = []
    for lesson in library.lessons.values():
        for language in LANGUAGES:
            texts += [(c.text.get(language), language) for c in lesson.cards]
            texts += [(c.simple.get(language), language) for c in lesson.cards if c.simple]
            for question in lesson.quiz:
                texts.append((question.question.get(language), language))
                texts += [(o.text.get(language), language) for o in getattr(question, "options", [])]
    builds, colds, warms = [], [], []
    found = 0
    for _run in range(args.runs):
        glossary_module.stem.cache_clear()
        started = time.perf_counter()
        glossary = Glossary.of(terms)
        builds.append(time.perf_counter() - started)
        started = time.perf_counter()
        found = sum(len(glossary.find(text, language)) for text, language in texts)
        colds.append(time.perf_counter() - started)
        started = time.perf_counter()
        sum(len(glossary.find(text, language)) for text, language in texts)
        warms.append(time.perf_counter() - started)
    print(f"{len(terms)} terms; {len(texts)} texts (cards, questions, options; 4 languages)")
    print(f"build the index:         {statistics.median(builds) * 1000:.1f} ms (median of {args.runs})")
    print(f"find the words, cold:    {statistics.median(colds) * 1000:.1f} ms, {found} terms found")
    print(f"find the words, kept:    {statistics.median(warms) * 1000:.2f} ms")
    print(f"per text, cold:          {statistics.median(colds) / len(texts) * 1e6:.0f} µs")


if __name__ == "__main__":
    main()
