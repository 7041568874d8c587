"""The "Table progress" view in a real browser: Debian's chromium, headless, driven by
Selenium through chromium-driver, logged in to the shared Airflow stack with the UI's own
session cookie.

A transport job runs long enough to be watched (its big table is fetched in small round
trips); the view, opened while it runs, must show a table's rows growing without a reload
(only the event stream can do that), then the final state and the exact row counts. Last,
Airflow's own DAG run page must offer the "Table progress" tab and frame the same view.
Screenshots land in ``.run/artifacts/`` (kept after the run; ``.run`` is not versioned).
Besides, over plain HTTP: the page answers only callers who may read the DAG's runs (a viewer
too), its assets any logged-in caller, and ids from the URL come back escaped.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import oracledb
import pytest
from google.cloud import storage
from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from oracle_etl_stack.airflow_fixtures import GCP_CONN_ID, ORACLE_CONN_ID, E2EStack
from tests.e2e.plugin_support import (  # noqa: F401 (fixtures)
    ADMIN,
    ANONYMOUS,
    OUTSIDER,
    VIEWER,
    PluginApi,
    plugin_api_fixture,
    transports_folder_fixture,
    wait_for_dag,
    write_transport,
)

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROMIUM_ARGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,900",
    "--lang=en-US",  # the thousands separator the test reads
)
ARTIFACTS = Path(__file__).resolve().parents[2] / ".run" / "artifacts"

DAG_ID = "jv_progress"
BIG_TABLE = "DEMO.BENCH_ROWS"
SMALL_TABLE = "DEMO.SALES_ORDER"
#: rows per round trip for the whole job: one, so that each partition of the big table streams
#: for many seconds and its progress, published every 3 s, is seen running several times (with
#: 25 rows a round trip, a partition streamed in 2 s here: shorter than that interval)
FETCH_ROWS = 1
#: limits of the waits (never asserted as durations: a busy machine only makes them longer)
START_TIMEOUT_S = 240.0
ADVANCE_TIMEOUT_S = 120.0
RUN_TIMEOUT_S = 600.0
UI_TIMEOUT_S = 60.0
POLL_S = 0.25

#: the tab of Airflow's DAG run page, a link or a button depending on the UI version
TAB_XPATH = "//*[self::a or self::button][normalize-space(.)='Table progress']"
#: one table row of the view as the page itself describes it (data-* attributes)
READ_ROW = """
const row = document.querySelector(`tr[data-table="${CSS.escape(arguments[0])}"]`);
if (!row) return null;
const bar = row.querySelector("progress");
return {
  state: row.dataset.state,
  rows: Number(row.dataset.rows),
  text: row.querySelector("td.rows").textContent,
  bar: bar.hasAttribute("value") ? bar.value : null,
  barMax: bar.max,
  partitions: row.querySelector("td.partitions").textContent,
};
"""
#: every table row of the view: [name, state, rows]
READ_ROWS = """
return [...document.querySelectorAll("tr[data-table]")].map((row) => [
  row.dataset.table, row.dataset.state, Number(row.dataset.rows)]);
"""


def _transport_yaml(bucket: str) -> str:
    return (
        f"id: {DAG_ID}\nschedule: null\noracle_conn_id: {ORACLE_CONN_ID}\n"
        f"destination: {{gcp_conn_id: {GCP_CONN_ID}, bucket: {bucket}, prefix: jv}}\n"
        f"parallel_tables: 2\nretries: 0\n"
        f"fetch: {{arraysize: {FETCH_ROWS}, batch_rows: {FETCH_ROWS}}}\n"
        f"tables:\n  - {{table: {BIG_TABLE}, partitions: 2}}\n  - {SMALL_TABLE}\n"
    )


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[WebDriver]:
    """Headless chromium from Debian's packages (``apt-get install chromium chromium-driver``)."""
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.exists()]
    assert not missing, f"the browser test needs Debian's chromium and chromium-driver: {missing}"
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in CHROMIUM_ARGS:
        options.add_argument(argument)
    options.add_argument(f"--user-data-dir={tmp_path / 'chromium-profile'}")
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def _log_in(driver: WebDriver, airflow_stack: E2EStack) -> str:
    """Give the browser the UI's session: the ``_token`` cookie holding the admin's JWT, as
    Airflow's login page sets it. A cookie needs a page of its host open first."""
    base = airflow_stack.stack.url.rstrip("/")
    driver.get(f"{base}/api/v2/version")
    driver.add_cookie({"name": "_token", "value": airflow_stack.client.token(), "path": "/"})
    return base


def _wait(driver: WebDriver, timeout: float, what: str, condition: Callable[[], Any]) -> Any:
    """``condition()``'s first truthy value; on time-out, fail saying what did not happen."""
    try:
        return WebDriverWait(driver, timeout, poll_frequency=POLL_S).until(lambda _: condition())
    except TimeoutException:
        rows = driver.execute_script(READ_ROWS)
        pytest.fail(f"{what} within {timeout} s; the view shows {rows}")


def _screenshot(driver: WebDriver, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}-{time.strftime('%Y%m%d-%H%M%S')}.png"
    assert driver.save_screenshot(str(path)), f"no screenshot written to {path}"
    print(f"screenshot: {path}")
    return path


def _data(driver: WebDriver, element_id: str, key: str) -> str | None:
    return driver.find_element(By.ID, element_id).get_attribute(f"data-{key}")


