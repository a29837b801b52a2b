"""Moodle's own GIFT and Aiken test cases, read the way Moodle reads them.

Each test takes a case of Moodle's test suite (``question/format/gift/tests/
giftformat_test.php`` and its fixtures, ``question/format/aiken/tests/``) or
of the issue that asked for this, with its input inline and in Moodle's shape,
and pins what the importer makes of it: the same question (type, text,
options, which are right, feedback), a loss reported at its line, or a refusal
that says why. Nothing may be silently different. Every construct of Moodle's
``examples.txt`` is in ``tests/fixtures/import/moodle-constructs.gift``, in our
own words, and read whole at the end.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lessons.importers import ImportedQuestion, aiken, gift

CONSTRUCTS = Path(__file__).parents[1] / "fixtures" / "import" / "moodle-constructs.gift"


def _read(text: str) -> tuple[list[ImportedQuestion], list[str]]:
    sections, notes = gift.parse(text, "en")
    return [q for s in sections for q in s.questions], [f"{n.line}: {n.message}" for n in notes]


def _question(text: str) -> ImportedQuestion:
    questions, notes = _read(text)
    assert notes == []
    [question] = questions
    return question


def _refusal(text: str) -> str:
    questions, notes = _read(text)
    assert questions == []
    [note] = notes
    return note


def _options(question: ImportedQuestion) -> list[tuple[str, bool, str | None]]:
    return [(o.text, o.correct, o.why) for o in question.options]


def _lost(question: ImportedQuestion) -> list[str]:
    return [f"{n.line}: {n.message}" for n in question.lost]


# --- giftformat_test.php ------------------------------------------------------------------------


def test_essay_is_refused():
    assert _refusal("// essay\n::Q8:: How are you? {}") == (
        "2: essay questions cannot be converted: the coach only grades closed answers"
    )


def test_matching_is_refused():
    text = (
        "// question: 2  name: Moodle activities\n"
        "::Moodle activities::[html]Match the <b>activity</b> to the description.{\n"
        "    =[html]An activity supporting asynchronous discussions. -> Forum\n"
        "    =[moodle]A teacher asks a question and specifies a choice of multiple responses. -> Choice\n"
        "    =[plain]A bank of record entries which participants can add to. -> Database\n"
        "    =[markdown]A collection of web pages that anyone can add to or edit. -> Wiki\n"
        "    = -> Chat\n"
        "}"
    )
    assert _refusal(text) == "2: matching questions cannot be converted: write them as multiple choice"


def test_multiple_choice_keeps_each_feedback_and_reads_format_markers_in_answers_and_feedback():
    question = _question(
        "// multiple choice with specified feedback for right and wrong answers\n"
        "::Q2:: What's between orange and green in the spectrum?\n"
        "{\n"
        "    =yellow # right; good!\n"
        "    ~red # [html]wrong, it's yellow\n"
        "    ~[plain]blue # wrong, it's yellow\n"
        "}"
    )
    assert (question.line, question.type, question.title) == (2, "single", "Q2")
    assert question.text == "What's between orange and green in the spectrum?"
    assert _options(question) == [
        ("yellow", True, None),  # its feedback is the explanation, not said twice
        ("red", False, "wrong, it's yellow"),
        ("blue", False, "wrong, it's yellow"),
    ]
    assert question.explanation == "right; good!"
    assert question.lost == []


def test_multiple_response_has_the_positively_weighted_answers_right():
    question = _question(
        "// multiple choice, multiple response with specified feedback for right and wrong answers\n"
        "::colours:: What's between orange and green in the spectrum?\n"
        "{\n"
        "    ~%50%yellow # right; good!\n"
        "    ~%-100%red # [html]wrong\n"
        "    ~%50%off-beige # right; good!\n"
        "    ~%-100%[plain]blue # wrong\n"
        "}"
    )
    assert question.type == "multiple"
    assert _options(question) == [
        ("yellow", True, None),
        ("red", False, "wrong"),
        ("off-beige", True, None),
        ("blue", False, "wrong"),
    ]
    assert question.explanation == "right; good!"
    assert question.lost == []  # 50 + 50 = 100 %, and a wrong tick costs: right only when exactly these


def test_multiple_response_with_one_right_answer_stays_select_all():
    question = _question(
        "::colours:: What's between orange and green in the spectrum?\n"
        "{\n"
        "    ~%100%yellow # right; good!\n"
        "    ~%-50%red # wrong\n"
        "    ~%-50%blue # wrong\n"
        "}"
    )
    assert question.type == "multiple"  # no '=': Moodle shows tick boxes, even for one right answer
    assert [o.correct for o in question.options] == [True, False, False]
    assert question.lost == []


def test_numerical_is_refused():
    assert _refusal(
        "// math range question\n::Q5:: What is a number from 1 to 5? {#3:2~#Completely wrong}"
    ) == ("2: numerical questions cannot be converted: write it as multiple choice")


SHORT_ANSWER = (
    "// question: 666  name: Shortanswer\n"
    "::Shortanswer::Which is the best animal?{\n"
    "    =Frog#Good!\n"
    "    =%50%Cat#What is it with Moodlers and cats?\n"
    "    =%0%*#Completely wrong\n"
)


def test_short_answer_accepts_only_full_credit_and_reports_the_rest_at_its_line():
    question = _question(SHORT_ANSWER + "}")
    assert (question.type, question.accepted, question.explanation) == ("free_text", ["Frog"], "Good!")
    assert _lost(question) == [
        "4: 'Cat' earns 50 % in Moodle; the coach accepts only full-credit answers, so it is not accepted",
        "4: the feedback for the answer 'Cat' ('What is it with Moodlers and cats?') is not kept: "
        "the coach shows one explanation to everyone",
        "5: the feedback for any other answer ('Completely wrong') is not kept: "
        "the coach shows one explanation to everyone",
    ]


def test_short_answer_general_feedback_is_the_explanation_and_its_marker_is_read():
    question = _question(SHORT_ANSWER + "    ####[html]Here is some general feedback!\n}")
    assert question.explanation == "Here is some general feedback!"
    assert question.accepted == ["Frog"]
    # The right answer's own feedback no longer is the explanation, and is reported as not shown.
    assert _lost(question)[0] == (
        "3: the feedback for the answer 'Frog' ('Good!') is not kept: "
        "the coach shows one explanation to everyone"
    )


def test_true_false_feedback_goes_to_whoever_gives_that_answer():
    question = _question(
        "// true/false\n"
        "::Q1:: 42 is the Absolute Answer to everything.{\n"
        "FALSE#42 is the Ultimate Answer.#You gave the right answer.}"
    )
    assert (question.type, question.answer) == ("true_false", False)
    assert question.text == "42 is the Absolute Answer to everything."
    # Moodle: the first feedback is for a wrong answer (here: true), the second for the right one.
    assert question.explanation == "42 is the Ultimate Answer."  # it explains: everyone reads it
    assert (question.why_true, question.why_false) == (None, "You gave the right answer.")
    assert question.lost == []


@pytest.mark.parametrize("answer", ["T", "TRUE"])
def test_true_false_true_answers(answer):
    question = _question(f"// name 0-11\n::2-08 TSL::TSL is blablabla.{{{answer}}}")
    assert (question.type, question.answer, question.title, question.text) == (
        "true_false", True, "2-08 TSL", "TSL is blablabla."
    )  # fmt: skip


def test_a_double_backslash_is_one_backslash():
    assert _refusal("// essay\n::double backslash:: A \\\\ B \\\\\\\\ C{}").startswith("2: essay")
    question = _question("::double backslash:: A \\\\ B \\\\\\\\ C{=yes ~no}")
    assert question.text == "A \\ B \\\\ C"


def test_code_keeps_its_indentation():
    essay = "::Q001::[html]<p>What would running the test method print?</p>\n<pre>\n    x();\n</pre>\n{}"
    assert _refusal(essay).startswith("1: essay")
    question = _question(
        "::Q001::[html]<p>What would running the test method print?</p>\n"
        "<pre>\n"
        "    public void test() \\{\n"
        "        method1();\n"
        "        method2();\n"
        "    \\}\n"
        "</pre>\n"
        "{=1 2 ~2 1}"
    )
    assert question.text == (
        "What would running the test method print?\n\n"
        "    public void test() {\n"
        "        method1();\n"
        "        method2();\n"
        "    }"
    )


def test_tags_and_idnumbers_in_comments_are_not_text():
    assert _refusal(
        "// This question is to test importing tags: [tag:tag] [tag:other-tag].\n"
        "// And an idnumber: [id:myid].\n"
        "::Question name:: How are you? {}"
    ).startswith("3: essay")
    question = _question("// [tag:add] [tag:basic] [id:four]\n::Question name:: How are you? {=fine ~bad}")
    assert (question.line, question.text) == (2, "How are you?")


# --- the fixtures questions.gift.txt and questions_in_category.gift.txt --------------------------


def test_text_after_the_answers_is_a_missing_word_even_a_stray_one():
    question = _question(
        "// true/false, with general feedback\n"
        "::Q1:: 42 is the Absolute Answer to everything.{\n"
        "FALSE#42 is the Ultimate Answer.#You gave the right answer.\n"
        "####This is, of course, a Hitchiker's Guide to the Galaxy reference.}\";"
    )
    assert question.text == '42 is the Absolute Answer to everything._____";'  # as Moodle has it
    assert question.explanation == "This is, of course, a Hitchiker's Guide to the Galaxy reference."
    assert (question.why_true, question.why_false) == (
        "42 is the Ultimate Answer.",
        "You gave the right answer.",
    )


def test_a_category_names_the_lesson_and_its_export_comment_is_no_card():
    sections, notes = gift.parse(
        "// question: 0  name: switch category to $course$/Default for New Features\n"
        "$CATEGORY: $course$/Default for New Features\n\n"
        "// question: 45  name: Moodle acronym\n"
        '::Moodle acronym::[html]Moodle is an acronym for <span style\\="font-style\\: italic;">Modular '
        "Object-Oriented Dynamic Learning Environment</span>.{TRUE}\n",
        "en",
    )
    assert notes == []
    assert [(s.title, s.cards, len(s.questions)) for s in sections] == [
        (None, [], 0), ("Default for New Features", [], 1)
    ]  # fmt: skip
    [question] = sections[1].questions
    assert question.text == "Moodle is an acronym for Modular Object-Oriented Dynamic Learning Environment."
    assert (question.type, question.answer) == ("true_false", True)


def test_a_link_keeps_its_address():
    question = _question(
        '::Greeting::[html]<a href\\="http\\://demo.moodle.net/file.php/5/media/bonjour.mp3">Listen to this '
        "greeting\\:</a><br /><br />What language is being spoken?{\n"
        "\t~English#Sorry, listen again.\n"
        "\t=French#Yes, well done!\n"
        "\t~German#Sorry, listen again.\n"
        "\t~Spanish#Sorry, listen again.\n"
        "}"
    )
    assert question.text == (
        "Listen to this greeting: (http://demo.moodle.net/file.php/5/media/bonjour.mp3)\n\n"
        "What language is being spoken?"
    )
    assert _options(question) == [
        ("English", False, "Sorry, listen again."),
        ("French", True, None),
        ("German", False, "Sorry, listen again."),
        ("Spanish", False, "Sorry, listen again."),
    ]
    assert question.explanation == "Yes, well done!"


def test_a_short_answer_at_100_percent_with_empty_feedback():
    question = _question("::Moodle user::[html]Anyone who uses Moodle is a ...{\n\t=%100%Moodler#\n}")
    assert (question.type, question.text, question.accepted) == (
        "free_text", "Anyone who uses Moodle is a ...", ["Moodler"]
    )  # fmt: skip
    assert question.explanation is None  # the lesson then repeats the answer, with a warning


# --- what the issue found silently wrong ----------------------------------------------------------


def test_a_partial_credit_answer_is_wrong_here_and_reported():
    question = _question(
        "Difficult multiple choice question.{\n"
        "     ~wrong answer           #comment on wrong answer\n"
        "     ~%50%half credit answer #comment on answer\n"
        "     =full credit answer     #well done!}"
    )
    assert question.type == "single"  # an '=' answer exists: pick one
    assert _options(question) == [
        ("wrong answer", False, "comment on wrong answer"),
        ("half credit answer", False, "comment on answer"),
        ("full credit answer", True, None),
    ]
    assert question.explanation == "well done!"  # the right answer's, never the partial one's
    assert _lost(question) == [
        "3: 'half credit answer' earns 50 % in Moodle; the coach grades an answer right or wrong, "
        "so picking it counts as wrong"
    ]


def test_a_partial_short_answer_the_typo_tolerance_takes_is_reported_as_such():
    question = _question(
        "::Jesus' hometown:: Jesus Christ was from {\n"
        "     =Nazareth#Yes! That's right!\n"
        "     =%75%Nazereth#Right, but misspelled.\n"
        "     =%25%Bethlehem#He was born here, but not raised here.\n"
        "}."
    )
    assert (question.text, question.accepted) == ("Jesus Christ was from _____.", ["Nazareth"])
    assert _lost(question)[0::2] == [
        "3: 'Nazereth' earns 75 % in Moodle, but the coach forgives it as a typo of 'Nazareth' "
        "and counts it right",
        "4: 'Bethlehem' earns 25 % in Moodle; the coach accepts only full-credit answers, "
        "so it is not accepted",
    ]


def test_wrong_answers_without_a_negative_weight_are_reported():
    question = _question(
        "What two people are entombed in Grant's tomb? {\n"
        "    ~No one\n    ~%50%Grant\n    ~%50%Grant's wife\n    ~Grant's father }"
    )
    assert question.type == "multiple"
    assert [o.correct for o in question.options] == [False, True, True, False]
    assert _lost(question) == [
        "1: the wrong answers 'No one', 'Grant's father' have weight 0, not a negative one: "
        "in Moodle ticking every answer still earns full credit; "
        "the coach counts only exactly the right ones as right"
    ]


def test_right_weights_that_do_not_add_up_to_100_are_reported():
    question = _question("Pick the safe ones {~%40%a lock screen ~%40%updates ~%-100%an old PC}")
    assert [o.correct for o in question.options] == [True, True, False]
    assert _lost(question) == [
        "1: the right answers' weights add up to 80 %, not 100 %: in Moodle ticking them all earns 80 %; "
        "the coach counts exactly these as right"
    ]


def test_format_markers_are_read_in_every_text():
    question = _question(
        "[plain]Which? {=[html]<b>bold</b>#[markdown]**yes** ~[moodle]other#[plain]no <b>\n"
        "####[markdown]Because **bold** is *strong*.}"
    )
    assert _options(question) == [("bold", True, "yes"), ("other", False, "no <b>")]
    assert (question.text, question.explanation) == ("Which?", "Because bold is strong.")
    true_false = _question("Q{T#[html]<i>wrong</i>#[plain]<right>}")
    assert (true_false.explanation, true_false.why_true) == ("wrong", "<right>")
    # Only the four names, written exactly so, are markers.
    assert _question("[HTML]Which?{=[note]a ~b}").text == "[HTML]Which?"


def test_html_entities_are_read_after_the_tags_are_gone():
    question = _question("[html]Which tag makes <i>bold</i>: &lt;b&gt; or &lt;i&gt;?{=&lt;b&gt; ~&lt;i&gt;}")
    assert question.text == "Which tag makes bold: <b> or <i>?"
    assert [o.text for o in question.options] == ["<b>", "<i>"]


def test_a_wildcard_that_accepts_anything_is_refused():
    assert _refusal("Say anything {=*}") == (
        "1: '=*' accepts any answer in Moodle, and the coach cannot accept just anything: "
        "list the answers it should accept, or make it multiple choice"
    )
    assert _refusal("Starts with pass {=pass*}").startswith("1: 'pass*' has '*', a wildcard in Moodle")
    assert _question("Star? {=a \\* b}").accepted == ["a * b"]  # an escaped star is a star


def test_lower_case_true_is_a_short_answer():
    question = _question("Type true {true}")
    assert (question.type, question.accepted) == ("free_text", ["true"])


def test_an_arrow_in_a_multiple_choice_answer_is_not_matching():
    question = _question("Where is it? {=Settings -> Security ~Settings -> Display}")
    assert _options(question) == [("Settings -> Security", True, None), ("Settings -> Display", False, None)]


def test_several_fully_right_answers_in_a_pick_one_question_are_refused():
    assert _refusal("Fruit? {=apple =pear ~car}") == (
        "1: 2 answers are fully right ('=' or 100 %): Moodle accepts any one of them, and a single-choice "
        "question in the coach has one right answer; keep one, or make it select-all with weights (~%50%)"
    )


def test_a_weight_after_an_equals_sign_in_multiple_choice_is_refused():
    assert _refusal("Q {~a =%50%b =c}") == (
        "1: '=%50%b': in a question with '~' answers Moodle gives every '=' answer full credit "
        "and shows the weight as part of its text; write '~%...%' for partial credit"
    )


def test_pictures_and_moodle_files_are_reported():
    question = _question(
        '[html]<img src\\="https\\://example.org/lock.png" alt\\="a padlock"> What does it mean? '
        '<a href\\="@@PLUGINFILE@@/note.pdf">note</a>{=encrypted ~honest}'
    )
    assert (
        question.text
        == "[a padlock] (https://example.org/lock.png) What does it mean? note (@@PLUGINFILE@@/note.pdf)"
    )
    assert _lost(question) == [
        "1: the picture or media 'https://example.org/lock.png' is only a link here: "
        "the coach sends texts without media",
        "1: the file '@@PLUGINFILE@@/note.pdf' is stored inside Moodle, not in the GIFT file: "
        "add it to a card or a link",
    ]


def test_comments_at_the_top_of_a_file_are_not_cards_but_comments_under_a_category_are():
    sections, _notes = gift.parse(
        "// A header about the file\n\nQ{T}\n\n$CATEGORY: top/Safe\n// The card.\n\n// not a card\n\nQ{T}\n",
        "en",
    )
    assert [(s.title, s.cards) for s in sections] == [(None, []), ("Safe", ["The card."])]


def test_a_question_right_under_a_category_is_reported_not_dropped():
    sections, notes = gift.parse("$CATEGORY: top/Safe\n// The card.\nQ{T}\n", "en")
    assert [len(s.questions) for s in sections] == [0, 0]
    assert [f"{n.line}: {n.message}" for n in notes] == [
        "3: this line is right under $CATEGORY, without an empty line between: Moodle reads it as part "
        "of the category's name; put an empty line before it"
    ]


def test_a_file_without_questions_says_so_once():
    assert _read("// only a comment\n") == ([], ["1: no questions found: is this a GIFT or Aiken file?"])
    assert _read("Q{}\n") == (
        [],
        ["1: essay questions cannot be converted: the coach only grades closed answers"],
    )


# --- Aiken: aikenformat_test.php and its fixtures ----------------------------------------------------


def test_aiken_questions_read_as_in_moodle():
    sections, notes = aiken.parse(
        "The Moodle project was started by:\n"
        "A) Petr Skoda\nB) Martin Dougiamas\nC) Eloy Lafuente\nD) Tim Hunt\nANSWER: B\n\n"
        'Moodle\'s abilities include handling user input that includes <html class="cool"> & images:\n'
        "A) True\nB) False\nANSWER: A\n"
    )
    assert notes == []
    first, second = sections[0].questions
    assert [(o.text, o.correct) for o in first.options] == [
        ("Petr Skoda", False), ("Martin Dougiamas", True), ("Eloy Lafuente", False), ("Tim Hunt", False)
    ]  # fmt: skip
    # Moodle shows the text as written, '<' and '&' included.
    assert (
        second.text
        == 'Moodle\'s abilities include handling user input that includes <html class="cool"> & images:'
    )
    assert [o.correct for o in second.options] == [True, False]


def test_aiken_errors_are_reported_and_the_good_questions_kept():
    sections, notes = aiken.parse(
        "A question with too few answers\nA) Only answer\nANSWER: A\n\n"
        "A) Question not started\n\n"
        "ANSWER: Question not started\n\n"
        "A good question\nA) Correct\nB) Incorrect\nANSWER: A\n\n"
        "A question started but not finished\nA) Correct-ish\nB) Incorrect-ish\n\n"
        "A second good question\nA)Incorrect (No space)\nB)Correct (No space)\nANSWER: B\n\n"
        "A third good question with HTML chars such as > < &\n"
        "A) Correct (< > &)\nB) Incorrect (< > &)\nANSWER: A"
    )
    assert [f"{n.line}: {n.message}" for n in notes] == [
        "1: 1 options: a question has 2 to 8",
        "5: an option or ANSWER line without a question above it",
        "7: an option or ANSWER line without a question above it",
        "14: the question has no 'ANSWER: ' line after its options",
    ]
    assert [(q.text, [(o.text, o.correct) for o in q.options]) for q in sections[0].questions] == [
        ("A good question", [("Correct", True), ("Incorrect", False)]),
        ("A second good question", [("Incorrect (No space)", False), ("Correct (No space)", True)]),
        (
            "A third good question with HTML chars such as > < &",
            [("Correct (< > &)", True), ("Incorrect (< > &)", False)],
        ),
    ]


def test_aiken_answer_counts_options_from_a_and_takes_its_first_letter():
    sections, notes = aiken.parse("Which?\nA. x\nB. y\nANSWER: B) y\n\nAnd?\nA. x\nC. y\nANSWER: C\n")
    assert [o.correct for o in sections[0].questions[0].options] == [False, True]
    assert [n.message for n in notes] == ["ANSWER: C names no option: use one of A, C"]


# --- examples.txt: every construct, read whole -----------------------------------------------------

# Where each question of the constructs file starts, and what it becomes:
# a type (converted as Moodle means it), "loss" (converted, with what is lost reported) or a refusal.
CONSTRUCT_OUTCOMES = {
    9: "single", 11: "single", 13: "true_false", 15: "free_text", 17: "numerical",
    26: "single", 28: "single", 30: "single", 36: "single",
    44: "free_text", 46: "free_text", 50: "true_false", 52: "true_false",
    56: "matching", 62: "matching", 71: "numerical", 73: "numerical", 75: "numerical", 77: "numerical",
    86: "numerical", 91: "free_text", 94: "single", 99: "single", 104: "free_text", 109: "free_text",
    114: "true_false", 116: "loss", 118: "loss", 124: "loss", 131: "loss", 137: "multiple",
    144: "single", 149: "single", 168: "single", 170: "single", 172: "true_false", 174: "free_text",
    176: "numerical", 178: "matching", 185: "single", 191: "loss", 196: "loss", 203: "numerical",
}  # fmt: skip


def test_every_construct_of_moodles_examples_is_converted_faithfully_reported_or_refused():
    sections, notes = gift.parse(CONSTRUCTS.read_text(encoding="utf-8"), "en")
    [section] = sections
    outcomes = {q.line: "loss" if q.lost else q.type for q in section.questions}
    outcomes |= {n.line: n.message.split()[0] for n in notes}
    assert outcomes == CONSTRUCT_OUTCOMES
    assert section.cards == []  # the comment header is no card
    kinds = list(CONSTRUCT_OUTCOMES.values())
    faithful = len([k for k in kinds if k in ("single", "multiple", "true_false", "free_text")])
    assert (faithful, kinds.count("loss"), kinds.count("numerical") + kinds.count("matching")) == (26, 6, 11)
    by_line = {q.line: q for q in section.questions}
    assert by_line[30].text == "You lock your screen with the Windows key and _____ at the same time."
    assert by_line[91].text == "The key that opens\nthe start menu is called?"
    assert by_line[109].text == "Which key opens the start menu?"  # [markdown] and its ** read
    assert [o.text for o in by_line[144].options] == ["= 2 + 2", "= 2 + 3", "= 2 + 4"]
    assert [(o.text, o.correct) for o in by_line[149].options][-2:] == [("}", False), ("\\", True)]
    assert by_line[149].explanation == (
        "Right! \\ (backslash) is not a control character. But\nit escapes the control characters, "
        "so a literal\nbackslash is written with two of them\n(as in this example)."
    )
    assert (by_line[114].explanation, by_line[114].why_true) == (
        "It only proves the connection is encrypted.", None
    )  # fmt: skip
    assert [o.why for o in by_line[185].options] == [
        "Then a broken disk loses everything.", None, "A year of work is a lot to lose."
    ]  # fmt: skip
