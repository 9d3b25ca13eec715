"""Subcommands of `python -m readiness`: each module adds its own with register(subparsers)."""
import argparse


def add_db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="URL", help="database URL (default: READINESS_DATABASE_URL, "
                        "else the SQLite file readiness.db)")


def add_platform_option(parser: argparse.ArgumentParser, required: bool = True) -> None:
    parser.add_argument("--platform", metavar="FILE", required=required, help="platform config YAML")