@pytest.mark.timeout(1200)  # the stack's start, a run of about a minute, and slack for load
def test_the_job_view_follows_a_running_job_live(
    airflow_stack: E2EStack,
    transports_folder: Path,
    gcs_bucket: storage.Bucket,
    oracle_connect: Callable[..., oracledb.Connection],
    browser: WebDriver,
) -> None:
    client = airflow_stack.client
    # deployed as people do: YAML in transports/ beside the loader DAG file
    write_transport(transports_folder, DAG_ID, _transport_yaml(gcs_bucket.name))
    wait_for_dag(client, DAG_ID)
    base = _log_in(browser, airflow_stack)
    run_id = client.trigger(DAG_ID)
    view = f"{base}/oracle-etl/ui/jobs/{quote(DAG_ID, safe='')}/{quote(run_id, safe='')}"
    browser.get(view)

    # the big table running, with rows, then more rows: the page was not reloaded in between
    first = _wait(
        browser,
        START_TIMEOUT_S,
        f"{BIG_TABLE} did not start",
        lambda: (
            (r := browser.execute_script(READ_ROW, BIG_TABLE))
            and r["state"] == "running"
            and r["rows"] > 0
            and r
        ),
    )
    later = _wait(
        browser,
        ADVANCE_TIMEOUT_S,
        f"{BIG_TABLE} did not advance from {first['rows']} rows while running",
        lambda: (
            (r := browser.execute_script(READ_ROW, BIG_TABLE))
            and r["state"] == "running"
            and r["rows"] > first["rows"]
            and r
        ),
    )
    assert _data(browser, "job-state", "state") == "running"
    assert _data(browser, "live", "live") == "live"
    if first["bar"] is not None and later["bar"] is not None:  # bars with an estimate
        assert later["bar"] >= first["bar"]
    _screenshot(browser, "job-view-running")

    # the end: final state, the event stream closed, every table's rows as counted in Oracle
    final = _wait(
        browser,
        RUN_TIMEOUT_S,
        "the run did not end",
        lambda: (
            _data(browser, "job-state", "state") in ("success", "failed")
            and _data(browser, "job-state", "state")
        ),
    )
    _screenshot(browser, "job-view-final")
    assert final == "success", client.dag_run(DAG_ID, run_id)
    assert _data(browser, "live", "live") == "ended"
    with oracle_connect().cursor() as cursor:
        expected = {
            table: cursor.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in (BIG_TABLE, SMALL_TABLE)
        }
    shown = {name: (state, rows) for name, state, rows in browser.execute_script(READ_ROWS)}
    assert shown == {table: ("success", count) for table, count in expected.items()}
    big = browser.execute_script(READ_ROW, BIG_TABLE)
    assert big["text"] == f"{expected[BIG_TABLE]:,}"  # thousands separators (en-US chromium)
    assert big["bar"] == big["barMax"]
    assert big["partitions"] == "2/2"
    assert int(_data(browser, "total-rows", "value") or 0) == sum(expected.values())
    assert browser.find_element(By.ID, "total-tables").text == "2 of 2"

    # the filter by state reads the page again: the done tables, then none failed
    done = browser.find_element(By.CSS_SELECTOR, "#state-filter button[data-filter='success']")
    done.click()
    _wait(  # pressed once the filtered page has been read
        browser,
        UI_TIMEOUT_S,
        "the filter did not apply",
        lambda: done.get_attribute("aria-pressed") == "true",
    )
    assert _data(browser, "page-range", "matching") == "2"
    assert {name for name, _, _ in browser.execute_script(READ_ROWS)} == set(expected)
    failed = browser.find_element(By.CSS_SELECTOR, "#state-filter button[data-filter='failed']")
    assert not failed.is_displayed()  # no table failed: no such filter to offer
    assert not browser.find_element(By.ID, "pager").is_displayed()  # one page holds them

    # Airflow's DAG run page has the tab, and the tab frames this view
    browser.get(f"{base}/dags/{quote(DAG_ID, safe='')}/runs/{quote(run_id, safe='')}")
    tab = _wait(
        browser,
        UI_TIMEOUT_S,
        "no 'Table progress' tab on the DAG run page",
        lambda: browser.find_elements(By.XPATH, TAB_XPATH),
    )
    tab[0].click()
    frame = _wait(
        browser,
        UI_TIMEOUT_S,
        "the tab shows no frame",
        lambda: browser.find_elements(By.CSS_SELECTOR, "iframe[title='Table progress']"),
    )[0]
    assert "/plugin/oracle-etl-progress" in browser.current_url
    assert f"/oracle-etl/ui/jobs/{DAG_ID}/" in (frame.get_attribute("src") or "")
    browser.switch_to.frame(frame)
    _wait(
        browser,
        UI_TIMEOUT_S,
        "the framed view did not load the job",
        lambda: _data(browser, "job-state", "state") == "success",
    )
    browser.switch_to.default_content()
    _screenshot(browser, "airflow-dag-run-tab")


def test_the_view_answers_readers_of_the_dag_only_and_escapes_the_ids(
    plugin_api: PluginApi,
) -> None:
    hostile = '"><img src=x onerror=alert(1)>'  # no "/": a path segment cannot hold one
    page = f"/ui/jobs/jv_any/{quote(hostile, safe='')}"
    asset = "/ui/static/job_view.js"
    for who, expected in ((ANONYMOUS, 401), (OUTSIDER, 403), (VIEWER, 200), (ADMIN, 200)):
        assert plugin_api.get(page, as_=who).status_code == expected, who
    for who, expected in ((ANONYMOUS, 401), (VIEWER, 200)):
        assert plugin_api.get(asset, as_=who).status_code == expected, who
    assert plugin_api.get("/ui/static/job_view.html", as_=VIEWER).status_code == 404

    response = plugin_api.get(page, as_=VIEWER)
    assert response.headers["content-type"].startswith("text/html")
    assert "frame-ancestors 'self'" in response.headers["content-security-policy"]
    assert hostile not in response.text
    assert 'data-run-id="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"' in response.text
