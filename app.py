"""cdk8s entry point (cdk8s.yaml runs it): the same synth as `genai-gitops synth` with the repository's data.

`cdk8s synth` empties its own output folder first; this app writes dist/ and argocd/ itself,
atomically, so a failing synth leaves the committed output untouched.
"""

import os
import sys

from genai_gitops.cli import main

if __name__ == "__main__":
    os.chdir(os.path.dirname(os.path.abspath(__file__)))
    code = main(["synth", "--quiet"])  # the cdk8s CLI shows the app's stderr, not its stdout
    if code == 0:  # the CLI checks that its scratch folder exists after a successful app run
        os.makedirs(os.environ.get("CDK8S_OUTDIR", "cdk8s.out"), exist_ok=True)
        print("(cdk8s.out/ stays empty: this app writes dist/ and argocd/ itself, atomically)", file=sys.stderr)
    sys.exit(code)
