"""The Go template engine: Go's output and Go's errors for the contract, a named refusal for the rest.

Every expected output and error below is Go's own, byte for byte: checked against text/template
(Go 1.19, Debian golang-go) with Sprig 3.2.3, the template name "base" and missingkey=error, as
Argo CD's Render.Replace sets them up.
"""

from __future__ import annotations

import pytest

from genai_gitops.argocd.gotemplate import (
    FIX,
    StringList,
    StringMap,
    TemplateError,
    UnsupportedTemplateFeature,
    normalize,
    render,
)

#: the parameters of one git-directories x clusters combination, plus values of other types
PARAMS = {
    "path": {"path": "dist/customer-eu-1/tenant-acme-guardrails", "basename": "tenant-acme-guardrails",
             "segments": StringList(["dist", "customer-eu-1", "tenant-acme-guardrails"])},
    "name": "customer-eu-1",
    "metadata": {"labels": StringMap({"genai-gitops.io/environment": "prod"})},
    "labels": {"a": "x", "nil": None},
    "list": ["a", 1.0],
    "nil": None,
    "num": 3.0,
    "flag": True,
}


@pytest.mark.parametrize(("template", "expected"), [
    # what appsets.py writes
    ("{{index .path.segments 1}}-{{.path.basename}}", "customer-eu-1-tenant-acme-guardrails"),
    ('{{trimSuffix "-guardrails" .path.basename}}', "tenant-acme"),
    ('{{index .metadata.labels "genai-gitops.io/environment"}}', "prod"),
    ("{{.path.path}}", "dist/customer-eu-1/tenant-acme-guardrails"),
    ("{{.name}}", "customer-eu-1"),
    # the same words with Go's freedom of spacing, text around them, several actions, no action
    ("a {{ .name }} b\n{{\t.path.basename\n}}\n", "a customer-eu-1 b\ntenant-acme-guardrails\n"),
    ("{{.path.basename}}}}", "tenant-acme-guardrails}}"),
    ("}}{{.name}}", "}}customer-eu-1"),
    ("no actions at all", "no actions at all"),
    # index: nested keys, the zero value of a missing key, nil printed as Go prints it
    ('{{index .metadata "labels" "genai-gitops.io/environment"}}', "prod"),
    ('{{index .path "segments" 2}}', "tenant-acme-guardrails"),
    ("{{index .path.segments 0}}", "dist"),
    ('[{{index .metadata.labels "nope"}}]', "[]"),  # map[string]string: ""
    ('[{{index .labels "nope"}}]', "[<no value>]"),  # map[string]interface{}: nil
    ('{{index .labels "nil"}}', "<no value>"),
    ('{{index .labels "a"}}', "x"),
    ("{{.nil}}", "<no value>"),
    # trimSuffix: once, only at the end
    ('{{trimSuffix "-x" .path.basename}}', "tenant-acme-guardrails"),
    ('{{trimSuffix "" .name}}', "customer-eu-1"),
    ("{{trimSuffix .name .name}}", ""),
    ('{{trimSuffix "x" "axx"}}', "ax"),
])
def test_renders_like_go(template: str, expected: str) -> None:
    assert render(template, PARAMS) == expected


