// The "Table progress" view of a transport job: reads a page of the job's tables, then follows
// its event stream (Server-Sent Events) until the run ends. Plain browser JavaScript, no build
// step. Every value from the server goes through textContent or setAttribute, never innerHTML.
//
// A job may hold thousands of tables (a whole schema): the view shows one page of them (in plan
// order, optionally only those in one state), the totals of all of them at the top. The event
// stream sends the totals and each table when it changes; a table on the page is updated in
// place, and the page is read again (at most every few seconds) when its set of tables may
// have changed: a table entered or left the filtered state, or the plan's tables appeared.
"use strict";

(() => {
  const root = document.getElementById("job-view");
  const api = root.dataset.api;
  const dagId = root.dataset.dagId;
  const runId = root.dataset.runId;
  const query = "?transport=" + encodeURIComponent(dagId);
  const jobUrl = api + "/jobs/" + encodeURIComponent(runId) + query;
  const eventsUrl = api + "/jobs/" + encodeURIComponent(runId) + "/events" + query;

  const FINISHED_RUN = new Set(["success", "failed"]);
  const PAGE_SIZE = 100;
  // a page read again after table events waits this long, so a busy job costs a read or so
  // every few seconds, not one per event
  const REFRESH_DELAY_MS = 2000;

  const numberFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
  const percentFormat = new Intl.NumberFormat(undefined, {
    style: "percent",
    maximumFractionDigits: 0,
  });

  /** the tables of the page shown, by name
   * @type {Map<string, {data: object, row: HTMLTableRowElement, cells: object}>} */
  const tables = new Map();
  let job = null;
  let source = null;
  let ended = false;
  // the page: its first table, and the state shown ("" for all); matching: the tables the
  // filter keeps (from the last page read)
  let offset = 0;
  let filter = "";
  let matching = 0;
  // the state of the page shown (the filter asked for applies once its page is read)
  let shownFilter = "";
  let refreshTimer = null;
  let loading = null;

  const byId = (id) => document.getElementById(id);

  // ---- formatting -------------------------------------------------------------------------

  const isNumber = (value) => typeof value === "number" && Number.isFinite(value);

  function formatCount(value) {
    return isNumber(value) ? numberFormat.format(Math.round(value)) : "–";
  }

  function formatBytes(value) {
    if (!isNumber(value)) return "–";
    const units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let size = value;
    let unit = 0;
    while (size >= 1024 && unit < units.length - 1) {
      size /= 1024;
      unit += 1;
    }
    return (unit === 0 ? String(size) : size.toFixed(1)) + " " + units[unit];
  }

  function formatDuration(seconds) {
    if (!isNumber(seconds) || seconds < 0) return "–";
    const total = Math.round(seconds);
    const h = Math.floor(total / 3600);
    const m = Math.floor((total % 3600) / 60);
    const s = total % 60;
    return h + ":" + String(m).padStart(2, "0") + ":" + String(s).padStart(2, "0");
  }

  function formatTime(iso) {
    if (!iso) return "–";
    const date = new Date(iso);
    return Number.isNaN(date.getTime()) ? String(iso) : date.toLocaleString();
  }

  // ---- theme: Airflow's UI (the parent page) when framed, else the system's preference ---

  function followTheme() {
    const html = document.documentElement;
    const system = window.matchMedia("(prefers-color-scheme: dark)");
    let parentRoot = null;
    try {
      if (window.parent !== window) parentRoot = window.parent.document.documentElement;
    } catch (_error) {
      parentRoot = null; // framed by another origin: follow the system
    }
    const apply = () => {
      const classes = parentRoot ? parentRoot.classList : null;
      if (classes && classes.contains("dark")) html.dataset.theme = "dark";
      else if (classes && classes.contains("light")) html.dataset.theme = "light";
      else html.dataset.theme = system.matches ? "dark" : "light";
    };
    apply();
    system.addEventListener("change", apply);
    if (parentRoot) new MutationObserver(apply).observe(parentRoot, { attributes: true });
  }

  // ---- status line and messages -----------------------------------------------------------

  function setLive(state, text) {
    const live = byId("live");
    live.dataset.live = state;
    live.textContent = text;
  }

  function showMessage(text) {
    const message = byId("message");
    message.textContent = text;
    message.hidden = false;
  }

  function setBadge(element, state) {
    const value = state || "unknown";
    element.dataset.state = value;
    element.textContent = value.replace(/_/g, " ");
  }

  // ---- the job header: totals over every table, from the server ---------------------------

  function renderJob() {
    if (!job) return;
    setBadge(byId("job-state"), job.state);
    byId("job-start").textContent = formatTime(job.start_date || job.queued_at);
    renderDuration();
    renderTotals();
    renderTools();
  }

  function renderDuration() {
    if (!job || !job.start_date) return;
    const start = Date.parse(job.start_date);
    const end = job.end_date ? Date.parse(job.end_date) : Date.now();
    byId("job-duration").textContent = formatDuration((end - start) / 1000);
  }

  function renderTotals() {
    const totals = (job && job.totals) || {};
    const count = isNumber(totals.tables) ? totals.tables : 0;
    const byState = totals.tables_by_state || {};
    const done = isNumber(byState.success) ? byState.success : 0;
    const rows = isNumber(totals.rows) ? totals.rows : 0;
    const bytes = isNumber(totals.bytes) ? totals.bytes : 0;
    const rate = isNumber(totals.rows_per_second) ? totals.rows_per_second : 0;
    setValue(byId("total-rows"), rows, formatCount(rows));
    setValue(byId("total-bytes"), bytes, formatBytes(bytes));
    setValue(byId("total-rate"), rate, formatCount(rate));
    setValue(byId("total-tables"), done, count ? done + " of " + numberFormat.format(count) : "–");

    const overall = byId("overall-progress");
    const percent = byId("overall-percent");
    overall.dataset.state = (job && job.state) || "";
    if (job && job.state === "success") {
      setProgress(overall, 1, 1, "All tables done");
      percent.textContent = percentFormat.format(1);
    } else if (isNumber(totals.progress) && totals.progress > 0) {
      const fraction = Math.min(totals.progress, 0.99);
      setProgress(overall, fraction, 1, percentFormat.format(fraction) + " of the work");
      percent.textContent = percentFormat.format(fraction);
    } else if (count && job && job.state === "running") {
      setProgress(overall, null, 1, "In progress");
      percent.textContent = "";
    } else {
      setProgress(overall, 0, 1, "Not started");
      percent.textContent = "";
    }
  }

  function setValue(element, value, text) {
    element.dataset.value = String(value);
    element.textContent = text;
  }

  // value null: indeterminate (a <progress> without a value attribute)
  function setProgress(element, value, max, text) {
    element.max = max;
    if (value === null) element.removeAttribute("value");
    else element.value = value;
    element.setAttribute("aria-valuetext", text);
  }

  // ---- filter and pager -------------------------------------------------------------------

  function renderTools() {
    const totals = (job && job.totals) || {};
    const byState = totals.tables_by_state || {};
    for (const button of byId("state-filter").querySelectorAll("button")) {
      const state = button.dataset.filter;
      const count = state ? byState[state] : totals.tables;
      button.querySelector(".count").textContent = isNumber(count)
        ? "(" + numberFormat.format(count) + ")"
        : "";
      button.setAttribute("aria-pressed", String(state === shownFilter));
      // a state no table is in is hidden, unless it is the one shown
      button.hidden = Boolean(state) && state !== shownFilter && !(isNumber(count) && count > 0);
    }
    const shown = tables.size;
    const range = byId("page-range");
    range.textContent = shown
      ? numberFormat.format(offset + 1) + "–" + numberFormat.format(offset + shown) +
        " of " + numberFormat.format(matching)
      : numberFormat.format(matching) + " tables";
    range.dataset.offset = String(offset);
    range.dataset.matching = String(matching);
    byId("page-prev").disabled = offset === 0;
    byId("page-next").disabled = offset + PAGE_SIZE >= matching;
    byId("pager").hidden = matching <= PAGE_SIZE && offset === 0;
  }

  function setupTools() {
    for (const button of byId("state-filter").querySelectorAll("button")) {
      button.addEventListener("click", () => {
        filter = button.dataset.filter;
        offset = 0;
        loadPage();
      });
    }
    byId("page-prev").addEventListener("click", () => {
      offset = Math.max(0, offset - PAGE_SIZE);
      loadPage();
    });
    byId("page-next").addEventListener("click", () => {
      if (offset + PAGE_SIZE < matching) offset += PAGE_SIZE;
      loadPage();
    });
  }

  // ---- one row per table ------------------------------------------------------------------

  function createRow(name) {
    const row = document.createElement("tr");
    row.dataset.table = name;
    const cell = (className) => {
      const td = document.createElement("td");
      if (className) td.className = className;
      row.appendChild(td);
      return td;
    };

    const nameCell = document.createElement("th");
    nameCell.scope = "row";
    nameCell.className = "table-name";
    nameCell.textContent = name;
    row.appendChild(nameCell);

    const stateCell = cell("state");
    const badge = document.createElement("span");
    badge.className = "badge";
    const phase = document.createElement("span");
    phase.className = "phase muted";
    const error = document.createElement("span");
    error.className = "error";
    error.hidden = true;
    stateCell.append(badge, phase, error);

    const progressCell = cell("progress-col");
    const bar = document.createElement("progress");
    bar.setAttribute("aria-label", "Progress of " + name);
    const percent = document.createElement("span");
    percent.className = "percent";
    percent.setAttribute("aria-hidden", "true");
    progressCell.append(bar, percent);

    const cells = {
      badge,
      phase,
      error,
      bar,
      percent,
      rows: cell("num rows"),
      rate: cell("num rate"),
      eta: cell("num eta"),
      bytes: cell("num bytes"),
      partitions: cell("num partitions"),
    };
    return { row, cells };
  }

  // The page's tables, in the server's order: rows of tables still shown are kept (and
  // updated), the others removed.
  function showTables(list) {
    const body = byId("table-rows");
    const names = new Set();
    for (const table of list) {
      if (!table || typeof table.table !== "string") continue;
      names.add(table.table);
      let entry = tables.get(table.table);
      if (!entry) {
        entry = { data: {}, ...createRow(table.table) };
        tables.set(table.table, entry);
      }
      entry.data = table;
      renderTable(entry);
      body.appendChild(entry.row);
    }
    for (const [name, entry] of tables) {
      if (!names.has(name)) {
        entry.row.remove();
        tables.delete(name);
      }
    }
    const total = (job && job.totals && job.totals.tables) || 0;
    byId("no-tables").hidden = total > 0;
    byId("no-match").hidden = !(total > 0 && tables.size === 0);
  }

  function renderTable({ data, row, cells }) {
    const state = data.state || "unknown";
    const rows = isNumber(data.rows) ? data.rows : 0;
    const estimate = isNumber(data.estimated_rows) ? data.estimated_rows : null;
    const running = state === "running";

    row.dataset.state = state;
    row.dataset.rows = String(rows);
    row.dataset.estimatedRows = estimate === null ? "" : String(estimate);
    setBadge(cells.badge, state);
    cells.phase.textContent = running && data.phase ? data.phase : "";
    cells.error.textContent = data.error || "";
    cells.error.hidden = !data.error;
    if (data.error) row.title = data.error;
    else row.removeAttribute("title");

    if (state === "success") {
      setProgress(cells.bar, 1, 1, "done");
      cells.percent.textContent = percentFormat.format(1);
    } else if (estimate !== null && estimate > 0 && rows > 0) {
      // statistics can be stale: never show a table as done before it is
      const fraction = Math.min(rows / estimate, 0.99);
      setProgress(cells.bar, fraction, 1, percentFormat.format(fraction));
      cells.percent.textContent = percentFormat.format(fraction);
    } else if (running) {
      setProgress(cells.bar, null, 1, formatCount(rows) + " rows so far");
      cells.percent.textContent = "";
    } else {
      setProgress(cells.bar, 0, 1, "not started");
      cells.percent.textContent = "";
    }
    cells.bar.dataset.state = state;

    cells.rows.textContent = formatCount(rows);
    cells.rate.textContent = running ? formatCount(data.rows_per_second) : "–";
    cells.eta.textContent = running ? formatDuration(data.eta_seconds) : "–";
    cells.bytes.textContent = formatBytes(data.bytes);
    const total = isNumber(data.partitions) ? data.partitions : null;
    const done = isNumber(data.partitions_done) ? data.partitions_done : 0;
    cells.partitions.textContent = total === null ? "–" : done + "/" + total;
    cells.partitions.dataset.done = String(done);
    cells.partitions.dataset.total = total === null ? "" : String(total);
  }

  // ---- data flow --------------------------------------------------------------------------

  function applyJob(data) {
    if (!data || typeof data !== "object") return;
    const { tables: _list, page: _page, event_id: _id, ...rest } = data;
    job = { ...(job || {}), ...rest };
    renderJob();
  }

  function pageUrl() {
    let url = jobUrl + "&offset=" + offset + "&limit=" + PAGE_SIZE;
    if (filter) url += "&state=" + encodeURIComponent(filter);
    return url;
  }

  // Reads the page (one read at a time: a newer request waits for the one under way).
  // Answers the response, or null when it failed (then the view says why).
  async function loadPage() {
    if (refreshTimer !== null) window.clearTimeout(refreshTimer);
    refreshTimer = null;
    if (loading) await loading.catch(() => null);
    loading = fetchPage();
    return loading;
  }

  async function fetchPage() {
    const asked = filter;
    let response;
    try {
      response = await fetch(pageUrl(), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
    } catch (_error) {
      if (!job) {
        setLive("closed", "Offline");
        showMessage("The job could not be loaded: the API server did not answer.");
      }
      return null;
    }
    if (!response.ok) return { response, data: null };
    const data = await response.json();
    matching = data.page && isNumber(data.page.matching) ? data.page.matching : 0;
    if (offset > 0 && offset >= matching) {
      // the filtered set shrank below this page: show its last page instead
      offset = Math.max(0, Math.floor((matching - 1) / PAGE_SIZE) * PAGE_SIZE);
      return fetchPage();
    }
    shownFilter = asked;
    applyJob(data);
    showTables(Array.isArray(data.tables) ? data.tables : []);
    renderTools();
    return { response, data };
  }

  function scheduleRefresh() {
    if (refreshTimer !== null || ended) return;
    refreshTimer = window.setTimeout(() => {
      refreshTimer = null;
      loadPage();
    }, REFRESH_DELAY_MS);
  }

  // A table event: update its row if shown; read the page again when the table may have
  // entered or left it (a filter by state, or a page not yet full).
  function onTable(table) {
    if (!table || typeof table.table !== "string") return;
    const entry = tables.get(table.table);
    if (entry) {
      const { job_id: _job, transport: _transport, ...data } = table;
      entry.data = { ...entry.data, ...data };
      renderTable(entry);
      if (shownFilter && table.state !== shownFilter) scheduleRefresh();
    } else if (shownFilter ? table.state === shownFilter : tables.size < PAGE_SIZE) {
      scheduleRefresh();
    }
  }

  function parse(event) {
    try {
      return JSON.parse(event.data);
    } catch (_error) {
      return null;
    }
  }

  function finish(data) {
    ended = true;
    if (source) source.close(); // closed, an EventSource does not reconnect
    source = null;
    if (refreshTimer !== null) window.clearTimeout(refreshTimer);
    refreshTimer = null;
    applyJob(data);
    root.setAttribute("aria-busy", "false");
    setLive("ended", "Run finished");
  }

  function follow(lastEventId) {
    let url = eventsUrl;
    // only what changed after the page was read (a reconnect sends Last-Event-ID instead)
    if (isNumber(lastEventId)) url += "&last_event_id=" + lastEventId;
    source = new EventSource(url);
    source.addEventListener("open", () => setLive("live", "Live"));
    source.addEventListener("job", (event) => applyJob(parse(event)));
    source.addEventListener("table", (event) => onTable(parse(event)));
    source.addEventListener("end", (event) => {
      // every table's final state came before the end: the page is read again only for the
      // tables it may now hold (a filter by state)
      finish(parse(event));
      loadPage();
    });
    source.addEventListener("error", () => {
      if (ended || !source) return;
      if (source.readyState === EventSource.CLOSED) {
        // refused (401/403/404) or not an event stream: the browser gives up for good
        setLive("closed", "Live updates stopped: reload the page to try again");
      } else {
        setLive("reconnecting", "Reconnecting…");
      }
    });
  }

  function showRefusal(status) {
    root.setAttribute("aria-busy", "false");
    root.dataset.missing = "true";
    byId("tables-section").hidden = true;
    byId("job-summary").hidden = true;
    byId("job-state").hidden = true;
    setLive("closed", "");
    if (status === 404) {
      showMessage("This run is not a transport job: there is no table progress to show.");
    } else if (status === 401) {
      showMessage("You are not logged in to Airflow (or your session has expired).");
    } else if (status === 403) {
      showMessage("You are not allowed to see the runs of this DAG.");
    } else {
      showMessage("The job could not be loaded (HTTP " + status + ").");
    }
  }

  async function start() {
    followTheme();
    setupTools();
    const first = await loadPage();
    if (!first) return;
    if (!first.data) {
      showRefusal(first.response.status);
      return;
    }
    if (FINISHED_RUN.has(first.data.state)) {
      finish(first.data);
    } else {
      setLive("connecting", "Connecting…");
      follow(first.data.event_id);
    }
    // the run's duration ticks between events
    window.setInterval(() => {
      if (!ended) renderDuration();
    }, 1000);
  }

  // exposed for debugging in the browser's console
  window.jobView = { tables, job: () => job, page: () => ({ offset, filter, matching }) };
  start();
})();
