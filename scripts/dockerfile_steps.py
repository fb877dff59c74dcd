"""Turn the project's Dockerfile into shell lines, so scripts/fresh-machine-test.sh can run the
same steps in a python:3.11-slim-like root where no Docker engine is available.

    python3 scripts/dockerfile_steps.py Dockerfile

Understands what the Dockerfile uses: FROM (skipped: the root stands for the image), ENV,
WORKDIR, COPY (from the build context, as `cp -a`), RUN, USER, VOLUME/EXPOSE (skipped),
HEALTHCHECK CMD and CMD in exec form. Prints one line per step: ``KIND<TAB>argument``, where the
argument of ENV is ``NAME=value``, of HEALTHCHECK and CMD a shell-quoted command. Anything else
is an error, so the test cannot silently skip a step the image would run.
"""

from __future__ import annotations

import json
import shlex
import sys


def instructions(text: str) -> list[tuple[str, str]]:
    """(KEYWORD, rest) per instruction, continuation lines joined and comments dropped."""
    out, current = [], ""
    for raw in text.splitlines():
        line = raw.strip()
        if not current and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        current += line
        keyword, _, rest = current.partition(" ")
        out.append((keyword.upper(), rest.strip()))
        current = ""
    return out


def steps(text: str) -> list[tuple[str, str]]:
    out = []
    for keyword, rest in instructions(text):
        if keyword in ("FROM", "VOLUME", "EXPOSE"):
            continue
        if keyword == "ENV":
            out += [("ENV", pair) for pair in shlex.split(rest)]
        elif keyword in ("WORKDIR", "RUN", "USER"):
            out.append((keyword, rest))
        elif keyword == "COPY":
            *sources, target = shlex.split(rest)
            out += [("COPY", f"{source} {target}") for source in sources if not source.startswith("--")]
        elif keyword in ("CMD", "HEALTHCHECK"):
            command = rest[rest.index("CMD") + 3:].strip() if keyword == "HEALTHCHECK" else rest
            out.append((keyword, shlex.join(json.loads(command))))
        else:
            raise SystemExit(f"dockerfile_steps: {keyword} is not supported")
    return out


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as fh:
        for kind, argument in steps(fh.read()):
            print(f"{kind}\t{argument}")
