"""Report keeps files and objects sorted and unique; a Report made again from one (dataclasses.replace) skips the
set and the sort, with exactly the tuples a fresh sort gives."""

from __future__ import annotations

import random
from dataclasses import replace

from genai_gitops.report.run import CheckedObject, Report


def objects(count: int) -> list[CheckedObject]:
    return [CheckedObject(f"dist/c{i % 3}/app{i % 7}/ConfigMap-{i}.yaml", i % 4 + 1, "ConfigMap", f"ns{i % 5}",
                          f"cm-{i}") for i in range(count)]


def test_sorted_unique_whatever_the_order_and_the_duplicates() -> None:
    items = objects(500)
    shuffled = [*items, *items[:50]]
    random.Random(7).shuffle(shuffled)
    for given in (items, shuffled, sorted(items), sorted(items, reverse=True), [*sorted(items), sorted(items)[-1]]):
        report = Report(objects=tuple(given), files=tuple(o.file for o in given))
        assert report.objects == tuple(sorted(set(given)))
        assert report.files == tuple(sorted({o.file for o in given}))
        again = replace(report, data_files=("tenants/a.yaml",))
        assert again.objects == report.objects and again.files == report.files


def test_objects_without_a_line_sort_as_before() -> None:
    # a line of None is compared with a number only when the files are equal: here the files decide
    given = (CheckedObject("b.yaml", None, "K", "", "x"), CheckedObject("a.yaml", 3, "K", "", "y"))
    assert Report(objects=given).objects == tuple(sorted(set(given)))
