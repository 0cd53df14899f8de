"""The `schema` validator: strict JSON Schema validation of every object, offline (kubeconform-style).

- `registry`: SchemaRegistry finds and compiles schemas (bundled Kubernetes schemas, the project's
  CRD schemas in genai_gitops/schemas/crds/);
- `constraints`: schemas of Gatekeeper constraints, built from their ConstraintTemplates;
- `openapi`: the OpenAPI v3 (CRD) to JSON Schema translation those need;
- `messages`: errors as `dotted.path: what is wrong; what to do`;
- `validator`: SchemaValidator, which ties them together behind the Validator interface.
"""

from genai_gitops.validators.schema.registry import CompiledSchema, MissingSchema, SchemaRegistry
from genai_gitops.validators.schema.validator import SchemaValidator

__all__ = ["CompiledSchema", "MissingSchema", "SchemaRegistry", "SchemaValidator"]
