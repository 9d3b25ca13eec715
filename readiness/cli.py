"""`python -m readiness`: the same domain as the app, for pipelines and terminals."""
from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from typing import Sequence

from sqlalchemy.exc import DBAPIError, SQLAlchemyError

import readiness.commands
from readiness.errors import ReadinessError
from readiness.yamlsource import ConfigError

EXIT_OK, EXIT_NO, EXIT_ERROR = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # exit 2 with a one-line message, never a traceback
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_ERROR)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m readiness", description="Production readiness, with evidence from AWS.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    # Each module of readiness.commands adds its own subcommands through register(sub).
    for info in sorted(pkgutil.iter_modules(readiness.commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"readiness.commands.{info.name}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return EXIT_ERROR
    except ReadinessError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except SQLAlchemyError as exc:
        # Never echo a connection URL: it may carry a password.
        print(f"error: the store could not be used: {type(exc).__name__}: {str(exc.orig or exc).splitlines()[0]}"
              if isinstance(exc, DBAPIError) else f"error: the store could not be used: {type(exc).__name__}",
              file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, as command-line tools do.
        sys.stderr.close()
        return EXIT_OK
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
