"""The simulated AWS of the benchmarks: moto's server in a process of its own, with its CPU time measured.

Its own process so that it does not share an interpreter (and a lock) with the code being measured:
the collection then competes with it for a core, as it would with any remote service, but not for Python.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TICKS = os.sysconf("SC_CLK_TCK")

# moto's application, with the demo's faster request routing, served by uvicorn: unlike moto's own
# server (werkzeug, which closes the connection after every answer), it keeps connections open between
# requests as AWS does, so a call costs no TCP handshake and no new server thread.
SERVE = """
import socket, sys
sys.path[:0] = [sys.argv[1], sys.argv[1] + "/bench"]
import uvicorn
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from readiness.demo.server import _route_requests_faster
from moto_fidelity import page_parameters_as_aws
_route_requests_faster()
page_parameters_as_aws()
listener = socket.socket()
# Connections inherit this: without it, an answer written in two parts waits 40 ms for the client's ACK.
listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
listener.bind(("127.0.0.1", 0))
listener.listen(128)  # connections wait in the queue until the server takes them
print(f"http://127.0.0.1:{listener.getsockname()[1]}", flush=True)
config = uvicorn.Config(DomainDispatcherApplication(create_backend_app), interface="wsgi", log_level="warning",
                        access_log=False, timeout_keep_alive=60)
uvicorn.Server(config).run(sockets=[listener])
"""


class SimulatedAws:
    """moto on 127.0.0.1 in a child process: `endpoint_url`, its CPU seconds so far, and stop()."""

    def __init__(self, log: Path) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "MOTO_ACCOUNT_ID"}
        # The estate runs no EC2 instances: skip loading thousands of machine images per account.
        env["MOTO_EC2_LOAD_DEFAULT_AMIS"] = "false"
        self.log = log
        # The log goes to a file: a pipe nobody reads fills up and stops the server.
        self._log_file = log.open("w")
        self.process = subprocess.Popen([sys.executable, "-c", SERVE, str(ROOT)], stdout=subprocess.PIPE,
                                        stderr=self._log_file, env=env, text=True)
        line = self.process.stdout.readline().strip() if self.process.stdout else ""
        if not line.startswith("http://"):
            self.stop()
            raise RuntimeError(f"the simulated AWS did not start; see {log}")
        self.endpoint_url = line

    def cpu_seconds(self) -> float:
        """User and system CPU time the server process has used so far (Linux /proc)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self._log_file.close()

