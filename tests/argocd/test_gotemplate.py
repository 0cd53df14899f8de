"""The Go template renderer: Go's output where it shows, Go's errors where Go fails, refusal where unsupported."""

from __future__ import annotations

import pytest

from genai_gitops.argocd.gotemplate import (
    StringList,
    StringMap,
    TemplateError,
    UnsupportedTemplateFeature,
    normalize,
    render,
)

PARAMS = {
    "path": {"path": "dist/customer-eu-1/tenant-acme-guardrails", "basename": "tenant-acme-guardrails",
             "segments": StringList(["dist", "customer-eu-1", "tenant-acme-guardrails"])},
    "name": "customer-eu-1",
    "metadata": {"labels": StringMap({"genai-gitops.io/environment": "prod"})},
    "replicas": 3.0,            # JSON numbers reach templates as float64
    "big": 1000000.0,
    "count": 2,
    "items": [1.0, "a", 2.5],
    "map": {"b": 1.0, "a": None},
    "empty": "",
    "flag": False,
}


@pytest.mark.parametrize(("template", "expected"), [
    # what the ApplicationSets in argocd/ use
    ("{{index .path.segments 1}}-{{.path.basename}}", "customer-eu-1-tenant-acme-guardrails"),
    ('{{trimSuffix "-guardrails" .path.basename}}', "tenant-acme"),
    ('{{index .metadata.labels "genai-gitops.io/environment"}}', "prod"),
    # pipelines and parenthesised calls
    ('{{ .path.basename | trimSuffix "-guardrails" | trimPrefix "tenant-" | upper }}', "ACME"),
    ('{{ .path.basename | printf "%s/%s" "pre" }}', "pre/tenant-acme-guardrails"),
    ("{{ (index .path.segments 2) | len }}", "22"),
    ('{{ replace "-" "_" .name }} {{ lower "ABC" }}', "customer_eu_1 abc"),
    ('{{ hasPrefix "customer" .name }} {{ hasSuffix "-1" .name }} {{ contains "eu" .name }}', "true true true"),
    ('{{ default "x" .empty }} {{ default "x" .name }} {{ quote .name }}', 'x customer-eu-1 "customer-eu-1"'),
    ('{{ normalize "Foo_Bar.baz-" }}', "foo-bar.baz"),
    ('{{ toJson .map }} {{ "<a&b>" | toJson }}', '{"a":null,"b":1} "\\u003ca\\u0026b\\u003e"'),
    # Go's fmt: floats, maps sorted, lists, nil inside a composite
    ("{{ .replicas }} {{ .big }} {{ .count }} {{ .items }} {{ .map }}", "3 1e+06 2 [1 a 2.5] map[a:<nil> b:1]"),
    ("{{ 1.5 }} {{ 0x1F }} {{ 017 }} {{ 'a' }} {{ 1_000 }} {{ -3 }}", "1.5 31 15 97 1000 -3"),
    ('{{ printf "%d|%5s|%-4s|%05.1f|%q|%v|%t" 3 "ab" "c" 3.14159 "q" .items true }}',
     '3|   ab|c   |003.1|"q"|[1 a 2.5]|true'),
    ('{{ printf "%d %s" "x" }}', "%!d(string=x) %!s(MISSING)"),
    # control structures, trim markers, variables, comments
    ('{{- if eq .name "x" }}x{{ else if eq .name "customer-eu-1" -}} eu {{- else }}other{{ end }}!', "eu!"),
    ("a  {{- /* a comment */ -}}  b", "ab"),
    ("{{ range $i, $s := .path.segments }}{{ $i }}={{ $s }};{{ end }}",
     "0=dist;1=customer-eu-1;2=tenant-acme-guardrails;"),
    ("{{ range $k, $v := .map }}{{ $k }}:{{ $v }} {{ end }}", "a:<no value> b:1 "),
    ("{{ range .path.segments }}[{{ . }}]{{ end }}", "[dist][customer-eu-1][tenant-acme-guardrails]"),
    ("{{ range .map.a }}x{{ else }}none{{ end }}", "none"),
    ("{{ range 3 }}{{ . }}{{ end }}", "012"),
    ("{{ with .path }}{{ .basename }}{{ end }}{{ with .empty }}x{{ else }}-{{ end }}", "tenant-acme-guardrails-"),
    ('{{ $x := "a" }}{{ if true }}{{ $x = "b" }}{{ end }}{{ $x }}', "b"),
    ("{{ $s := .path.segments }}{{ index $s 0 }}", "dist"),
    ("{{ and 1 0 }} {{ or 0 \"\" \"z\" }} {{ not .flag }} {{ and .count .name }}", "0 z true customer-eu-1"),
    ('{{ if and (hasPrefix "tenant-" .path.basename) (not (hasSuffix "x" .path.basename)) }}yes{{ end }}', "yes"),
    ("{{ len .items }} {{ len .map }} {{ len \"héllo\" }}", "3 2 6"),
    ('{{ ne .name "a" }} {{ lt 1 2 }} {{ ge "b" "a" }} {{ eq .count 1 2 }}', "true true true true"),
    ('{{ dict "a" 1 "b" .name | toJson }} {{ list 1 "x" | join "," }}', '{"a":1,"b":"customer-eu-1"} 1,x'),
    ('{{ ternary "y" "n" .flag }} {{ trunc 3 .name }} {{ splitList "-" .name | len }}', "n cus 3"),
    ("no actions at all", "no actions at all"),
])
def test_renders_like_go(template: str, expected: str) -> None:
    assert render(template, PARAMS) == expected


