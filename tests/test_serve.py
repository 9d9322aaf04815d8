"""`make run`'s last steps for real: setup-demo, then `esg-portal serve` answers on its port."""
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ESG_PORTAL = str(Path(sys.executable).with_name("esg-portal"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")), reason="runs the embedded SQLite default")
def test_setup_demo_then_serve_answers_with_the_login_page(tmp_path):
    env = {**os.environ, "ESG_INSTANCE_PATH": str(tmp_path), "ESG_ENV": "development"}
    env.pop("DATABASE_URL", None)
    setup = subprocess.run([ESG_PORTAL, "setup-demo"], env=env, capture_output=True, text=True, timeout=120)
    assert setup.returncode == 0, setup.stderr
    assert "Demo data loaded; 2024 reconciled and published as version 1" in setup.stdout
    again = subprocess.run([ESG_PORTAL, "setup-demo"], env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and "left as it is" in again.stdout
    port = _free_port()
    server = subprocess.Popen([ESG_PORTAL, "serve", "--port", str(port)], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    try:
        body = None
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login?lang=en", timeout=2) as response:
                    body = response.read().decode()
                break
            except OSError:
                time.sleep(0.1)
        assert body is not None, "the server did not answer"
        assert 'name="email"' in body and 'name="csrf_token"' in body
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=10)
    assert f"http://127.0.0.1:{port}" in output
    assert "filer1@demo.kg" in output and "demo-pass-2025" in output
