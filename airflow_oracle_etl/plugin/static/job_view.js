// The "Table progress" view of a transport job: reads the job once, then follows its event
// stream (Server-Sent Events) until the run ends. Plain browser JavaScript, no build step.
// Every value from the server goes through textContent or setAttribute, never innerHTML.
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

  const numberFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
  const percentFormat = new Intl.NumberFormat(undefined, {
    style: "percent",
    maximumFractionDigits: 0,
  });

  /** @type {Map<string, {data: object, row: HTMLTableRowElement, cells: object}>} */
  const tables = new Map();
  let job = null;
  let source = null;
  let ended = false;

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

  // ---- the job header ---------------------------------------------------------------------

  function renderJob() {
    if (!job) return;
    setBadge(byId("job-state"), job.state);
    byId("job-start").textContent = formatTime(job.start_date || job.queued_at);
    renderDuration();
    renderTotals();
  }

  function renderDuration() {
    if (!job || !job.start_date) return;
    const start = Date.parse(job.start_date);
    const end = job.end_date ? Date.parse(job.end_date) : Date.now();
    byId("job-duration").textContent = formatDuration((end - start) / 1000);
  }

  // Live totals are summed from the tables (table events arrive every second, job events only
  // when the run changes state); the server's totals count once the run has ended.
  function renderTotals() {
    const list = [...tables.values()].map((entry) => entry.data);
    let rows = 0;
    let bytes = 0;
    let rate = 0;
    let done = 0;
    let estimated = 0;
    let allEstimated = list.length > 0;
    for (const table of list) {
      rows += isNumber(table.rows) ? table.rows : 0;
      bytes += isNumber(table.bytes) ? table.bytes : 0;
      if (table.state === "running" && isNumber(table.rows_per_second)) {
        rate += table.rows_per_second;
      }
      if (table.state === "success") done += 1;
      if (table.state === "success" && isNumber(table.rows)) estimated += table.rows;
      else if (isNumber(table.estimated_rows)) estimated += Math.max(table.estimated_rows, 1);
      else allEstimated = false;
    }
    const totals = (ended && job && job.totals) || null;
    if (totals) {
      rows = isNumber(totals.rows) ? totals.rows : rows;
      bytes = isNumber(totals.bytes) ? totals.bytes : bytes;
      rate = isNumber(totals.rows_per_second) ? totals.rows_per_second : rate;
    }
    setValue(byId("total-rows"), rows, formatCount(rows));
    setValue(byId("total-bytes"), bytes, formatBytes(bytes));
    setValue(byId("total-rate"), rate, formatCount(rate));
    setValue(byId("total-tables"), done, list.length ? done + " of " + list.length : "–");

    const overall = byId("overall-progress");
    const percent = byId("overall-percent");
    overall.dataset.state = (job && job.state) || "";
    if (job && job.state === "success") {
      setProgress(overall, 1, 1, "All tables done");
      percent.textContent = percentFormat.format(1);
    } else if (allEstimated && estimated > 0) {
      const fraction = Math.min(rows / estimated, 0.99);
      setProgress(overall, fraction, 1, percentFormat.format(fraction) + " of the rows");
      percent.textContent = percentFormat.format(fraction);
    } else if (list.length && job && job.state === "running") {
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
    stateCell.append(badge, phase);

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
      bar,
      percent,
      rows: cell("num rows"),
      rate: cell("num rate"),
      eta: cell("num eta"),
      bytes: cell("num bytes"),
      partitions: cell("num partitions"),
    };
    byId("table-rows").appendChild(row);
    byId("no-tables").hidden = true;
    return { row, cells };
  }

  function upsertTable(table) {
    if (!table || typeof table.table !== "string") return;
    let entry = tables.get(table.table);
    if (!entry) {
      entry = { data: {}, ...createRow(table.table) };
      tables.set(table.table, entry);
    }
    entry.data = { ...entry.data, ...table };
    renderTable(entry);
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

  function applyJob(data, { withTables }) {
    if (!data || typeof data !== "object") return;
    const { tables: list, ...rest } = data;
    job = { ...(job || {}), ...rest };
    if (withTables && Array.isArray(list)) {
      list.forEach(upsertTable);
      // the server's order (the plan's); tables first seen in events were appended
      const body = byId("table-rows");
      for (const table of list) {
        const entry = tables.get(table && table.table);
        if (entry) body.appendChild(entry.row);
      }
    }
    renderJob();
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
    applyJob(data, { withTables: true });
    root.setAttribute("aria-busy", "false");
    setLive("ended", "Run finished");
  }

  function follow() {
    source = new EventSource(eventsUrl);
    source.addEventListener("open", () => setLive("live", "Live"));
    source.addEventListener("job", (event) => applyJob(parse(event), { withTables: false }));
    source.addEventListener("table", (event) => {
      upsertTable(parse(event));
      renderTotals();
    });
    source.addEventListener("end", (event) => finish(parse(event)));
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

  async function start() {
    followTheme();
    let response;
    try {
      response = await fetch(jobUrl, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
    } catch (_error) {
      setLive("closed", "Offline");
      showMessage("The job could not be loaded: the API server did not answer.");
      return;
    }
    if (!response.ok) {
      root.setAttribute("aria-busy", "false");
      root.dataset.missing = "true";
      byId("tables-section").hidden = true;
      byId("job-summary").hidden = true;
      byId("job-state").hidden = true;
      setLive("closed", "");
      if (response.status === 404) {
        showMessage("This run is not a transport job: there is no table progress to show.");
      } else if (response.status === 401) {
        showMessage("You are not logged in to Airflow (or your session has expired).");
      } else if (response.status === 403) {
        showMessage("You are not allowed to see the runs of this DAG.");
      } else {
        showMessage("The job could not be loaded (HTTP " + response.status + ").");
      }
      return;
    }
    const data = await response.json();
    applyJob(data, { withTables: true });
    if (FINISHED_RUN.has(data.state)) {
      finish(data);
    } else {
      setLive("connecting", "Connecting…");
      follow();
    }
    // the run's duration ticks between events
    window.setInterval(() => {
      if (!ended) renderDuration();
    }, 1000);
  }

  // exposed for debugging in the browser's console
  window.jobView = { tables, job: () => job };
  start();
})();
