"""Playwright driving Debian's Chromium against the live test server.

Nothing may be loaded from outside the test server: every other request is aborted and recorded,
and the tests assert there were none. Where Chromium is missing the browser tests are skipped,
except when DOLUONG_REQUIRE_BROWSER is set (CI), where they fail.
"""

import os
import shutil
from urllib.parse import urlparse

import pytest

CHROMIUM = os.environ.get("DOLUONG_CHROMIUM", "/usr/bin/chromium")
# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the test
# itself (to set up data) are safe here because the live server runs in its own thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        if os.environ.get("DOLUONG_REQUIRE_BROWSER"):
            pytest.fail(f"Chromium not found at {CHROMIUM} and browser tests are required")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    import asyncio

    from playwright.sync_api import sync_playwright

    # A test run earlier in the same worker (schemathesis' API fuzzing) can leave an event loop marked as
    # running in this thread; Playwright's sync API then refuses to start. That loop is not ours to run here.
    try:
        asyncio.get_running_loop()
        asyncio.events._set_running_loop(None)
    except RuntimeError:
        pass
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-quic",
        ])
        yield b
        b.close()


class PageProbe:
    def __init__(self):
        self.external = []
        self.errors = []


@pytest.fixture
def probe():
    return PageProbe()


def _new_page(browser, live_server, probe, **context_args):
    context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", **context_args)
    host = urlparse(live_server.url).hostname

    def route(r):
        if urlparse(r.request.url).hostname in (host, "localhost", "127.0.0.1"):
            r.continue_()
        else:
            probe.external.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda m: probe.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: probe.errors.append(str(e)))
    page.set_default_timeout(10000)
    return context, page


@pytest.fixture
def page(browser, live_server, probe):
    context, page = _new_page(browser, live_server, probe, viewport={"width": 1280, "height": 900})
    yield page
    context.close()


@pytest.fixture
def phone(browser, live_server, probe):
    context, page = _new_page(browser, live_server, probe, viewport={"width": 390, "height": 844},
                              is_mobile=True, has_touch=True, device_scale_factor=2)
    yield page
    context.close()


def sign_in(page, live_server, username, password="pw-Test-12345"):  # noqa: S107 (test accounts)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()
