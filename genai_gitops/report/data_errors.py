"""Invalid tenant or cluster data as findings, so CI gets a report in every format, not only a message.

`check` loads the data first; a typo there used to end the run before any writer ran, leaving SARIF,
JSON and JUnit consumers with nothing. Each Problem becomes one error finding on the data file, with
the field's line when the file can be read.
"""

from __future__ import annotations

from genai_gitops.model.errors import ModelError
from genai_gitops.model.locate import field_line
from genai_gitops.report.finding import Finding, Severity

#: Finding.validator and Finding.rule of a problem in tenants/*.yaml or clusters.yaml
DATA_VALIDATOR = "data"
DATA_RULE = "invalid-data"


def data_findings(error: ModelError) -> list[Finding]:
    return [Finding(file=problem.file, line=field_line(problem.file, problem.field, problem.message),
                    api_version="", kind="", namespace="", name="", validator=DATA_VALIDATOR, rule=DATA_RULE,
                    severity=Severity.ERROR,
                    message=f"{problem.field}: {problem.message}" if problem.field else problem.message)
            for problem in error.problems]
