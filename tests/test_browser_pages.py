"""Every page loads the styles and modules it links, with no error; the front end's own rules hold."""
import re

from playwright.sync_api import expect

from conftest import ROOT

STATIC = ROOT / "static"
COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}\b|\b(?:rgba?|hsla?|hwb|lab|lch|oklch|color)\(|"
                    r"(?<![\w-])(?:white|black|red|green|blue|gray|grey|orange|yellow|purple|pink|silver)(?![\w-])")


def load(page, url):
    """Open url; the static files that failed to load."""
    failed = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}")
            if "/static/" in r.url and r.status >= 400 else None)
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return failed


def test_every_page_loads_its_styles_and_modules_without_errors(live_server, page_factory, admin_session):
    student = page_factory(live_server.url)
    assert load(student, live_server.url) == []
    expect(student.locator("#connection-status")).to_have_attribute("data-state", "connected")

    login = page_factory(live_server.url + "/login")
    assert load(login, live_server.url + "/login") == []
    missing = page_factory(live_server.url + "/no-such-page")
    assert load(missing, live_server.url + "/no-such-page") == []

    desk = page_factory(live_server.url + "/login")
    cookies = [{"name": c.name, "value": c.value, "url": live_server.url} for c in admin_session.cookies]
    desk.context.add_cookies(cookies)
    assert load(desk, live_server.url + "/admin") == []
    expect(desk.locator("#connection-status")).to_have_attribute("data-state", "connected")
    assert load(desk, live_server.url + "/admin/analytics") == []
    expect(desk.locator("#analytics")).not_to_have_attribute("aria-busy", "true")
    assert all("404" in error for error in missing.console_errors)  # only the page's own status
    for page in (student, login, missing, desk):
        assert page is missing or page.console_errors == []
        # a stylesheet that did not apply leaves the body's font at the browser default
        assert "system-ui" in page.evaluate("getComputedStyle(document.body).fontFamily")


def test_colours_are_written_only_in_the_tokens():
    offenders = [f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
                 for path in sorted(STATIC.glob("css/**/*.css")) if path.name != "tokens.css"
                 for n, line in enumerate(path.read_text().splitlines(), 1)
                 if COLOUR.search(re.sub(r"/\*.*?\*/", "", line))]
    assert offenders == []


def test_pages_never_write_html_from_strings():
    offenders = [f"{path.relative_to(ROOT)}:{n}" for path in sorted(STATIC.glob("js/**/*.js"))
                 for n, line in enumerate(path.read_text().splitlines(), 1)
                 if re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(", line)]
    assert offenders == []


def test_each_module_stays_small_and_pages_load_modules():
    sizes = {str(p.relative_to(STATIC)): len(p.read_text().splitlines()) for p in STATIC.glob("js/**/*.js")}
    assert sizes and max(sizes.values()) <= 400, sizes
    for template in (ROOT / "templates").glob("*.html"):
        scripts = re.findall(r"<script[^>]*src=[^>]*>", template.read_text())
        assert all('type="module"' in s or "vendor/" in s for s in scripts), (template.name, scripts)
