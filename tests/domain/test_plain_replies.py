"""The App's answers to a request in plain words: the model's words quoted as text, our own markup only."""

from __future__ import annotations

from markdown_it import MarkdownIt

from bot.domain.plain_replies import declined_reply, interpreted_heading, question_reply, unavailable_reply

MARKDOWN = MarkdownIt("commonmark").enable("table")


def inline_types(text: str) -> set[str]:
    return {child.type for token in MARKDOWN.parse(text) for child in token.children or []}


def test_the_heading_shows_each_command_as_code_and_the_model_as_text() -> None:
    heading = interpreted_heading("[claude](http://evil)", ["/infra create bucket a", "/infra create bucket `b`"])
    assert inline_types(heading) <= {"text", "code_inline"}
    assert heading.endswith("- `/infra create bucket a`\n- `` /infra create bucket `b` ``")
    assert interpreted_heading("", ["x"]).startswith("Interpreted by the model as:")


def test_questions_and_refusals_keep_the_models_words_in_a_quote() -> None:
    for said in (question_reply("![x](http://evil) @org/team", "olympus"), declined_reply("</details> <!-- x -->")):
        tokens = MARKDOWN.parse(said)
        assert "blockquote_open" in [t.type for t in tokens]
        assert not [t for t in tokens if t.type.startswith("html")]
        assert inline_types(said) <= {"text", "code_inline", "softbreak"}


def test_not_set_up_and_unreachable_both_show_the_grammar() -> None:
    off = unavailable_reply("set ANTHROPIC_API_KEY")
    down = unavailable_reply("set ANTHROPIC_API_KEY", "anthropic answered HTTP 529: Overloaded")
    assert "no Claude backend set up" in off and "whoever runs the App can set ANTHROPIC_API_KEY." in off
    assert "> anthropic answered HTTP 529\\: Overloaded" in down and "Try again later" in down
    for said in (off, down):
        assert "| `/infra create bucket NAME" in said
