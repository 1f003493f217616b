"""Headless Chromium for tests: load a local page with no network and read back what the page
itself computed (its DOM after scripts ran), or take a screenshot."""

from __future__ import annotations

import json
import os
import select
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from planner.headless import OFFLINE_FLAGS, chromium, run_chromium

CHROMIUM = chromium()


def _run(args: list[str], timeout: float = 60) -> subprocess.CompletedProcess:
    """Chromium offline (planner.headless: no request the page makes can leave the machine)."""
    proc = run_chromium(["--virtual-time-budget=5000", *args], timeout)
    assert proc is not None, "chromium is not installed (scripts/install-system.sh installs it)"
    return proc


def dump_dom(page: Path) -> str:
    """The page's DOM after its scripts ran."""
    return _run(["--dump-dom", page.resolve().as_uri()]).stdout


def screenshot(page: Path, png: Path, size: str = "1200,900") -> Path:
    png.parent.mkdir(parents=True, exist_ok=True)
    _run([f"--screenshot={png}", f"--window-size={size}", page.resolve().as_uri()])
    return png


def print_pdf(page: Path, pdf: Path) -> Path:
    _run(["--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.resolve().as_uri()])
    return pdf


# ---- a watched page load over the DevTools protocol (a pipe: no port, no websocket) ----------
WATCH_FLAGS = [*OFFLINE_FLAGS, "--remote-debugging-pipe"]


@dataclass
class PageWatch:
    """What a page did while it loaded: dialogs it opened (alert/confirm/prompt/beforeunload),
    every request it made (URL) besides the page itself, console messages, uncaught script
    errors, and the value of the `probe` expression evaluated after load."""

    dialogs: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    probe: Any = None


class _Pipe:
    """DevTools messages over fds 3 (to Chromium) and 4 (from it), NUL-separated JSON."""

    def __init__(self, write_fd: int, read_fd: int) -> None:
        self.w, self.r = write_fd, read_fd
        self.buffer = b""
        self.next_id = 0

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> int:
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.w, json.dumps(message).encode() + b"\0")
        return self.next_id

    def receive(self, deadline: float) -> dict | None:
        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.r], [], [], left)[0]:
                return None
            chunk = os.read(self.r, 1 << 20)
            if not chunk:
                return None
            self.buffer += chunk
        raw, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(raw)


def watch_page(
    page: Path, probe: str = "document.title", settle_s: float = 0.5, timeout: float = 60
) -> PageWatch:
    """Load `page` in headless Chromium under the DevTools protocol, recording dialogs (each
    answered, so a page cannot block), requests, console lines and errors; then evaluate
    `probe` (a JS expression whose JSON-able value is returned in `.probe`)."""
    assert CHROMIUM, "chromium is not installed (scripts/install-system.sh installs it)"
    url = page.resolve().as_uri()
    seen = PageWatch()
    to_chrome_r, to_chrome_w = os.pipe()
    from_chrome_r, from_chrome_w = os.pipe()
    with tempfile.TemporaryDirectory() as profile:
        proc = subprocess.Popen(
            [CHROMIUM, *WATCH_FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(3, 4),  # kept open: the child's fds 3 and 4 are set in _pipe_fds
            preexec_fn=lambda: _pipe_fds(to_chrome_r, from_chrome_w),
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        pipe = _Pipe(to_chrome_w, from_chrome_r)
        deadline = time.monotonic() + timeout
        try:
            session = _attach(pipe, deadline)
            # Each domain is on before the page loads (the answers come back out of order).
            waiting = {
                pipe.send(m, session=session)
                for m in ("Page.enable", "Network.enable", "Runtime.enable")
            }
            while waiting:
                message = pipe.receive(deadline)
                assert message is not None, "Chromium did not enable the DevTools domains"
                waiting.discard(message.get("id"))
            pipe.send("Page.navigate", {"url": url}, session=session)
            loaded_at = None
            while True:
                wait_until = deadline if loaded_at is None else min(deadline, loaded_at + settle_s)
                message = pipe.receive(wait_until)
                if message is None:
                    break
                method, params = message.get("method"), message.get("params", {})
                if method == "Page.javascriptDialogOpening":
                    seen.dialogs.append(f"{params.get('type')}: {params.get('message')}")
                    pipe.send("Page.handleJavaScriptDialog", {"accept": True}, session=session)
                elif method == "Network.requestWillBeSent":
                    if params.get("request", {}).get("url") != url:
                        seen.requests.append(params["request"]["url"])
                elif method == "Runtime.consoleAPICalled":
                    seen.console.append(
                        " ".join(
                            str(a.get("value", a.get("description", "")))
                            for a in params.get("args", [])
                        )
                    )
                elif method == "Runtime.exceptionThrown":
                    details = params.get("exceptionDetails", {})
                    seen.errors.append(
                        str(details.get("exception", {}).get("description") or details.get("text"))
                    )
                elif method == "Page.loadEventFired" and loaded_at is None:
                    loaded_at = time.monotonic()
            assert loaded_at is not None, f"{page} did not finish loading"
            wanted = pipe.send(
                "Runtime.evaluate", {"expression": probe, "returnByValue": True}, session=session
            )
            while (message := pipe.receive(deadline)) is not None:
                if message.get("id") == wanted:
                    result = message.get("result", {})
                    assert "exceptionDetails" not in result, result
                    seen.probe = result.get("result", {}).get("value")
                    break
                if message.get("method") == "Page.javascriptDialogOpening":
                    seen.dialogs.append(str(message.get("params", {}).get("message")))
                    pipe.send("Page.handleJavaScriptDialog", {"accept": True}, session=session)
            pipe.send("Browser.close")
        finally:
            os.close(to_chrome_w)
            os.close(from_chrome_r)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    return seen


def _pipe_fds(read_fd: int, write_fd: int) -> None:
    """In the child: Chromium reads commands on fd 3 and writes answers on fd 4."""
    a, b = os.dup(read_fd), os.dup(write_fd)
    os.dup2(a, 3)
    os.dup2(b, 4)


def _attach(pipe: _Pipe, deadline: float) -> str:
    """The session id of a page target attached in flat mode."""
    asked = pipe.send("Target.getTargets")
    target_id = None
    while target_id is None:
        message = pipe.receive(deadline)
        assert message is not None, "Chromium did not answer on the DevTools pipe"
        if message.get("id") == asked:
            pages = [t for t in message["result"]["targetInfos"] if t["type"] == "page"]
            if pages:
                target_id = pages[0]["targetId"]
            else:
                asked = pipe.send("Target.createTarget", {"url": "about:blank"})
        elif message.get("id") and "targetId" in message.get("result", {}):
            target_id = message["result"]["targetId"]
    asked = pipe.send("Target.attachToTarget", {"targetId": target_id, "flatten": True})
    while True:
        message = pipe.receive(deadline)
        assert message is not None, "Chromium did not attach to the page"
        if message.get("id") == asked:
            return message["result"]["sessionId"]