@pytest.mark.parametrize(("template", "message"), [
    # missingkey=error: a key a map lacks, whatever the map's type
    ("{{.nope}}", 'template: base:1:2: executing "base" at <.nope>: map has no entry for key "nope"'),
    ("{{.path.nope}}", 'template: base:1:7: executing "base" at <.path.nope>: map has no entry for key "nope"'),
    ("{{.metadata.labels.nope}}",
     'template: base:1:11: executing "base" at <.metadata.labels.nope>: map has no entry for key "nope"'),
    ("{{ .nope.x }}", 'template: base:1:8: executing "base" at <.nope.x>: map has no entry for key "nope"'),
    ('{{trimSuffix "x" .nope}}', 'template: base:1:17: executing "base" at <.nope>: map has no entry for key "nope"'),
    ("{{index .path.nope 1}}", 'template: base:1:13: executing "base" at <.path.nope>: map has no entry for key '
                               '"nope"'),
    ("x\n  y {{ .nope }}", 'template: base:2:7: executing "base" at <.nope>: map has no entry for key "nope"'),
    ("héllo {{ .nope }}", 'template: base:1:10: executing "base" at <.nope>: map has no entry for key "nope"'),
    # fields of what is not a map
    ("{{.name.x}}", 'template: base:1:7: executing "base" at <.name.x>: can\'t evaluate field x in type interface {}'),
    ("{{.metadata.labels.genai.x}}", 'template: base:1:11: executing "base" at <.metadata.labels.genai.x>: map has '
                                     'no entry for key "genai"'),
    ("{{.path.segments.x}}",
     'template: base:1:7: executing "base" at <.path.segments.x>: can\'t evaluate field x in type interface {}'),
    ("{{.nil.x}}", 'template: base:1:6: executing "base" at <.nil.x>: nil pointer evaluating interface {}.x'),
    ('{{.name "x"}}', 'template: base:1:2: executing "base" at <.name>: name is not a method but has arguments'),
    # index: out of range (len itself passes Go's bound check, then reflect panics), wrong key types, nil
    ("{{index .path.segments 9}}",
     'template: base:1:2: executing "base" at <index .path.segments 9>: error calling index: index out of range: 9'),
    ("{{ index .path.segments 3 }}", 'template: base:1:3: executing "base" at <index .path.segments 3>: error '
                                     "calling index: reflect: slice index out of range"),
    ("{{index .path.segments -1}}", 'template: base:1:2: executing "base" at <index .path.segments -1>: error '
                                    "calling index: index out of range: -1"),
    ('{{index .path.segments "x"}}', 'template: base:1:2: executing "base" at <index .path.segments "x">: error '
                                     "calling index: cannot index slice/array with type string"),
    ("{{index .path.segments .num}}", 'template: base:1:2: executing "base" at <index .path.segments .num>: error '
                                      "calling index: cannot index slice/array with type float64"),
    ("{{index .labels 1}}",
     'template: base:1:2: executing "base" at <index .labels 1>: error calling index: value has type int; '
     "should be string"),
    ("{{index .metadata.labels .nil}}", 'template: base:1:2: executing "base" at <index .metadata.labels .nil>: '
                                        "error calling index: value is nil; should be of type string"),
    ("{{index .nil 1}}",
     'template: base:1:2: executing "base" at <index .nil 1>: error calling index: index of untyped nil'),
    ('{{index .labels "nil" "x"}}',
     'template: base:1:2: executing "base" at <index .labels "nil" "x">: error calling index: index of nil pointer'),
    ("{{index .num 1}}",
     'template: base:1:2: executing "base" at <index .num 1>: error calling index: can\'t index item of type float64'),
    ("{{index}}", 'template: base:1:2: executing "base" at <index>: wrong number of args for index: want at least 1 '
                  "got 0"),
    # trimSuffix: string arguments, two of them
    ("{{trimSuffix 1 .name}}", 'template: base:1:13: executing "base" at <1>: expected string; found 1'),
    ('{{trimSuffix "x" .num}}',
     'template: base:1:17: executing "base" at <.num>: wrong type for value; expected string; got float64'),
    ('{{trimSuffix "x" .nil}}',
     'template: base:1:17: executing "base" at <.nil>: wrong type for value; expected string; got interface {}'),
    ('{{trimSuffix "x" .metadata.labels}}', 'template: base:1:26: executing "base" at <.metadata.labels>: wrong '
                                            "type for value; expected string; got map[string]string"),
    ('{{trimSuffix "x"}}',
     'template: base:1:2: executing "base" at <trimSuffix>: wrong number of args for trimSuffix: want 2 got 1'),
    # what does not parse
    ("{{ .name", "template: base:1: unclosed action"),
    ("{{ }}", "template: base:1: missing value for command"),
    ("{{.path-x}}", "template: base:1: bad character U+002D '-'"),
    ("{{ a@b }}", "template: base:1: bad character U+0040 '@'"),
    ("{{ .path..x }}", "template: base:1: unexpected <.> in operand"),
])
def test_fails_like_go(template: str, message: str) -> None:
    with pytest.raises(TemplateError) as info:
        render(template, PARAMS)
    assert type(info.value) is TemplateError  # Argo CD fails too: not a preview limitation
    assert str(info.value) == message


@pytest.mark.parametrize(("template", "action", "construct"), [
    ("{{ .name | upper }}", "{{ .name | upper }}", "the pipeline |"),
    ("{{ upper .name }}", "{{ upper .name }}", "the function upper"),
    ("{{ foo 1 }}", "{{ foo 1 }}", "the function foo"),
    ('{{ trimSuffix "x" (.name) }}', '{{ trimSuffix "x" (.name) }}', "parentheses"),
    ('{{ trimSuffix "x" index }}', '{{ trimSuffix "x" index }}',
     "index as an argument (a function call needs parentheses)"),
    ("{{ if .flag }}x{{ end }}", "{{ if .flag }}", "{{if}}"),
    ("{{ range .list }}x{{ end }}", "{{ range .list }}", "{{range}}"),
    ("{{ $x := .name }}", "{{ $x := .name }}", "variables ($)"),
    ("{{- .name }}", "{{- .name }}", "the trim marker {{-"),
    ("{{ .name -}}", "{{ .name -}}", "the trim marker -}}"),
    ("{{/* note */}}", "{{/* note */}}", "comments ({{/* */}})"),
    ("{{ . }}", "{{ . }}", "the dot (.) on its own"),
    ('{{ "x" }}', '{{ "x" }}', 'the constant "x" as a command'),
    ("{{ true }}", "{{ true }}", "the constant true"),
    ("{{ index .path.segments 0x1 }}", "{{ index .path.segments 0x1 }}", "the number 0x1 (only decimal integers are)"),
    ("{{ index .path.segments 01 }}", "{{ index .path.segments 01 }}", "the number 01 (only decimal integers are)"),
    ("{{ trimSuffix `x` .name }}", "{{ trimSuffix `x` .name }}", "raw strings (`...`)"),
    ('{{ trimSuffix "\\n" .name }}', '{{ trimSuffix "\\n" .name }}', "escape sequences in strings"),
    # values the engine would have to print like Go's fmt
    ("{{ .num }}", "{{ .num }}", "printing a value of type float64"),
    ("{{ .flag }}", "{{ .flag }}", "printing a value of type bool"),
    ("{{ .path }}", "{{ .path }}", "printing a value of type map[string]interface {}"),
    ("{{ index .path.segments }}", "{{ index .path.segments }}", "printing a value of type []string"),
    ("{{ index .name 1 }}", "{{ index .name 1 }}", "index of a string (Go yields a byte)"),
    # refused while parsing, before anything runs
    ("{{ .name }}{{ .nope }}{{ .name | x }}", "{{ .name | x }}", "the pipeline |"),
])
def test_everything_else_is_refused_by_name(template: str, action: str, construct: str) -> None:
    with pytest.raises(UnsupportedTemplateFeature) as info:
        render(template, PARAMS)
    assert str(info.value) == f"`{action}`: {construct}: {FIX}"


def test_normalize_matches_argo_cds_sanitize_name() -> None:
    assert normalize("Customer_EU/1.") == "customer-eu-1"
    assert normalize("-a..b-") == "a..b"
    assert len(normalize("x" * 300)) == 253
