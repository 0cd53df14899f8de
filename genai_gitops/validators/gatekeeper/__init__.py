"""A gator-compatible Gatekeeper engine on regorus, one job per module as in gator.

- `template`: read ConstraintTemplates, compile each once (`TemplateCompiler`), bind per inventory;
- `normalise`: Rego rewrites that make regorus read templates as OPA does;
- `builtins`: Gatekeeper builtins regorus lacks (`external_data`, offline);
- `match`: `ConstraintMatcher`, Gatekeeper's `spec.match`;
- `inventory`: `data.inventory` as Gatekeeper syncs it;
- `review`: `input.review` as gator builds it;
- `expansion`: ExpansionTemplates (workload -> generated Pod);
- `engine`: `PolicyEngine`, constraints x objects -> violations with enforcement actions;
- `suite`: gator Suite reader and runner (results are data);
- `bundle`: policy folders and rendered trees -> templates, constraints, ExpansionTemplates;
- `validator`: the `policy` validator producing Findings.
"""

from genai_gitops.validators.gatekeeper.bundle import PolicyBundle, load_policy_bundle
from genai_gitops.validators.gatekeeper.engine import Constraint, PolicyEngine, Violation
from genai_gitops.validators.gatekeeper.suite import CaseResult, SuiteRunner
from genai_gitops.validators.gatekeeper.template import ConstraintTemplate, TemplateCompiler

__all__ = [
    "CaseResult",
    "Constraint",
    "ConstraintTemplate",
    "PolicyBundle",
    "PolicyEngine",
    "SuiteRunner",
    "TemplateCompiler",
    "Violation",
    "load_policy_bundle",
]
