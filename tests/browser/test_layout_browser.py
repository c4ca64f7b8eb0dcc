"""Every main page, for every role, on a desk screen (1440×900) and a touch phone (390×844),
in Chinese and in English: no page is wider than the screen and no page logs a console error
or fails a request (no 4xx/5xx answer, the page's own or an asset's).

One browser for the whole module; per role, screen and language one context, signed in once,
walks its pages: the navigation it is offered, the reports, its account, and the first target,
project, enterprise and chain it can open. English is chosen with the language switch and
switched back afterwards (the demo users are shared by the other browser tests). Problems are
collected and reported together. Then the
phone-specific layout: the target list as cards with folded filters, no mouse hints, a favicon.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

ROLES = ("admin", "city", "leader", "gxq-manager", "gxq-staff1")
DESK = {"viewport": {"width": 1440, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
SCREENS = {"desk": DESK, "phone": PHONE}
LANGUAGES = {"zh": "中文", "en": "English"}  # the language switch's buttons
EXTRA = (
    "/about",
    "/account",
    "/dashboard/reports/weekly",
    "/dashboard/reports/monthly",
    "/reminders/preferences",
)
WRITER_EXTRA = ("/projects/new", "/targets/new")  # not for the read-only leader
ADMIN_EXTRA = ("/admin/zones", "/admin/settings", "/admin/audit", "/reminders/outbox")
# (list page, link pattern) → the first record of each kind the role may open
DETAILS = (
    ("/targets/", r"^/targets/\d+$"),
    ("/projects/", r"^/projects/\d+$"),
    ("/chains/", r"^/chains/\d+$"),
    ("/instructions/", r"^/instructions/\d+$"),
)
WIDTH_JS = "document.documentElement.scrollWidth"
OVERFLOW_JS = """(width) => {
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX === 'visible'
        && el.getBoundingClientRect().right > width) {
      out.push(el.tagName.toLowerCase() + '.' + el.className + ': '
               + (el.textContent || '').trim().slice(0, 30));
    }
  }
  return out.slice(-3);
}"""


def _links(page, pattern: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(a => a.getAttribute('href'))")
    return [h for h in hrefs if re.match(pattern, h.split("?")[0])]


def _pages(page, base: str, login: str) -> list[str]:
    """The paths this role walks: its navigation, the extras and the first records."""
    page.goto(f"{base}/")
    nav = page.eval_on_selector_all(
        "#main-nav a.nav-link", "els => els.map(a => a.getAttribute('href'))"
    )
    paths = [*nav, *EXTRA, *(WRITER_EXTRA if login != "leader" else ())]
    paths += ADMIN_EXTRA if login == "admin" else ()
    for listing, pattern in DETAILS:
        page.goto(base + listing)
        found = _links(page, pattern)
        if found:
            paths.append(found[0])
            if listing == "/chains/":
                paths += [found[0] + "/graph", found[0] + "/roadmap"]
    if any(re.match(r"^/targets/\d+$", p) for p in paths):
        target = next(p for p in paths if re.match(r"^/targets/\d+$", p))
        page.goto(base + target)
        paths += _links(page, r"^/enterprises/\d+$")[:1]
    return list(dict.fromkeys(paths))


def _listen(page, current: dict[str, str], problems: list[tuple[str, str]]) -> None:
    """Record console errors, uncaught exceptions and failed requests against the page."""

    def console(message) -> None:
        if message.type == "error":
            problems.append((current["path"], message.text))

    def response(reply) -> None:
        if reply.status >= 400:
            problems.append((current["path"], f"{reply.status} {reply.url}"))

    page.on("console", console)
    page.on("pageerror", lambda error: problems.append((current["path"], str(error))))
    page.on("response", response)


@pytest.fixture(scope="module")
def walks(browser, live_server):
    """For every role, screen and language: [(path, problem)] — empty when all pages are right."""
    results: dict[tuple[str, str, str], list[tuple[str, str]]] = {}
    for screen, options in SCREENS.items():
        for language in LANGUAGES:
            for login in ROLES:
                results[(screen, language, login)] = _walk(
                    browser, live_server, options, language, login
                )
    return results


def _switch(page, language: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=LANGUAGES[language], exact=True).click()


def _walk(browser, base: str, options: dict, language: str, login: str) -> list:
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **options)
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems: list[tuple[str, str]] = []
    current = {"path": "/login"}
    _listen(page, current, problems)
    log_in(page, base, login)
    try:
        if language != "zh":
            _switch(page, language)
        paths = _pages(page, base, login)
        width = options["viewport"]["width"]
        for path in paths:
            current["path"] = path
            page.goto(base + path)
            page.wait_for_load_state("load")
            if page.locator("html").get_attribute("lang") != current_lang(language):
                problems.append((path, f"not in {language}"))
            scroll = page.evaluate(WIDTH_JS)
            if scroll > width:
                culprits = page.evaluate(OVERFLOW_JS, width)
                problems.append((path, f"{scroll} px wide > {width}: {culprits}"))
    finally:
        if language != "zh":
            page.goto(base + "/about")
            _switch(page, "zh")
        context.close()
    return [*problems, ("__walked__", str(len(paths)))]


def current_lang(language: str) -> str:
    return "zh-CN" if language == "zh" else language


@pytest.mark.parametrize("screen", list(SCREENS))
@pytest.mark.parametrize("language", list(LANGUAGES))
@pytest.mark.parametrize("login", ROLES)
def test_every_main_page_fits_and_logs_no_error(walks, screen, language, login):
    *problems, (_, walked) = walks[(screen, language, login)]
    assert int(walked) >= 10  # the walk reached the pages, not only the login form
    assert not problems, "\n".join(f"{path}: {problem}" for path, problem in problems)


def test_on_a_phone_the_target_list_is_cards_with_folded_filters(browser, live_server):
    context = browser.new_context(locale="zh-CN", **PHONE)
    try:
        page = context.new_page()
        log_in(page, live_server, "gxq-staff1")
        page.goto(f"{live_server}/targets/")
        filters = page.get_by_test_id("target-filters")
        assert not filters.evaluate("el => el.open")  # folded behind its button
        assert not page.locator("#f-q").is_visible()
        page.get_by_test_id("filter-toggle").click()
        assert page.locator("#f-q").is_visible()
        assert not page.locator(".target-table thead").is_visible()
        row = page.locator(".target-table tbody tr").first
        assert row.evaluate("el => getComputedStyle(el).display") == "block"
        assert page.evaluate(WIDTH_JS) <= 390
        # a target's page: no "hold Ctrl" hint on a touch screen
        page.locator(".target-table tbody tr a.fw-semibold").first.click()
        page.wait_for_load_state("load")
        for hint in page.locator(".mouse-hint").all():
            assert not hint.is_visible()
    finally:
        context.close()


def test_on_a_desk_the_target_filters_are_open_and_the_table_has_its_head(page, live_server):
    page.set_viewport_size({"width": 1440, "height": 900})
    log_in(page, live_server, "gxq-staff1")
    page.goto(f"{live_server}/targets/")
    assert page.locator("#f-q").is_visible()
    assert not page.get_by_test_id("filter-toggle").is_visible()
    assert page.locator(".target-table thead").is_visible()


def test_pages_carry_a_favicon(page, live_server):
    page.goto(f"{live_server}/login")
    href = page.get_attribute("link[rel=icon]", "href")
    assert href and href.startswith("/static/")
    response = page.request.get(live_server + href)
    assert response.ok and "svg" in response.headers["content-type"]


def test_report_buttons_and_column_heads_stay_on_one_line(page, live_server):
    page.set_viewport_size({"width": 1440, "height": 900})
    log_in(page, live_server, "gxq-manager")
    for path in ("/dashboard/reports/weekly", "/dashboard/reports/monthly"):
        page.goto(live_server + path)
        cells = page.locator(".report-head .btn, .report thead th")
        assert cells.count() >= 4, path
        for i in range(cells.count()):
            lines = cells.nth(i).evaluate(
                "el => Math.round(el.getBoundingClientRect().height"
                " / parseFloat(getComputedStyle(el).lineHeight || 20))"
            )
            assert lines <= 2, (path, cells.nth(i).inner_text())  # one line plus padding
        width = page.locator(".report").evaluate("el => el.getBoundingClientRect().width")
        assert width > 1000, path  # the report uses the page, not an A4 column
        page.emulate_media(media="print")
        assert not page.locator(".report-head .btn").first.is_visible()  # print stays clean
        page.emulate_media(media="screen")
