"""How long making one card's voice message takes: espeak-ng + opusenc, cold and from the cache.

The card is a typical one: of the shipped library's cards, the one whose
English text has the median length; it is read in each of the four
languages. Cold: a new cache folder each run, so both programs run. Cached:
the same card again, found on disk. CPU is the children's (the two programs)
plus this process's own; wall is the time the caller waits. Prints the
figures; asserts nothing.

    .venv/bin/python benchmarks/read_aloud.py [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import tempfile
import time
from pathlib import Path

from bot.speech import Speaker, find_voices
from lessons.chat import Speech
from lessons.loader import load_library
from lessons.model import LANGUAGES


def cpu_seconds() -> float:
    """CPU used so far by this process and the children it waited for."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def typical_card() -> tuple[str, dict[str, str]]:
    """The key and texts of the card whose English text has the median length."""
    library = load_library().library
    assert library is not None
    cards = [
        (f"{lesson.id}/{n}/v{lesson.version}/card", card.text)
        for lesson in library.lessons.values()
        for n, card in enumerate(lesson.cards)
    ]
    cards.sort(key=lambda item: len(item[1].get("en")))
    key, text = cards[len(cards) // 2]
    return key, {language: text.get(language) for language in LANGUAGES}


async def measure(speaker: Speaker, speech: Speech) -> tuple[float, float, int, int]:
    """Wall and CPU seconds of one ``audio`` call; the file's size and the sound's length (ms)."""
    cpu, wall = cpu_seconds(), time.perf_counter()
    audio = await speaker.audio(speech)
    wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
    return wall, cpu, Path(audio.path).stat().st_size, audio.duration_ms


async def main(runs: int) -> None:
    voices = find_voices({})
    if not voices:
        raise SystemExit("espeak-ng and opusenc are needed (Debian packages espeak-ng, opus-tools)")
    key, texts = typical_card()
    print(f"card {key}: {len(texts['en'])} characters in English")
    print(
        f"{'language':8} {'chars':>5} {'cold wall':>10} {'cold CPU':>9} {'cached wall':>12} "
        f"{'cached CPU':>11} {'size':>8} {'sound':>6} {'processes':>9}"
    )
    for language in LANGUAGES:
        speech = Speech(texts[language], language, key, "")
        cold: list[tuple[float, float, int, int]] = []
        cached: list[tuple[float, float, int, int]] = []
        processes = 0
        for _run in range(runs):
            with tempfile.TemporaryDirectory() as folder:
                speaker = Speaker(Path(folder), voices)
                cold.append(await measure(speaker, speech))
                cached.append(await measure(speaker, speech))
                processes = speaker.processes
        wall_cold = statistics.median(c[0] for c in cold)
        cpu_cold = statistics.median(c[1] for c in cold)
        wall_cached = statistics.median(c[0] for c in cached)
        cpu_cached = statistics.median(c[1] for c in cached)
        size, sound = cold[0][2], cold[0][3]
        print(
            f"{language:8} {len(texts[language]):5} {1000 * wall_cold:8.0f} ms {1000 * cpu_cold:6.0f} ms "
            f"{1000 * wall_cached:9.2f} ms {1000 * cpu_cached:8.2f} ms {size / 1000:5.1f} kB "
            f"{sound / 1000:5.1f}s {processes:9}"
        )
    print(f"(medians of {runs} runs; 'processes': started for one card, cold then cached)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    asyncio.run(main(parser.parse_args().runs))
