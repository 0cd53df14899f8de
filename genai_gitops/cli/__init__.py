"""`genai-gitops`: a thin layer that parses options, calls the library and picks the exit code.

Exit codes (one place): 0 clean, 1 findings or invalid input data, 2 usage or internal error.
Each sub-command lives in its own module exposing `register(subparsers)`. No input and no environment
ends in a traceback: an OS error is one line naming the path, anything unexpected one line asking for a
bug report (GENAI_GITOPS_DEBUG=1 shows the traceback).
"""

from __future__ import annotations

import argparse
import atexit
import importlib
import os
import sys
import threading
import traceback
from collections.abc import Sequence
from pathlib import Path

from genai_gitops import __version__
from genai_gitops.model.errors import ModelError
from genai_gitops.pools import WorkerDied

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
#: what a shell reports for a process whose reader went away (128 + SIGPIPE), as for `yes | head`
EXIT_BROKEN_PIPE = 141
EXIT_INTERRUPTED = 130

# one module per sub-command, imported in this order (the order of `--help`)
COMMANDS = ("synth", "tenant", "validate", "check", "diff", "policy", "graph", "argocd", "rules")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """Every sub-command's parser, or only that of `only` (the command given: importing the others, and the
    library each imports, is a tenth of a second of an incremental check)."""
    parser = argparse.ArgumentParser(prog="genai-gitops", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"genai-gitops {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        if only is None or name == only:
            importlib.import_module(f"genai_gitops.cli.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    # `genai-gitops check ...`: the command comes first (the top level has only --help and --version)
    parser = build_parser(arguments[0] if arguments and arguments[0] in COMMANDS else None)
    args = parser.parse_args(arguments)
    prog = f"genai-gitops {args.command}"
    try:
        return int(args.handler(args))
    except ModelError as exc:
        print(f"error: invalid input data\n{exc}", file=sys.stderr)
        return EXIT_FINDINGS
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except WorkerDied as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except OSError as exc:
        # an environment problem (a folder that cannot be created or read): one line, no traceback
        print(f"{prog}: error: {describe_os_error(exc)}", file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:
        if os.environ.get("GENAI_GITOPS_DEBUG"):
            raise
        frames = traceback.extract_tb(exc.__traceback__)
        where = f" (at {Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
        print(f"{prog}: internal error: {type(exc).__name__}: {exc}{where}; please report it "
              "(GENAI_GITOPS_DEBUG=1 shows the traceback)", file=sys.stderr)
        return EXIT_ERROR


def entry() -> None:
    """The `genai-gitops` command (and `python -m genai_gitops`): main, then a quick exit.

    After a check of 1,000 tenants the interpreter's own teardown (freeing every object, one by one) takes
    0.15 s, for nothing: the threads are waited for, the exit handlers run and the streams are flushed here, as
    the interpreter would, and then the process ends."""
    code = main()
    shutdown = getattr(threading, "_shutdown", None)
    if shutdown is None:  # another Python: its own exit, as usual
        sys.exit(code)
    # what the interpreter's exit does first, in its order: wait for the threads that are not daemons (and run the
    # exit hooks of thread and process pools), then the exit handlers
    shutdown()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None and not stream.closed:
                stream.flush()
        except (OSError, ValueError):
            code = code or 120  # what the interpreter's own exit returns when its last flush fails
    os._exit(code)


def describe_os_error(exc: OSError) -> str:
    """`cannot write /proc/x: No such file or directory`: the operation, the path and the reason."""
    path = exc.filename if exc.filename is not None else ""
    reason = exc.strerror or str(exc)
    return f"{path}: {reason}" if path else reason


def _silence_stdout() -> None:
    """The reader of stdout went away (`| head`): point stdout at /dev/null so that the interpreter's
    final flush does not raise a second BrokenPipeError (the Python docs' recipe for SIGPIPE)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a real file (captured in tests)
        pass
