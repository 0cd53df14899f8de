import sys

from genai_gitops.cli import main

sys.exit(main())
