from genai_gitops.cli import entry

entry()
