"""The simulated AWS of the demo: one moto server on 127.0.0.1 per process, started on first use."""
from __future__ import annotations

import logging
import os
import socket
import threading
from dataclasses import dataclass

from readiness.errors import ReadinessError

HOST = "127.0.0.1"
_lock = threading.Lock()
_running: "DemoServer | None" = None


class DemoUnavailable(ReadinessError):
    """The simulated AWS could not be started."""


@dataclass(frozen=True)
class DemoServer:
    endpoint_url: str
    port: int
    _server: object

    def stop(self) -> None:
        global _running
        with _lock:
            self._server.stop()  # type: ignore[attr-defined]
            if _running is self:
                _running = None


def _keep_local_traffic_off_proxies() -> None:
    # A proxy set for the real internet must never see (or break) calls to the local simulation.
    if not any(os.environ.get(name) for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy")):
        return
    for name in ("NO_PROXY", "no_proxy"):
        current = [item for item in os.environ.get(name, "").split(",") if item]
        if HOST not in current:
            os.environ[name] = ",".join([*current, HOST])


def _route_requests_faster() -> None:
    # moto lists its own package folder on every request to route it (over 1 ms a call, most of a
    # request's cost); the listing cannot change while the process runs, so list it once.
    from moto import backends

    original = getattr(backends, "list_of_moto_modules", None)
    if original is None or getattr(original, "listed_once", False):
        return
    listing = tuple(original())

    def listed() -> tuple[str, ...]:
        return listing

    listed.listed_once = True  # type: ignore[attr-defined]
    backends.list_of_moto_modules = listed


def _check_port_free(port: int) -> None:
    # moto's server thread would die on a taken port and leave its starter waiting forever: ask first.
    if not 0 < port < 65536:
        raise DemoUnavailable(f"Port {port} is not a TCP port number (1 to 65535).")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((HOST, port))
        except OSError as exc:
            raise DemoUnavailable(f"Cannot run the simulated AWS on {HOST}:{port}: {exc.strerror or exc}. "
                                  "Choose another port, or leave it out to take any free one.") from None


def start_server(port: int = 0) -> DemoServer:
    """The process's simulated AWS, started on `port` (0: any free port) the first time it is asked for."""
    global _running
    with _lock:
        if _running is not None:
            if port and port != _running.port:
                raise DemoUnavailable(
                    f"The simulated AWS already runs on port {_running.port} in this process; "
                    f"it cannot also run on port {port}.")
            return _running
        if "MOTO_ACCOUNT_ID" in os.environ:
            # moto would then put every account's resources into one account, and the demo's
            # staging and production accounts would collapse into each other.
            raise DemoUnavailable("MOTO_ACCOUNT_ID is set in the environment; unset it to run the demo, "
                                  "which simulates two separate AWS accounts.")
        if port:
            _check_port_free(port)
        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        _route_requests_faster()
        server = ThreadedMotoServer(ip_address=HOST, port=port, verbose=False)
        server.start()
        _keep_local_traffic_off_proxies()
        host, bound = server.get_host_and_port()
        _running = DemoServer(endpoint_url=f"http://{host}:{bound}", port=bound, _server=server)
        return _running


def running_server() -> DemoServer | None:
    return _running
