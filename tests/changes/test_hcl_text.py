"""HCL text in and out: the escaping filter, the template environment, and the tolerant reader."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.changes.hcl_reader import NOT_LITERAL, HclSyntaxError, decode_string, literal_value, parse
from bot.changes.hcl_render import Reference, hcl_string, hcl_value, render

TRICKY = ["$${", "${x}", "%{if}", 'a"b', "back\\slash", "new\nline", "$$", "%%{", "x${", "end\\", "\\${", "\x00\x7f"]


@given(st.text())
def test_hcl_string_round_trips_through_the_reader(text: str) -> None:
    assert literal_value(hcl_string(text)) == text


@given(st.text())
def test_hcl_string_never_leaves_a_template_sequence_or_raw_quote(text: str) -> None:
    quoted = hcl_string(text)
    inside = quoted[1:-1]

    assert quoted.startswith('"') and quoted.endswith('"')
    assert "\n" not in quoted
    # Every ${ or %{ left inside is escaped as $${ or %%{.
    for marker in ("${", "%{"):
        index = inside.find(marker)
        while index != -1:
            assert index > 0 and inside[index - 1] == marker[0]
            index = inside.find(marker, index + 1)


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_strings_round_trip(text: str) -> None:
    assert decode_string(hcl_string(text)[1:-1]) == text


def test_hcl_filter_renders_each_value_type() -> None:
    assert hcl_value(True) == "true"
    assert hcl_value(512) == "512"
    assert hcl_value("a") == '"a"'
    assert hcl_value(Reference("module.s3_bucket_logs.bucket_id")) == "module.s3_bucket_logs.bucket_id"
    assert hcl_value(["a", 1]) == '["a", 1]'
    with pytest.raises(ValueError, match="not a plain"):
        Reference('var.x"')


def test_templates_are_strict_about_undefined_values() -> None:
    from jinja2 import UndefinedError

    with pytest.raises(UndefinedError):
        render("terraform/env/aws/variables.tf.j2", {})


def test_module_call_arguments_are_aligned_like_terraform_fmt() -> None:
    from bot.changes.scaffold import module_call

    text = module_call("m", "../../modules/x", (("bucket_name", "a"), ("versioning", True)))

    assert '  bucket_name = "a"\n  versioning  = true\n' in text


def test_reader_finds_blocks_attributes_and_lines() -> None:
    text = (
        "# comment\n"
        "terraform {\n"
        "  required_providers {\n"
        '    aws = { source = "hashicorp/aws", version = "~> 3.39" }\n'
        "  }\n"
        "}\n"
        "\n"
        'resource "aws_s3_bucket" "x" { bucket = "logs" }\n'
        'module "m" {\n'
        '  source = "../m" // why\n'
        "  policy = <<-EOT\n"
        '    { "a": "}" }\n'
        "  EOT\n"
        "  tags = merge(var.tags, {\n"
        '    Name = "x" # inside\n'
        "  })\n"
        '  name = "a${var.b}"\n'
        "}\n"
    )

    terraform, bucket, module = parse(text)

    required = next(terraform.child_blocks("required_providers"))
    assert required.attributes["aws"].value == {"source": "hashicorp/aws", "version": "~> 3.39"}
    assert required.attributes["aws"].line == 4
    assert (bucket.labels, bucket.line, bucket.attributes["bucket"].value) == (("aws_s3_bucket", "x"), 8, "logs")
    assert module.line == 9
    assert module.attributes["source"].value == "../m"
    assert module.attributes["policy"].value is NOT_LITERAL
    assert module.attributes["tags"].line == 14
    assert module.attributes["name"].value is NOT_LITERAL
    assert "var.b" in list(module.expressions())[-1]


RICH = """/* a block comment with } and { and "quotes" */
locals {
  policy = local.create && local.attach ? replace(
    replace(
      data.aws_iam_policy_document.combined[0].json,
      "_S3_BUCKET_ID_", local.placeholders["_S3_BUCKET_ID_"]
    ),
    "_ARN_", "x"
  ) : ""
  names  = [for s in var.list : upper(s) if s != ""]
  by_key = { for k, v in var.map : k => v... }
  url    = "https://example.com/a//b" # } not a brace
  joined = "${join(",", [for s in var.x : "${s}-\\"q\\""])}"
  ids    = aws_instance.web[*].id
  neg    = !var.flag == true && var.n >= 2 || var.m <= 3
  doc = jsonencode(<<-EOT
    { "a": "${var.x}", "b": "%{ for i in var.l }${i}%{ endfor }" }
  EOT
  )
}

resource "aws_s3_bucket" "x" {
  bucket = "logs-archive" // trailing
  count  = var.n > 0 ? 1 : 0
  dynamic "grant" {
    for_each = var.grants
    content {
      permissions = grant.value.permissions
    }
  }
}
"""


def test_reader_keeps_its_place_through_real_world_expressions() -> None:
    local_values, bucket = parse(RICH)

    assert list(local_values.attributes) == ["policy", "names", "by_key", "url", "joined", "ids", "neg", "doc"]
    assert [attribute.line for attribute in local_values.attributes.values()] == [3, 10, 11, 12, 13, 14, 15, 16]
    assert (bucket.line, bucket.attributes["bucket"].value, bucket.attributes["count"].line) == (22, "logs-archive", 24)
    (dynamic,) = bucket.blocks
    assert (dynamic.type, dynamic.labels, dynamic.line) == ("dynamic", ("grant",), 25)


@pytest.mark.parametrize(
    ("expr", "value"),
    [
        ("true", True),
        ("null", None),
        ("-3", -3),
        ("1.5", 1.5),
        ('["a", 2]', ["a", 2]),
        ('{ "k" = 1, j: 2 }', {"k": 1, "j": 2}),
    ],
)
def test_literals(expr: str, value: object) -> None:
    assert literal_value(expr) == value


@pytest.mark.parametrize("expr", ["var.x", "1 + 2", 'upper("a")', '"${a}"', "[var.x]", "local.y[0]"])
def test_non_literals(expr: str) -> None:
    assert literal_value(expr) is NOT_LITERAL


@pytest.mark.parametrize(
    ("text", "line"),
    [('resource "a" "b" {\n', 1), ('x {\n  y = "unterminated\n}\n', 2), ("}\n", 1), ('a "b" = {\n', 1)],
)
def test_malformed_files_report_a_line(text: str, line: int) -> None:
    with pytest.raises(HclSyntaxError) as raised:
        parse(text)

    assert raised.value.line >= line


@given(st.text(alphabet=st.sampled_from(list('ab ="{}[]()#/*<-\n$%\\.,:EOT1'))))
def test_reader_either_parses_or_reports_a_syntax_error(text: str) -> None:
    try:
        blocks = parse(text)
    except HclSyntaxError as error:
        assert error.line >= 1
    else:
        assert all(block.line >= 1 for block in blocks)
