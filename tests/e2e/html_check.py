"""Open an HTML file in a real headless Chromium (Debian's `chromium`) and
watch it through the Chrome DevTools Protocol: every network request the
page makes, every console error, uncaught exception and browser log error
(a Content Security Policy violation lands there). Scripts in the page can
be evaluated and the page captured as PNG.

Used by test_html_report.py; also a command line tool for a quick look:
    python3 tests/e2e/html_check.py report.html --screenshot out.png
The CDP client is python3-websockets (asyncio); nothing else is needed."""
import argparse
import asyncio
import base64
import json
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

import websockets

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--no-default-browser-check",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--disable-extensions", "--disable-default-apps",
                  "--hide-scrollbars", "--mute-audio", "--remote-debugging-port=0"]


def chromium_path():
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


class PageError(AssertionError):
    pass


class Page:
    """One tab in a private headless Chromium; use as an async context manager."""

    def __init__(self, timeout=30.0, width=1400, height=1000):
        self.timeout = timeout
        self.width, self.height = width, height
        self.requests = []        # every URL the page asked for
        self.errors = []          # console errors, exceptions, log errors
        self.console = []         # every console message (type, text)
        self._next_id = 0
        self._pending = {}
        self._loaded = asyncio.Event()

    async def __aenter__(self):
        exe = chromium_path()
        if not exe:
            raise FileNotFoundError("chromium is not installed")
        self._profile = tempfile.mkdtemp(prefix="wsspec-chromium-")
        # A file, not a pipe: nobody reads Chromium's chatter while it runs.
        self._log = tempfile.TemporaryFile()
        self._proc = subprocess.Popen(
            [exe, *CHROMIUM_FLAGS, f"--user-data-dir={self._profile}",
             f"--window-size={self.width},{self.height}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=self._log)
        try:
            await self._attach()
        except BaseException:
            await self.__aexit__(None, None, None)
            raise
        return self

    async def _attach(self):
        browser_url = await self._devtools_url()
        self._ws = await websockets.connect(browser_url, max_size=256 * 1024 * 1024,
                                            ping_interval=None)
        self._reader = asyncio.ensure_future(self._read())
        target = await self.send("Target.createTarget", {"url": "about:blank"})
        attached = await self.send("Target.attachToTarget",
                                   {"targetId": target["targetId"], "flatten": True})
        self._session = attached["sessionId"]
        for domain in ("Page", "Runtime", "Network", "Log"):
            await self.send(f"{domain}.enable", session=True)
        await self.send("Emulation.setDeviceMetricsOverride",
                        {"width": self.width, "height": self.height,
                         "deviceScaleFactor": 1, "mobile": False}, session=True)

    async def __aexit__(self, *exc):
        try:
            if getattr(self, "_reader", None):
                self._reader.cancel()
            if getattr(self, "_ws", None):
                await self._ws.close()
        finally:
            if self._proc.poll() is None:
                self._proc.terminate()
                try:
                    self._proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self._proc.kill()
                    self._proc.wait()
            shutil.rmtree(self._profile, ignore_errors=True)
            self._log.close()

    async def _devtools_url(self):
        """Chromium writes the port it chose and the browser's path here."""
        port_file = pathlib.Path(self._profile) / "DevToolsActivePort"
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                self._log.seek(0)
                raise RuntimeError("chromium exited: " + self._log.read().decode(
                    "utf-8", "replace")[-2000:])
            if port_file.exists():
                lines = port_file.read_text().split()
                if len(lines) >= 2:
                    return f"ws://127.0.0.1:{lines[0]}{lines[1]}"
            await asyncio.sleep(0.05)
        raise TimeoutError("chromium did not open its DevTools port")

    async def _read(self):
        async for raw in self._ws:
            msg = json.loads(raw)
            if "id" in msg:
                fut = self._pending.pop(msg["id"], None)
                if fut and not fut.done():
                    fut.set_result(msg)
                continue
            self._event(msg.get("method", ""), msg.get("params", {}))

    def _event(self, method, params):
        if method == "Network.requestWillBeSent":
            self.requests.append(params["request"]["url"])
        elif method == "Runtime.consoleAPICalled":
            text = " ".join(str(a.get("value", a.get("description", "")))
                            for a in params.get("args", []))
            self.console.append((params.get("type"), text))
            if params.get("type") in ("error", "assert"):
                self.errors.append(f"console.{params['type']}: {text}")
        elif method == "Runtime.exceptionThrown":
            d = params.get("exceptionDetails", {})
            self.errors.append("exception: " + d.get("exception", {}).get(
                "description", d.get("text", "?")))
        elif method == "Log.entryAdded":
            e = params.get("entry", {})
            if e.get("level") == "error":
                self.errors.append(f"log ({e.get('source')}): {e.get('text')} {e.get('url', '')}")
        elif method == "Page.loadEventFired":
            self._loaded.set()

    async def send(self, method, params=None, session=False):
        self._next_id += 1
        msg = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = self._session
        fut = asyncio.get_running_loop().create_future()
        self._pending[self._next_id] = fut
        await self._ws.send(json.dumps(msg))
        reply = await asyncio.wait_for(fut, self.timeout)
        if "error" in reply:
            raise PageError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    async def open(self, path, ready=True):
        """Load a file and wait for its load event, and (ready=True) until
        its script set body[data-ready]."""
        self.url = pathlib.Path(path).resolve().as_uri()
        self._loaded.clear()
        await self.send("Page.navigate", {"url": self.url}, session=True)
        await asyncio.wait_for(self._loaded.wait(), self.timeout)
        if not ready:
            return
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if await self.eval("document.body && document.body.dataset.ready === 'true'"):
                return
            if self.errors:
                break
            await asyncio.sleep(0.05)
        raise PageError(f"the page never became ready: {self.errors}")

    async def eval(self, expression):
        """Evaluate a JS expression in the page; return its value (JSON)."""
        r = await self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                 "awaitPromise": True}, session=True)
        if "exceptionDetails" in r:
            raise PageError(f"{expression!r}: {r['exceptionDetails']}")
        return r.get("result", {}).get("value")

    async def screenshot(self, path, full_height_cap=None):
        """Save a PNG of the viewport, or of the page up to full_height_cap px."""
        params = {"format": "png"}
        if full_height_cap:
            height = await self.eval("document.documentElement.scrollHeight")
            params["clip"] = {"x": 0, "y": 0, "width": self.width,
                              "height": min(height, full_height_cap), "scale": 1}
            params["captureBeyondViewport"] = True
        r = await self.send("Page.captureScreenshot", params, session=True)
        pathlib.Path(path).write_bytes(base64.b64decode(r["data"]))

    def foreign_requests(self):
        """Requests for anything but the page itself (data: URLs fetch nothing)."""
        return [u for u in self.requests if u != self.url and not u.startswith("data:")]


async def _main(args):
    async with Page(width=args.width, height=args.height) as page:
        await page.open(args.file)
        for expr in args.eval or []:
            print(json.dumps(await page.eval(expr)))
        if args.screenshot:
            await page.screenshot(args.screenshot, args.full_height)
        print(json.dumps({"requests": page.requests, "foreign": page.foreign_requests(),
                          "errors": page.errors}, indent=2))
        return 1 if page.errors or page.foreign_requests() else 0


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("file")
    ap.add_argument("--screenshot")
    ap.add_argument("--full-height", type=int, default=0)
    ap.add_argument("--width", type=int, default=1400)
    ap.add_argument("--height", type=int, default=1000)
    ap.add_argument("--eval", action="append", help="a JS expression to print (repeatable)")
    sys.exit(asyncio.run(_main(ap.parse_args())))
