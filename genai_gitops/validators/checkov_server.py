"""Run checkov's own CLI many times for the price of one start: this script runs under checkov's interpreter
(its virtualenv, not ours: nothing from genai_gitops is imported here), imports checkov once, then forks one
child per scan.

Importing checkov costs about 4 s of CPU, scanning one namespace a fraction of that; a check ran the CLI
twice per cluster. Each child is a copy of this process taken after the import and before any scan, so
every scan starts from the same state a fresh `checkov` process reaches after its imports, and runs the
same entry point (`Checkov(argv).run()`, what `bin/checkov` calls) with the same arguments: its report is
the CLI's report. Nothing a scan changes survives it (the child exits).

Protocol (one JSON document per line): a request `{"scans": [[argv, out_path], ...]}` on stdin starts
every scan at once (one child each); the reply `{"codes": [exit_code, ...]}` on stdout comes when all
ended. A child writes checkov's stdout to `out_path` and its stderr to `out_path + ".err"`. EOF: exit.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import warnings


def _scan(argv: list[str], out: str) -> int:
    """In the child: checkov's CLI on `argv`, stdout and stderr to files; the CLI's exit code."""
    with open(out, "wb") as stdout, open(out + ".err", "wb") as stderr:
        os.dup2(stdout.fileno(), 1)
        os.dup2(stderr.fileno(), 2)
    # the child's streams until it exits (os._exit): no context to close them in
    sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    sys.argv = ["checkov", *argv]
    code: object = 0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category=SyntaxWarning)  # as bin/checkov does
            code = main.Checkov(argv).run()
    except SystemExit as exc:
        code = exc.code
    except BaseException as exc:  # reported through the exit code and stderr, like a crashed CLI
        print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
        code = 3
    sys.stdout.flush()
    sys.stderr.flush()
    return code if isinstance(code, int) else (0 if code is None else 1)


def serve() -> None:
    replies = sys.stdout
    for line in sys.stdin:
        if not line.strip():
            continue
        scans = json.loads(line)["scans"]
        children = []
        for argv, out in scans:
            pid = os.fork()
            if pid == 0:
                code = 3
                try:
                    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
                    code = _scan(argv, out)
                finally:
                    os._exit(code)  # never return into the server loop
            children.append(pid)
        codes = []
        for pid in children:
            _, status = os.waitpid(pid, 0)
            codes.append(os.waitstatus_to_exitcode(status))
        replies.write(json.dumps({"codes": codes}) + "\n")
        replies.flush()


if __name__ == "__main__":
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=SyntaxWarning)
        main = importlib.import_module("checkov.main")
    serve()
