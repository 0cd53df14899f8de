"""cdk8s constructs for the GenAI platform: one module per component, stacks that compose them.

Lives under `constructs/` (which has no __init__.py) so `import constructs` stays the library.
"""

from genai_gitops.jsii_node import use_bundled_node

use_bundled_node()  # before any module here imports cdk8s
