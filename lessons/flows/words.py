"""``/whatis WORD``: what a word from the lessons means, anywhere, at any time.

The word may be any name of a glossary term in any language ("AVG", "GDPR",
"RGPD"), typed with any case, accents, ending or article. A word the glossary
does not know gets the closest terms as buttons, so nobody has to type again.
"""

from __future__ import annotations

from dataclasses import dataclass

from lessons.buttons import Button, on
from lessons.commands import command
from lessons.flows import help
from lessons.glossary import Found
from lessons.i18n import N_, _
from lessons.model import MAX_TERM_NAME
from lessons.turn import Turn


@dataclass(frozen=True)
class WhatIs(Button, kind="whatis"):
    """Explain one term (a suggestion for a word the glossary does not know)."""

    # A term id: at most 48 characters, so the choice id stays within Telegram's 64 bytes.
    term: str


@command(
    "whatis",
    place=25,
    help=N_("what a word from the lessons means, e.g. /whatis phishing"),
    menu=N_("What does a word mean?"),
)
def what_is(turn: Turn, args: str = "") -> None:
    glossary = turn.library.glossary
    word = args.strip()
    if not glossary:
        turn.say(_("I have no list of words to explain yet."))
    elif not word:
        turn.say(
            _("Which word? Type for example: /whatis phishing")
            + "\n\n"
            + _("I can explain these words: {words}", words=", ".join(glossary.names(turn.language)))
        )
    elif len(word) <= MAX_TERM_NAME and (found := glossary.lookup(word, turn.language)) is not None:
        _explain(turn, found)
    # No name is longer: a longer text is no typo of one either, and comparing it costs time.
    elif len(word) <= MAX_TERM_NAME and (close := glossary.closest(word, turn.language)):
        turn.say(
            _("I do not know the word “{word}”. Did you mean one of these?", word=help.quoted(word)),
            [WhatIs(term.id).choice(term.name(turn.language)) for term in close],
        )
    else:
        turn.say(
            _("I do not know the word “{word}”.", word=help.quoted(word))
            + "\n\n"
            + _("I can explain these words: {words}", words=", ".join(glossary.names(turn.language)))
        )


def _explain(turn: Turn, found: Found) -> None:
    """The term with the name the learner used; in their language, it is the name they know."""
    name = found.term.name(turn.language)
    title = found.name if found.name.casefold() == name.casefold() else f"{found.name} ({name})"
    turn.say(found.term.explanation.get(turn.language), title=title)


@on(WhatIs)
def explain(turn: Turn, press: WhatIs) -> None:
    term = turn.library.glossary.terms.get(press.term)
    if term is None:
        turn.say(_("I do not know that word anymore. Type /whatis and a word."))
        return
    _explain(turn, Found(term, term.name(turn.language)))
