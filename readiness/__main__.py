"""Entry point of `python -m readiness`."""
import sys

from readiness.cli import main

sys.exit(main())
