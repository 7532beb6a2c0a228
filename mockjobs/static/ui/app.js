// mockjobs dashboard: drives the API (/api/...) and the control API (/_mock/...) as any client would.
// Everything the server sends is inserted as text (textContent, createElement), never as HTML.
"use strict";

(() => {
  // The API's vocabulary, read from the server at start (mockjobs/vocabulary.py, the query schema).
  let STATUSES = [];
  let ORIGINS = [];
  let SORTABLE = [];
  let LISTS = []; // free-text filters: space- or comma-separated, repeated in the query
  let SCALARS = []; // the other filters, one value each
  let BATCH_STATUSES = [];
  let DEVICE_TYPES = [];
  let QUEUE_PRIORITIES = [];
  let BATCH_LISTS = []; // the batch list's free-text filters
  let BATCH_SCALARS = [];
  const BATCH_CHOICES = () => [["status", BATCH_STATUSES], ["device_type", DEVICE_TYPES], ["queue_priority", QUEUE_PRIORITIES]];

  const TOKEN_KEY = "mockjobs.token";
  const OWN_HEADER = "X-Mockjobs-Dashboard"; // marks this page's requests, hidden in the journal by default
  const POLL_MS = 1500;
  const SAMPLE_PAGES = 5; // jobs created over time: at most 5 pages of 100, the newest matching jobs
  const BATCH_JOBS = 100; // a batch's jobs shown: its first 100, in creation order (the API's largest page)

  const $ = (id) => document.getElementById(id);
  const state = { offset: 0, total: 0, end: 0, filter: null, view: null, job: null, request: null };
  let journal = [];
  let journalSignature = "";
  let jobsGeneration = 0;
  let batchesGeneration = 0;
  const batches = { offset: 0, total: 0, end: 0, filter: null, batch: null, loaded: false };
  let glanceGeneration = 0;
  let polling = false;

  // -- DOM helpers: text only ------------------------------------------------------------------

  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value !== undefined && value !== null) node.setAttribute(name, value);
    }
    node.append(...children.map((child) => (child instanceof Node ? child : String(child))));
    return node;
  }

  function svg(tag, attributes, text) {
    const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
    if (text !== undefined) node.textContent = String(text);
    return node;
  }

  const badge = (status) => el("span", { class: `status status-${status}` }, status);
  const shortTime = (value) => (value ? value.replace("T", " ").replace(/\.\d+/, "") : "—");

  // -- calling the server ----------------------------------------------------------------------

  async function call(method, path, body) {
    const token = sessionStorage.getItem(TOKEN_KEY);
    const headers = { [OWN_HEADER]: "1" };
    if (token) headers.Authorization = `Bearer ${token}`;
    const init = { method, headers, cache: "no-store" };
    if (body !== undefined || method === "POST") { // the control API takes JSON only
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body ?? {});
    }
    let response, text;
    try {
      response = await fetch(path, init);
      text = await response.text();
    } catch {
      return { ok: false, status: 0, json: null, headers: new Headers(), problem: "no answer: the connection failed or was dropped" };
    }
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    // Ask only if the refused token is the current one (not a request sent before the form was answered).
    if (response.status === 401 && sessionStorage.getItem(TOKEN_KEY) === token) askForToken(Boolean(token));
    const problem = response.ok ? "" : describe(response.status, json, text);
    return { ok: response.ok, status: response.status, json, headers: response.headers, problem };
  }

  function describe(status, json, text) {
    let what = text;
    if (json && Array.isArray(json.detail)) {
      what = json.detail.map((error) => `${(error.loc || []).join(".")}: ${error.msg}`).join("\n");
    } else if (json && typeof json.detail === "string") {
      what = json.detail;
    } else if (json && json.message) {
      what = json.message;
    }
    return `${status}: ${what}`;
  }

  function askForToken(refused) {
    const form = $("token-form");
    if (!form.hidden) return;
    $("token-message").textContent = refused
      ? "The server refused the token: give the one it was started with."
      : "This server needs a token (it was started with --token).";
    form.hidden = false;
    $("token-input").focus();
  }

  $("token-form").addEventListener("submit", (event) => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $("token-input").value);
    $("token-input").value = "";
    $("token-form").hidden = true;
    refreshAll();
  });

  // -- the query: form <-> URL -----------------------------------------------------------------

  const field = (name) => $("filters").elements.namedItem(name);

  function filterParams() {
    const params = new URLSearchParams();
    for (const name of ["status", "origin"]) {
      for (const box of document.querySelectorAll(`#filters input[name=${name}]:checked`)) params.append(name, box.value);
    }
    for (const name of LISTS) {
      for (const value of field(name).value.split(/[\s,]+/)) if (value) params.append(name, value);
    }
    for (const name of SCALARS) if (field(name).value !== "") params.append(name, field(name).value);
    return params;
  }

  function viewParams() {
    const params = new URLSearchParams();
    if (field("order_by").value !== "created_at") params.append("order_by", field("order_by").value);
    if (field("order_by_direction").value !== "DESC") params.append("order_by_direction", field("order_by_direction").value);
    params.append("limit", field("limit").value);
    return params;
  }

  function pageQuery() {
    const params = new URLSearchParams([...filterParams(), ...viewParams()]);
    if (state.offset) params.append("offset", String(state.offset));
    return params.toString();
  }

  function restoreFromHash() {
    const params = new URLSearchParams(location.hash.slice(1));
    for (const box of document.querySelectorAll("#filters input[type=checkbox]")) {
      box.checked = params.getAll(box.name).includes(box.value);
    }
    for (const name of LISTS) field(name).value = params.getAll(name).join(" ");
    for (const name of SCALARS) field(name).value = params.get(name) || "";
    for (const name of ["order_by", "order_by_direction", "limit"]) {
      const value = params.get(name);
      const select = field(name);
      if (value && [...select.options].some((option) => option.value === value)) select.value = value;
    }
    state.offset = Math.max(0, Number.parseInt(params.get("offset") || "0", 10) || 0);
  }

  function applyFilters(force) {
    const filter = filterParams().toString();
    const view = viewParams().toString();
    const changed = filter !== state.filter || view !== state.view;
    if (changed) state.offset = 0;
    if (force || changed) loadJobs();
    if (force || filter !== state.filter) loadGlance();
    state.filter = filter;
    state.view = view;
  }

  // -- jobs ------------------------------------------------------------------------------------

  async function loadJobs() {
    const generation = ++jobsGeneration;
    const query = pageQuery();
    const path = `/api/v2/jobs?${query}`;
    history.replaceState(null, "", `#${query}`);
    const url = `${location.origin}${path}`;
    $("api-url").value = url;
    const auth = sessionStorage.getItem(TOKEN_KEY) ? ' -H "Authorization: Bearer $MOCKJOBS_TOKEN"' : "";
    $("curl-line").value = `curl -i${auth} '${url}'`; // the query is percent-encoded: no quote inside
    $("jobs").dataset.state = "loading";
    const answer = await call("GET", path);
    if (generation !== jobsGeneration) return;
    const error = $("jobs-error");
    if (!answer.ok) {
      error.replaceChildren(el("strong", {}, `GET ${path}`), el("pre", {}, answer.problem));
      error.hidden = false;
      $("content-range").textContent = "Content-Range: —";
      $("page-first").disabled = $("page-prev").disabled = state.offset === 0;
      $("page-next").disabled = $("page-last").disabled = true;
      $("jobs-table").tBodies[0].replaceChildren();
      $("jobs").dataset.state = "error";
      return;
    }
    error.hidden = true;
    const { data, pagination } = answer.json;
    state.total = pagination.total;
    state.end = pagination.end;
    $("content-range").textContent = `Content-Range: ${answer.headers.get("Content-Range")}`;
    $("page-first").disabled = $("page-prev").disabled = state.offset === 0;
    $("page-next").disabled = $("page-last").disabled = pagination.end >= pagination.total;
    renderJobs(data);
    $("jobs").dataset.state = "ready";
  }

  function renderJobs(jobs) {
    const rows = jobs.map((job) => {
      const row = el("tr", { "data-id": job.id, "data-test": "job-row", class: job.id === state.job ? "selected" : null },
        el("td", {}, el("button", { type: "button", class: "link", "data-test": "job-link" }, job.id)),
        el("td", { "data-test": "job-status" }, badge(job.status)),
        el("td", { class: "num" }, job.runs),
        el("td", { class: "num" }, `${job.progress} %`),
        el("td", { title: job.created_at }, shortTime(job.created_at)),
        el("td", { title: job.start_timestamp }, shortTime(job.start_timestamp)),
        el("td", { title: job.end_timestamp }, shortTime(job.end_timestamp)),
        el("td", { class: "num", title: job.errors.join("\n") || null }, job.errors.length));
      return row;
    });
    if (!rows.length) rows.push(el("tr", {}, el("td", { colspan: "8" }, "No job on this page.")));
    $("jobs-table").tBodies[0].replaceChildren(...rows);
  }

  async function showJob(id) {
    state.job = id;
    for (const row of $("jobs-table").tBodies[0].rows) row.classList.toggle("selected", row.dataset.id === id);
    const encoded = encodeURIComponent(id);
    const jobPath = `/api/v2/jobs/${encoded}`;
    const linkPath = `/api/v1/jobs/${encoded}/results_link`;
    $("job-detail").hidden = false;
    $("job-detail-title").textContent = `Job ${id}`;
    $("job-url").textContent = `GET ${jobPath}`;
    $("job-results-url").textContent = `GET ${linkPath}`;
    $("job-json").textContent = "…";
    $("job-results").replaceChildren("…");
    $("job-batch").replaceChildren("…");
    const [job, link] = await Promise.all([call("GET", jobPath), call("GET", linkPath)]);
    if (state.job !== id) return;
    $("job-json").textContent = job.ok ? JSON.stringify(job.json.data, null, 2) : job.problem;
    const batchId = job.ok ? job.json.data.batch_id : null;
    $("job-batch").replaceChildren(batchId ? batchLink(batchId, "job-batch-link") : "—");
    const href = link.ok ? link.json.data.results_link : null;
    if (!link.ok) $("job-results").replaceChildren(link.problem);
    else if (href === null) $("job-results").replaceChildren("none (null: the job has no results)");
    else if (/^https?:$/.test(new URL(href, location.href).protocol)) {
      $("job-results").replaceChildren(el("a", { href, target: "_blank", rel: "noopener noreferrer" }, href));
    } else $("job-results").replaceChildren(href);
  }

  function goTo(offset) {
    state.offset = Math.max(0, offset);
    loadJobs();
  }


  // -- batches ---------------------------------------------------------------------------------

  const batchField = (name) => $("batch-filters").elements.namedItem(name);

  function batchFilterParams() {
    const params = new URLSearchParams();
    for (const [name] of BATCH_CHOICES()) {
      for (const box of document.querySelectorAll(`#batch-filters input[name=${name}]:checked`)) params.append(name, box.value);
    }
    for (const name of BATCH_LISTS) {
      for (const value of batchField(name).value.split(/[\s,]+/)) if (value) params.append(name, value);
    }
    for (const name of BATCH_SCALARS) if (batchField(name).value !== "") params.append(name, batchField(name).value);
    return params;
  }

  function applyBatchFilters(force) {
    const filter = `${batchFilterParams()}&limit=${batchField("limit").value}`;
    if (filter !== batches.filter) batches.offset = 0;
    if (force || filter !== batches.filter) loadBatches();
    batches.filter = filter;
  }

  async function loadBatches() {
    const generation = ++batchesGeneration;
    batches.loaded = true;
    const params = batchFilterParams();
    params.append("limit", batchField("limit").value);
    if (batches.offset) params.append("offset", String(batches.offset));
    const path = `/api/v1/batches?${params}`;
    $("batch-api-url").value = `${location.origin}${path}`;
    $("batches").dataset.state = "loading";
    const answer = await call("GET", path);
    if (generation !== batchesGeneration) return;
    const error = $("batches-error");
    $("batch-page-first").disabled = $("batch-page-prev").disabled = batches.offset === 0;
    if (!answer.ok) {
      error.replaceChildren(el("strong", {}, `GET ${path}`), el("pre", {}, answer.problem));
      error.hidden = false;
      $("batch-content-range").textContent = "Content-Range: —";
      $("batch-page-next").disabled = $("batch-page-last").disabled = true;
      $("batches-table").tBodies[0].replaceChildren();
      $("batches").dataset.state = "error";
      return;
    }
    error.hidden = true;
    const { data, pagination } = answer.json;
    batches.total = pagination.total;
    batches.end = pagination.end;
    $("batch-content-range").textContent = `Content-Range: ${answer.headers.get("Content-Range")}`;
    $("batch-page-next").disabled = $("batch-page-last").disabled = pagination.end >= pagination.total;
    renderBatches(data);
    $("batches").dataset.state = "ready";
  }

  function countsOf(perStatus) {
    const shown = Object.entries(perStatus || {}).filter(([, count]) => count);
    return el("span", { class: "counts", "data-test": "batch-counts" }, ...shown.map(([status, count]) =>
      el("span", { class: `status status-${status}`, "data-status": status, title: `${status}: ${count} job(s)` }, count)));
  }

  function renderBatches(list) {
    const rows = list.map((batch) => el("tr", { "data-id": batch.id, "data-test": "batch-row", class: batch.id === batches.batch ? "selected" : null },
      el("td", {}, el("button", { type: "button", class: "link", "data-test": "batch-link" }, batch.id)),
      el("td", { "data-test": "batch-status" }, badge(batch.status)),
      el("td", { "data-test": "batch-device" }, batch.device_type ?? "—"),
      el("td", {}, batch.open ? "open" : "closed"),
      el("td", { class: "num", "data-test": "batch-jobs-count" }, batch.jobs_count),
      el("td", {}, countsOf(batch.jobs_count_per_status)),
      el("td", { title: batch.created_at }, shortTime(batch.created_at)),
      el("td", { "data-test": "batch-tags" }, ...batch.tags.map((tag) => el("span", { class: "tag" }, tag)))));
    if (!rows.length) rows.push(el("tr", {}, el("td", { colspan: "8" }, "No batch on this page.")));
    $("batches-table").tBodies[0].replaceChildren(...rows);
  }

  function batchLink(id, test) {
    const link = el("button", { type: "button", class: "link", "data-test": test }, id);
    link.addEventListener("click", () => {
      selectView("batches");
      showBatch(id);
    });
    return link;
  }

  const printed = (value) => (value !== null && typeof value === "object" ? JSON.stringify(value) : String(value));

  async function showBatch(id) {
    if (batches.batch !== id) $("batch-action-result").replaceChildren();
    batches.batch = id;
    for (const row of $("batches-table").tBodies[0].rows) row.classList.toggle("selected", row.dataset.id === id);
    const batchPath = `/api/v2/batches/${encodeURIComponent(id)}`;
    const jobsQuery = new URLSearchParams({ batch_id: id, order_by: "creation_order", order_by_direction: "ASC", limit: String(BATCH_JOBS) });
    const jobsPath = `/api/v2/jobs?${jobsQuery}`;
    const detail = $("batch-detail");
    detail.hidden = false;
    detail.dataset.state = "loading";
    $("batch-detail-title").textContent = `Batch ${id}`;
    $("batch-url").textContent = `GET ${batchPath}`;
    const [batch, jobs] = await Promise.all([call("GET", batchPath), call("GET", jobsPath)]);
    if (batches.batch !== id) return;
    $("batch-fields").tBodies[0].replaceChildren(...(batch.ok
      ? Object.entries(batch.json.data).map(([name, value]) =>
        el("tr", { "data-field": name }, el("th", { scope: "row" }, name),
          el("td", {}, ...(name === "jobs_count_per_status" ? [countsOf(value), " "] : []), printed(value))))
      : [el("tr", {}, el("td", { class: "error" }, batch.problem))]));
    const caption = $("batch-jobs-caption");
    if (!jobs.ok) {
      caption.textContent = `jobs (GET ${jobsPath}): ${jobs.problem}`;
      $("batch-jobs").tBodies[0].replaceChildren();
    } else {
      const { data, pagination } = jobs.json;
      caption.textContent = data.length < pagination.total
        ? `jobs, in creation order: the first ${data.length} of ${pagination.total}`
        : `jobs, in creation order: all ${pagination.total}`;
      const rows = data.map((job) => el("tr", { "data-id": job.id, "data-test": "batch-job-row" },
        el("td", { class: "num", "data-test": "batch-job-order" }, job.creation_order),
        el("td", {}, el("button", { type: "button", class: "link", "data-test": "batch-job-link" }, job.id)),
        el("td", { "data-test": "batch-job-status" }, badge(job.status)),
        el("td", { class: "num" }, job.runs),
        el("td", { class: "num" }, `${job.progress} %`),
        el("td", { class: "num", title: job.errors.join("\n") || null }, job.errors.length)));
      if (!rows.length) rows.push(el("tr", {}, el("td", { colspan: "6" }, "No job yet.")));
      $("batch-jobs").tBodies[0].replaceChildren(...rows);
    }
    detail.dataset.state = batch.ok && jobs.ok ? "ready" : "error";
  }

  async function batchAction(action, done) {
    const id = batches.batch;
    if (!id) return;
    const answer = await call("PATCH", `/api/v2/batches/${encodeURIComponent(id)}/${action}`);
    if (batches.batch !== id) return;
    report("batch-action-result", answer, answer.ok ? `${done}: the batch is ${answer.json.data.status}, ${answer.json.data.open ? "open" : "closed"}.` : "");
    if (!answer.ok) return;
    showBatch(id);
    loadBatches();
    loadJobs(); // its jobs changed
    loadGlance();
  }

  function goToBatches(offset) {
    batches.offset = Math.max(0, offset);
    loadBatches();
  }

  function refreshBatches() {
    if (!batches.loaded) return; // not asked for yet: loaded when the tab is first shown
    loadBatches();
    if (batches.batch) showBatch(batches.batch);
  }

  // -- the views: jobs or batches --------------------------------------------------------------

  function selectView(name) {
    for (const tab of document.querySelectorAll(".tabs [role=tab]")) {
      const selected = tab.dataset.view === name;
      tab.setAttribute("aria-selected", String(selected));
      tab.tabIndex = selected ? 0 : -1;
      $(tab.getAttribute("aria-controls")).hidden = !selected;
    }
    if (name === "batches" && !batches.loaded) loadBatches();
  }

  // -- at a glance -----------------------------------------------------------------------------

  async function loadGlance() {
    const generation = ++glanceGeneration;
    $("glance").dataset.state = "loading";
    const filter = filterParams();
    const countOf = async (name, value) => {
      const chosen = filter.getAll(name);
      if (chosen.length && !chosen.includes(value)) return 0; // outside the current filter
      const params = new URLSearchParams(filter);
      params.delete(name);
      params.append(name, value);
      params.append("limit", "1");
      const answer = await call("GET", `/api/v2/jobs?${params}`);
      return answer.ok ? answer.json.pagination.total : null;
    };
    const [byStatus, byOrigin, sample] = await Promise.all([
      Promise.all(STATUSES.map((status) => countOf("status", status))),
      Promise.all(ORIGINS.map((origin) => countOf("origin", origin))),
      newestJobs(filter),
    ]);
    if (generation !== glanceGeneration) return;
    drawBars($("chart-status"), "status", STATUSES, byStatus);
    drawBars($("chart-origin"), "origin", ORIGINS, byOrigin);
    drawCreated(sample);
    $("glance").dataset.state = "ready";
  }

  async function newestJobs(filter) {
    const jobs = [];
    let total = 0;
    for (let page = 0; page < SAMPLE_PAGES; page++) {
      const params = new URLSearchParams(filter);
      params.append("order_by", "created_at");
      params.append("order_by_direction", "DESC");
      params.append("limit", "100");
      if (page) params.append("offset", String(page * 100));
      const answer = await call("GET", `/api/v2/jobs?${params}`);
      if (!answer.ok) return { jobs, total, problem: answer.problem };
      jobs.push(...answer.json.data);
      total = answer.json.pagination.total;
      if (answer.json.pagination.end >= total) break;
    }
    return { jobs, total, problem: "" };
  }

  function drawBars(chart, name, labels, counts) {
    const row = 18;
    const width = 360;
    const left = 84;
    const span = width - left - 44;
    const most = Math.max(1, ...counts.map((count) => count || 0));
    chart.setAttribute("viewBox", `0 0 ${width} ${labels.length * row + 4}`);
    chart.replaceChildren(...labels.map((label, index) => {
      const count = counts[index];
      const length = count ? Math.max(1, (count / most) * span) : 0;
      const y = index * row + 2;
      const group = svg("g", { "data-test": `count-${name}-${label}`, "data-count": count === null ? "" : String(count) });
      group.append(
        svg("title", {}, count === null ? `${label}: the count failed` : `${label}: ${count} job(s)`),
        svg("text", { x: left - 6, y: y + 12, "text-anchor": "end" }, label),
        svg("rect", { x: left, y: y + 2, width: length.toFixed(1), height: row - 5, class: `${name}-${label}` }),
        svg("text", { x: left + length + 4, y: y + 12, class: "count" }, count === null ? "?" : count));
      return group;
    }));
  }

  function drawCreated({ jobs, total, problem }) {
    const chart = $("chart-created");
    const caption = $("chart-created-caption");
    const width = 360;
    const height = 120;
    const bottom = 18;
    if (!jobs.length) {
      caption.textContent = problem ? `jobs created per day: ${problem}` : "jobs created per day: no job matches";
      chart.setAttribute("viewBox", `0 0 ${width} 20`);
      chart.replaceChildren();
      return;
    }
    const dayOf = (job) => Date.UTC(+job.created_at.slice(0, 4), +job.created_at.slice(5, 7) - 1, +job.created_at.slice(8, 10));
    const days = jobs.map(dayOf);
    const first = Math.min(...days);
    const spanDays = Math.round((Math.max(...days) - first) / 86400000) + 1;
    const perBin = Math.ceil(spanDays / 60); // at most 60 bars
    const bins = new Array(Math.ceil(spanDays / perBin)).fill(0);
    for (const day of days) bins[Math.floor(Math.round((day - first) / 86400000) / perBin)] += 1;
    const most = Math.max(...bins);
    const slot = width / bins.length;
    const date = (index) => new Date(first + index * perBin * 86400000).toISOString().slice(0, 10);
    const unit = perBin === 1 ? "day" : `${perBin} days`;
    caption.textContent = jobs.length < total
      ? `jobs created per ${unit} (UTC), over the ${jobs.length} most recently created of the ${total} matching jobs (the first bar may be partial)`
      : `jobs created per ${unit} (UTC), over all ${total} matching jobs`;
    chart.setAttribute("viewBox", `0 0 ${width} ${height + bottom}`);
    chart.replaceChildren(
      svg("line", { x1: 0, y1: height + 0.5, x2: width, y2: height + 0.5, class: "axis" }),
      ...bins.map((count, index) => {
        const barHeight = (count / most) * (height - 14);
        const group = svg("g", { "data-test": "created-bar", "data-count": String(count) });
        group.append(
          svg("title", {}, `${date(index)}${perBin > 1 ? ` + ${perBin - 1} days` : ""}: ${count} job(s)`),
          svg("rect", { x: (index * slot + 1).toFixed(1), y: (height - barHeight).toFixed(1),
            width: Math.max(1, slot - 2).toFixed(1), height: barHeight.toFixed(1) }));
        return group;
      }),
      svg("text", { x: 0, y: height + 14 }, date(0)),
      svg("text", { x: width, y: height + 14, "text-anchor": "end" }, date(bins.length - 1)),
      svg("text", { x: 2, y: 10, class: "count" }, `max ${most}`));
  }

  // -- the journal, the faults and the clock, polled -------------------------------------------

  const isOwn = (entry) => entry.path === "/" ||
    Object.keys(entry.headers || {}).some((name) => name.toLowerCase() === OWN_HEADER.toLowerCase());

  function urlOf(entry) {
    const query = new URLSearchParams();
    for (const [name, values] of Object.entries(entry.query || {})) for (const value of values) query.append(name, value);
    const text = query.toString();
    return text ? `${entry.path}?${text}` : entry.path;
  }

  const keyOf = (entry) => `${entry.time} ${entry.method} ${urlOf(entry)} ${entry.status}`;

  async function pollJournal() {
    const answer = await call("GET", "/_mock/requests?limit=200"); // the newest: a page, not the whole journal
    if (!answer.ok) return;
    const entries = answer.json.data;
    const signature = entries.length ? `${entries.length} ${entries[0].time} ${keyOf(entries.at(-1))}` : "0";
    if (signature === journalSignature) return;
    journalSignature = signature;
    journal = entries;
    renderJournal();
  }

  function renderJournal() {
    const showOwn = $("show-own").checked;
    const rows = [];
    for (let index = journal.length - 1; index >= 0; index--) {
      const entry = journal[index];
      if (!showOwn && isOwn(entry)) continue;
      rows.push(el("tr", { "data-index": String(index), "data-test": "request-row", class: keyOf(entry) === state.request ? "selected" : null },
        el("td", { title: entry.time }, entry.time.slice(11, 23)),
        el("td", {}, entry.method),
        el("td", { class: "wrap" }, el("button", { type: "button", class: "link" }, urlOf(entry))),
        el("td", { class: `num http-${String(entry.status)[0]}`, "data-test": "request-status" }, entry.status)));
    }
    if (!rows.length) {
      const why = journal.length ? "Only the dashboard's own requests so far." : "No request yet.";
      rows.push(el("tr", {}, el("td", { colspan: "4" }, why)));
    }
    $("requests-table").tBodies[0].replaceChildren(...rows);
    const shown = rows[0].dataset.index === undefined ? 0 : rows.length;
    $("requests-count").textContent = `${shown} shown of ${journal.length} in the journal`;
  }

  function showRequest(entry) {
    state.request = keyOf(entry);
    for (const row of $("requests-table").tBodies[0].rows) row.classList.toggle("selected", row.dataset.index !== undefined && keyOf(journal[row.dataset.index]) === state.request);
    $("request-detail").hidden = false;
    $("request-detail-title").textContent = `${entry.method} ${urlOf(entry)} → ${entry.status} at ${entry.time}`;
    $("request-headers").tBodies[0].replaceChildren(...Object.entries(entry.headers || {}).map(
      ([name, value]) => el("tr", {}, el("td", {}, name), el("td", { class: "wrap" }, value))));
    const box = $("request-response-box");
    box.hidden = entry.response === null || entry.response === undefined;
    $("request-response").textContent = box.hidden ? "" : JSON.stringify(entry.response, null, 2);
  }

  async function pollFaults() {
    const answer = await call("GET", "/_mock/faults");
    if (!answer.ok) return;
    const rows = answer.json.data.map((rule) => {
      const query = new URLSearchParams(rule.query).toString();
      return el("tr", { "data-test": "fault-row" },
        el("td", {}, rule.id),
        el("td", { class: "wrap" }, `${rule.method} ${rule.path}${query ? `?${query}` : ""}`),
        el("td", {}, rule.status === null ? "—" : rule.status),
        el("td", { class: "num" }, rule.times === null ? "∞" : rule.times),
        el("td", { class: "num" }, `${rule.delay_ms} ms`),
        el("td", {}, rule.drop ? "yes" : "no"));
    });
    if (!rows.length) rows.push(el("tr", {}, el("td", { colspan: "6" }, "No rule armed.")));
    $("faults-table").tBodies[0].replaceChildren(...rows);
  }

  function showNow(now) {
    $("clock-now").textContent = now;
    $("clock-now").setAttribute("datetime", now);
  }

  async function pollClock() {
    const answer = await call("GET", "/_mock/clock");
    if (answer.ok) showNow(answer.json.now);
  }

  async function poll() {
    if (polling || !$("token-form").hidden) return;
    polling = true;
    try {
      await Promise.all([pollJournal(), pollFaults(), pollClock()]);
    } finally {
      polling = false;
    }
  }

  function refreshAll() {
    journalSignature = "";
    loadJobs();
    loadGlance();
    refreshBatches();
    poll();
  }

  // -- controls --------------------------------------------------------------------------------

  function report(id, answer, success) {
    const node = $(id);
    node.classList.toggle("bad", !answer.ok);
    node.replaceChildren(answer.ok ? success : answer.problem);
  }

  $("reset").addEventListener("click", async () => {
    const answer = await call("POST", "/_mock/reset");
    if (!answer.ok) return;
    state.offset = batches.offset = 0;
    state.job = state.request = batches.batch = null;
    $("job-detail").hidden = $("request-detail").hidden = $("batch-detail").hidden = true;
    for (const id of ["add-job-result", "fault-result", "clock-result", "batch-action-result"]) $(id).replaceChildren();
    refreshAll();
  });

  $("add-job-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target.elements;
    const record = {};
    for (const name of ["id", "status", "origin"]) if (form.namedItem(name).value !== "") record[name] = form.namedItem(name).value;
    if (form.namedItem("runs").value !== "") record.runs = Number(form.namedItem("runs").value);
    const answer = await call("POST", "/_mock/jobs", [record]);
    let success = "";
    if (answer.ok) {
      const job = answer.json.data[0];
      const open = el("button", { type: "button", class: "link", "data-test": "added-job" }, job.id);
      open.addEventListener("click", () => showJob(job.id));
      success = el("span", {}, `Added a ${job.status} job from ${job.origin}, created_at ${job.created_at}: `, open);
      loadJobs();
      loadGlance();
      refreshBatches(); // with its own batch
    }
    report("add-job-result", answer, success);
  });

  $("fault-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target.elements;
    const value = (name) => form.namedItem(name).value;
    const rule = { method: value("method"), path: value("path"), delay_ms: Number(value("delay_ms") || 0), drop: form.namedItem("drop").checked };
    if (value("query")) rule.query = Object.fromEntries(new URLSearchParams(value("query")));
    for (const name of ["status", "times", "retry_after"]) if (value(name) !== "") rule[name] = Number(value(name));
    const answer = await call("POST", "/_mock/faults", rule);
    report("fault-result", answer, answer.ok ? `Armed rule #${answer.json.data.id}.` : "");
    pollFaults();
  });

  $("faults-clear").addEventListener("click", async () => {
    const answer = await call("DELETE", "/_mock/faults");
    report("fault-result", answer, "Cleared every rule.");
    pollFaults();
  });

  $("clock-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const answer = await call("POST", "/_mock/clock", { advance: Number($("clock-seconds").value) });
    if (answer.ok) showNow(answer.json.now);
    report("clock-result", answer, answer.ok ? `Now ${answer.json.now}.` : "");
    if (answer.ok) {
      loadJobs(); // with the lifecycle on, jobs moved
      loadGlance();
      refreshBatches();
    }
  });

  $("requests-clear").addEventListener("click", async () => {
    await call("DELETE", "/_mock/requests");
    state.request = null;
    $("request-detail").hidden = true;
    journalSignature = "";
    poll();
  });

  // -- wiring ----------------------------------------------------------------------------------

  function fillChoices() {
    for (const [name, values] of [["status", STATUSES], ["origin", ORIGINS]]) {
      $(`f-${name}`).append(...values.map((value) => el("label", {},
        el("input", { type: "checkbox", name, value, id: `f-${name}-${value}`, "data-test": `f-${name}-${value}` }), ` ${value}`)));
      $(`add-${name}`).append(...values.map((value) => el("option", {}, value)));
    }
    for (const [name, values] of BATCH_CHOICES()) {
      $(`bf-${name}`).append(...values.map((value) => el("label", {},
        el("input", { type: "checkbox", name, value, id: `bf-${name}-${value}`, "data-test": `bf-${name}-${value}` }), ` ${value}`)));
    }
    for (const name of SORTABLE) {
      const option = el("option", {}, name);
      option.defaultSelected = name === "created_at";
      $("f-order-by").append(option);
    }
  }

  $("filters").addEventListener("change", (event) => {
    if (event.target.type === "checkbox" || event.target.tagName === "SELECT") applyFilters(false);
  });
  $("filters").addEventListener("submit", (event) => {
    event.preventDefault();
    applyFilters(true);
  });
  $("clear-filters").addEventListener("click", () => {
    $("filters").reset();
    applyFilters(false);
  });
  $("page-first").addEventListener("click", () => goTo(0));
  $("page-prev").addEventListener("click", () => goTo(state.offset - Number(field("limit").value)));
  $("page-next").addEventListener("click", () => goTo(state.end));
  $("page-last").addEventListener("click", () => {
    const limit = Number(field("limit").value);
    goTo(Math.max(0, Math.floor((state.total - 1) / limit) * limit));
  });
  $("jobs-table").tBodies[0].addEventListener("click", (event) => {
    const row = event.target.closest("tr[data-id]");
    if (row) showJob(row.dataset.id);
  });
  $("batch-filters").addEventListener("change", (event) => {
    if (event.target.type === "checkbox" || event.target.tagName === "SELECT") applyBatchFilters(false);
  });
  $("batch-filters").addEventListener("submit", (event) => {
    event.preventDefault();
    applyBatchFilters(true);
  });
  $("batch-clear-filters").addEventListener("click", () => {
    $("batch-filters").reset();
    applyBatchFilters(false);
  });
  $("batch-page-first").addEventListener("click", () => goToBatches(0));
  $("batch-page-prev").addEventListener("click", () => goToBatches(batches.offset - Number(batchField("limit").value)));
  $("batch-page-next").addEventListener("click", () => goToBatches(batches.end));
  $("batch-page-last").addEventListener("click", () => {
    const limit = Number(batchField("limit").value);
    goToBatches(Math.max(0, Math.floor((batches.total - 1) / limit) * limit));
  });
  $("batches-table").tBodies[0].addEventListener("click", (event) => {
    const row = event.target.closest("tr[data-id]");
    if (row) showBatch(row.dataset.id);
  });
  $("batch-jobs").tBodies[0].addEventListener("click", (event) => {
    const row = event.target.closest("tr[data-id]");
    if (!row) return;
    selectView("jobs");
    showJob(row.dataset.id);
    $("job-detail").scrollIntoView({ block: "nearest" });
  });
  $("batch-close").addEventListener("click", () => batchAction("complete", "Closed"));
  $("batch-cancel").addEventListener("click", () => batchAction("cancel", "Cancelled"));
  $("batch-show-jobs").addEventListener("click", () => {
    $("filters").reset();
    field("batch_id").value = batches.batch;
    field("order_by").value = "creation_order";
    field("order_by_direction").value = "ASC";
    selectView("jobs");
    applyFilters(false);
  });
  for (const tab of document.querySelectorAll(".tabs [role=tab]")) {
    tab.addEventListener("click", () => selectView(tab.dataset.view));
    tab.addEventListener("keydown", (event) => { // arrow keys move between the tabs
      if (event.key !== "ArrowLeft" && event.key !== "ArrowRight") return;
      const other = tab.dataset.view === "jobs" ? "batches" : "jobs";
      selectView(other);
      $(`tab-${other}`).focus();
    });
  }
  $("requests-table").tBodies[0].addEventListener("click", (event) => {
    const row = event.target.closest("tr[data-index]");
    if (row) showRequest(journal[Number(row.dataset.index)]);
  });
  $("show-own").addEventListener("change", renderJournal);
  for (const button of document.querySelectorAll("[data-copy]")) {
    button.addEventListener("click", async () => {
      const input = $(button.dataset.copy);
      try {
        await navigator.clipboard.writeText(input.value);
      } catch {
        input.select();
        document.execCommand("copy");
      }
      button.textContent = "Copied";
      setTimeout(() => { button.textContent = "Copy"; }, 1500);
    });
  }

  async function start() {
    const words = await (await fetch("/_mock/ui/vocabulary.json")).json();
    ({ statuses: STATUSES, origins: ORIGINS, sortable: SORTABLE, lists: LISTS, scalars: SCALARS } = words);
    ({ batch_statuses: BATCH_STATUSES, device_types: DEVICE_TYPES, queue_priorities: QUEUE_PRIORITIES } = words);
    ({ batch_lists: BATCH_LISTS, batch_scalars: BATCH_SCALARS } = words);
    fillChoices();
    $("fault-method").append(...words.methods.map((method) => el("option", {}, method)));
    $("fault-status").append(...words.fault_statuses.map((status) =>
      el("option", status === 503 ? { selected: "" } : {}, String(status))));
    restoreFromHash(); // the page's query is kept in its address: a reload shows the same jobs
    state.filter = filterParams().toString();
    state.view = viewParams().toString();
    batches.filter = `${batchFilterParams()}&limit=${batchField("limit").value}`;
    loadJobs();
    loadGlance();
    poll();
    setInterval(poll, POLL_MS);
  }

  start();
})();
