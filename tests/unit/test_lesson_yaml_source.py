"""Reading YAML into plain data, and finding where a value stands."""

from __future__ import annotations

import yaml

from lessons.yaml_source import SyntaxProblem, YamlDocument, parse


def _parse(text: str) -> YamlDocument:
    doc = parse(text)
    assert isinstance(doc, YamlDocument), doc
    return doc


def test_the_data_is_what_pyyaml_builds_except_yaml_1_1_booleans():
    text = (
        "id: x\nversion: 2\nratio: 1.5\nnothing: ~\nflag: true\nanswer: No\n"
        "list: [1, 'two', {three: 3}]\nquoted: '12'\nanchor: &a {k: v}\nalias: *a\n"
    )
    assert _parse(text).data == {
        "id": "x", "version": 2, "ratio": 1.5, "nothing": None, "flag": True, "answer": "No",
        "list": [1, "two", {"three": 3}], "quoted": "12", "anchor": {"k": "v"}, "alias": {"k": "v"},
    }  # fmt: skip
    assert yaml.safe_load(text)["answer"] is False  # what YAML 1.1 would have made of it


def test_an_explicit_tag_goes_through_pyyamls_safe_constructor():
    assert _parse("n: !!int '7'\ns: !!str 8\n").data == {"n": 7, "s": "8"}
    problem = parse("x: !python/object:os.system echo\n")
    assert isinstance(problem, SyntaxProblem)
    assert problem.position == (1, 4)


def test_positions_of_values_and_keys_and_the_nearest_parent():
    doc = _parse("id: x\ncards:\n  - text:\n      nl: Tekst\n")
    assert doc.position(("cards", 0, "text", "nl")) == (4, 11)
    assert doc.position(("cards", 0, "text", "nl"), key=True) == (4, 7)
    assert doc.position(("cards", 0, "image", "alt")) == (3, 5)
    assert doc.position(("no-such-key",)) == (1, 1)


def test_a_duplicate_key_is_reported_and_the_first_value_kept():
    doc = _parse("id: x\nversion: 1\nversion: 2\n")
    assert doc.data["version"] == 1
    assert doc.duplicate_keys == [("version", (3, 1))]


def test_a_list_as_a_key_is_a_problem_not_a_crash():
    problem = parse("? [a, b]\n: c\n")
    assert isinstance(problem, SyntaxProblem)
    assert "a key must be a word or a text" in problem.message


def test_an_empty_file_is_a_problem():
    assert parse("") == SyntaxProblem((1, 1), "the file is empty")


def test_an_alias_into_itself_is_a_problem_not_endless_recursion():
    problem = parse("a: &x [1, *x]\n")
    assert problem == SyntaxProblem(
        (1, 11), "YAML syntax error: an alias (*name) points into the list or mapping it stands in"
    )