def test_index_on_a_string_map_yields_the_empty_string_for_a_missing_key() -> None:
    # Go's index returns the element type's zero value: "" for map[string]string (cluster labels),
    # nil - printed <no value> - for map[string]interface{}; missingkey does not apply to index
    assert render('[{{ index .metadata.labels "nope" }}]', PARAMS) == "[]"
    assert render('[{{ index .map "nope" }}]', PARAMS) == "[<no value>]"


@pytest.mark.parametrize(("missingkey", "expected"), [
    ("default", "<no value>|<no value>"), ("invalid", "<no value>|<no value>"), ("zero", "<no value>|"),
])
def test_missingkey_options(missingkey: str, expected: str) -> None:
    assert render("{{ .nope }}|{{ .metadata.labels.nope }}", PARAMS, missingkey=missingkey) == expected


@pytest.mark.parametrize(("template", "message"), [
    ("{{ .nope }}", 'template: executing at <.nope>: map has no entry for key "nope"'),
    ("{{ .path.nope }}", 'template: executing at <.path.nope>: map has no entry for key "nope"'),
    ("{{ .name.x }}", "can't evaluate field x in type string"),
    ("{{ .map.a.b }}", "nil pointer evaluating interface {}.b"),
    ("{{ index .path.segments 9 }}", "error calling index: index out of range: 9"),
    ("{{ index .path.segments 1.5 }}", "error calling index: cannot index slice/array with type float64"),
    ("{{ eq .replicas 3 }}", "error calling eq: incompatible types for comparison"),
    ("{{ trimSuffix 1 .name }}", "expected string; found 1"),
    ("{{ upper .count }}", "wrong type for value; expected string; got int"),
    ("{{ .path.basename | upper 1 }}", "wrong number of args for upper: want 1 got 2"),
    ("{{ .name 1 }}", "name is not a method but has arguments"),
    ("{{ foo 1 }}", "function 'foo' not defined"),
    ("{{ $y }}", "undefined variable '$y'"),
    ("{{ if .name }}", "unexpected EOF: {{if}} has no {{end}}"),
    ("{{ end }}", "unexpected {{end}}"),
    ('{{ "a" | "b" }}', "non executable command in pipeline stage 2"),
    ("{{ .name", "unclosed action"),
    ('{{ fail "stop here" }}', "error calling fail: stop here"),
    ("{{ range .name }}x{{ end }}", "range can't iterate over customer-eu-1"),
])
def test_go_errors(template: str, message: str) -> None:
    with pytest.raises(TemplateError) as info:
        render(template, PARAMS)
    assert not isinstance(info.value, UnsupportedTemplateFeature)
    assert message in str(info.value)


@pytest.mark.parametrize(("template", "named"), [
    ('{{ regexMatch "a" .name }}', "function 'regexMatch' is not supported"),
    ("{{ slugify .name }}", "function 'slugify' is not supported"),
    ('{{ define "x" }}y{{ end }}', "{{define}} (named templates) is not supported"),
    ('{{ template "x" }}', "{{template}} (named templates) is not supported"),
    ("{{ range .items }}{{ break }}{{ end }}", "{{break}} is not supported"),
    ('{{ printf "%#v" .map }}', "printf: %#v is not supported"),
    ('{{ printf "%e" .replicas | printf "%*d" 3 }}', "'*' width/precision is not supported"),
    ("{{ toYaml .map }}", "function 'toYaml' is only supported in templatePatch"),
    ("{{ 1i }}", "complex number 1i is not supported"),
])
def test_unsupported_constructs_are_refused_by_name(template: str, named: str) -> None:
    with pytest.raises(UnsupportedTemplateFeature) as info:
        render(template, PARAMS)
    assert named in str(info.value)


def test_to_yaml_in_a_template_patch_parses_back_to_the_same_data() -> None:
    import yaml

    text = render("spec:\n  values: {{ toYaml .map | nindent 4 }}", PARAMS, yaml_reparsed=True)
    assert yaml.safe_load(text) == {"spec": {"values": {"a": None, "b": 1.0}}}


def test_normalize_matches_argo_cds_sanitize_name() -> None:
    assert normalize("Customer_EU/1.") == "customer-eu-1"
    assert normalize("-a..b-") == "a..b"
    assert len(normalize("x" * 300)) == 253
