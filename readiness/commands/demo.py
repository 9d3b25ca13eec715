"""`demo serve`: run the demo's simulated AWS on 127.0.0.1 until stopped, and say how to collect from it."""
from __future__ import annotations

import argparse
import os
import threading

from readiness.commands import add_platform_option
from readiness.errors import InvalidInput
from readiness.platform import Platform, load_platform

# What a collecting process needs to reach the simulation: it accepts any credentials, and fake
# ones keep real ones (and any profile that could refresh them from AWS) out of the way.
SIMULATED_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "demo", "AWS_SECRET_ACCESS_KEY": "demo"}
REAL_CREDENTIAL_SETTINGS = ("AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
                            "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_ENDPOINT_URL")


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("demo", help="the demo platform's simulated AWS")
    inner = parser.add_subparsers(dest="demo_command", required=True)
    serve = inner.add_parser("serve", help="run the simulated AWS on 127.0.0.1 until stopped (Ctrl+C)")
    serve.add_argument("--port", type=int, default=0, metavar="N", help="port to listen on (default: any free port)")
    add_platform_option(serve, required=False)
    serve.set_defaults(handler=run_serve)


def demo_platform_from(path: str | None) -> Platform:
    from readiness.demo import DEMO_PLATFORM_FILE

    platform = load_platform(path or DEMO_PLATFORM_FILE)
    if not platform.demo:
        raise InvalidInput(f"{path} is not a demo platform (demo: true): only a demo's AWS is simulated.")
    return platform


def use_simulated_credentials() -> None:
    """For a process that talks to the simulation only: fake credentials, none of the user's."""
    for name in REAL_CREDENTIAL_SETTINGS:
        os.environ.pop(name, None)
    os.environ.update(SIMULATED_CREDENTIALS)


def run_serve(args: argparse.Namespace) -> int:
    from readiness.demo import ensure_demo
    from readiness.demo.manifest import DONE_RIGHT, GAPS
    from readiness.demo.server import running_server

    platform = demo_platform_from(args.platform)
    estate = ensure_demo(platform, port=args.port)
    platform_file = args.platform or "data/platforms/demo.yaml"
    print(f"Simulated AWS of {platform.name} running at {estate.endpoint_url} "
          f"(seeded in {estate.seeded_in_seconds:.1f} s).")
    for name, account in estate.accounts.items():
        print(f"  {name:<12} account {account}")
    print(f"{len(GAPS)} known gaps and {len(DONE_RIGHT)} things done right, listed in readiness/demo/manifest.py.")
    print("\nCollect evidence from it in another terminal:\n"
          f"  AWS_ACCESS_KEY_ID=demo AWS_SECRET_ACCESS_KEY=demo python -m readiness collect "
          f"--platform {platform_file} --endpoint-url {estate.endpoint_url}\n"
          "(the simulation takes any credentials; fake ones keep yours out of it)\n"
          f"or let collect run its own simulation:\n  python -m readiness collect --platform {platform_file} --demo\n"
          "\nPress Ctrl+C to stop.", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server = running_server()
        if server is not None:
            server.stop()
        print("Simulated AWS stopped.")
    return 0
