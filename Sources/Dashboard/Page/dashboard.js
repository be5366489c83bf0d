// comfysh dashboard: one WebSocket from comfysh brings the state (a snapshot, then the
// core's diff lines, each with the keys it names), the events in the shell's words, and
// the preview images. The page keeps a JSON copy of the state and draws it; it never talks
// to ComfyUI itself. Actions go to comfysh as POSTs (same origin; no token in the page).
"use strict";

const dash = {
  state: null,        // the state, as `comfysh replay --json` prints it (docs/state.md)
  seq: 0,             // the last frame applied
  graphs: {},         // prompt id -> node id -> [class_type, title]
  info: {},           // {demo, version, max_upload}
  clock: 0,           // the fleet's clock minus performance.now(), in seconds
  previews: {},       // server -> {url, promptID, nodeID}
  events: [],         // the latest events, newest last
  frames: 0,          // frames applied (diffs and snapshots)
  snapshots: 0,
  firstFrameAt: 0,    // performance.now() when the first snapshot was drawn
  linkState: "connecting",
  ws: null,
  retry: 0,
};
window.dashboard = dash;

const $ = (id) => document.getElementById(id);
const STATUS_ORDER = ["running", "queued", "waiting", "ended", "succeeded", "failed", "interrupted", "cancelled", "lost"];

// ---------------------------------------------------------------- the connection

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const ws = new WebSocket(`${scheme}://${location.host}/ws`);
  ws.binaryType = "arraybuffer";
  dash.ws = ws;
  setLink("connecting");
  ws.onopen = () => { dash.retry = 0; };
  ws.onmessage = (message) => {
    if (typeof message.data === "string") receive(JSON.parse(message.data));
    else preview(message.data);
  };
  ws.onclose = () => {
    if (dash.ws !== ws) return;
    dash.ws = null;
    setLink("reconnecting");
    const delay = Math.min(5000, 250 * 2 ** dash.retry++);
    setTimeout(connect, delay);
  };
}

/// A fresh start: the next frame is a snapshot.
function restart() {
  if (dash.ws) { const ws = dash.ws; dash.ws = null; ws.close(); }
  connect();
}

function setLink(state) {
  dash.linkState = state;
  const link = $("link");
  link.dataset.state = state;
  link.textContent = { live: "live", connecting: "connecting to comfysh…", reconnecting: "comfysh is unreachable; retrying…" }[state];
}

function receive(frame) {
  dash.clock = frame.now - performance.now() / 1000;
  // When each waiting job of ours should start and end: whole with each frame (or none).
  if (frame.type === "snapshot" || frame.type === "diff") {
    dash.forecast = {};
    for (const f of frame.forecast || []) dash.forecast[f.prompt_id] = { ...f, at: frame.now };
  }
  if (frame.type === "snapshot") {
    dash.state = frame.state;
    dash.graphs = frame.graphs || {};
    if (frame.dashboard) dash.info = frame.dashboard;
    dash.seq = frame.seq;
    dash.snapshots++;
    setLink("live");
  } else if (frame.type === "diff") {
    if (!dash.state || frame.seq !== dash.seq + 1) return restart();  // a gap: start again
    try {
      for (const line of frame.lines) apply(dash.state, line);
    } catch (error) {
      console.warn("comfysh: a diff line did not apply; starting again", error);
      return restart();
    }
    Object.assign(dash.graphs, frame.graphs || {});
    dash.seq = frame.seq;
  } else {
    return;
  }
  dash.frames++;
  for (const event of frame.events || []) told(event);
  schedule();
}

/// One diff line: set, add or remove the value its keys name. The log's lines append an entry.
function apply(state, line) {
  const keys = line.keys;
  if (keys.length === 1 && keys[0] === "log") {
    const log = state.log;
    log.entries.push(line.new);
    log.total = line.new.seq;
    while (log.entries.length > log.capacity) log.entries.shift();
    return;
  }
  let parent = state;
  for (let i = 0; i < keys.length - 1; i++) {
    if (parent[keys[i]] === undefined || parent[keys[i]] === null) parent[keys[i]] = typeof keys[i + 1] === "number" ? [] : {};
    parent = parent[keys[i]];
  }
  const last = keys[keys.length - 1];
  if (line.kind === "-") {
    if (Array.isArray(parent)) parent.splice(last, 1); else delete parent[last];
  } else {
    parent[last] = line.new;
  }
}

/// A preview frame: a 4-byte length, a JSON header, the image.
function preview(buffer) {
  const view = new DataView(buffer);
  const length = view.getUint32(0);
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 4, length)));
  const blob = new Blob([new Uint8Array(buffer, 4 + length)], { type: header.mime_type });
  const old = dash.previews[header.server];
  if (old) URL.revokeObjectURL(old.url);
  dash.previews[header.server] = { url: URL.createObjectURL(blob), promptID: header.prompt_id, nodeID: header.node_id };
  schedule();
}

/// An event: kept for the record; a toast when it is one.
function told(event) {
  dash.events.push(event);
  if (dash.events.length > 200) dash.events.shift();
  if (event.toast && event.text) toast(event.text, event.tone, event.status || event.event?.event);
}

// ---------------------------------------------------------------- drawing

let scheduled = false;
function schedule() {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(() => { scheduled = false; render(); });
}

function now() { return dash.clock + performance.now() / 1000; }

function render() {
  const state = dash.state;
  if (!state) return;
  $("submit-demo").hidden = !dash.info.demo;
  $("version").textContent = `comfysh ${dash.info.version || ""}`;
  renderServers(state);
  renderRunning(state);
  renderQueue(state);
  renderLog(state);
  if (!dash.firstFrameAt) dash.firstFrameAt = performance.now();
}

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function servers(state) {
  return Object.entries(state.servers).map(([name, server]) => ({ name, ...server }));
}

/// connected / reconnecting / offline / breaker open, with what a person asks next.
function light(server) {
  const connection = server.connection;
  const phase = connection.phase;
  if (connection.breaker && connection.breaker.state === "open") {
    const left = connection.breaker.open_until != null ? Math.max(0, connection.breaker.open_until - now()) : null;
    return { kind: "breaker", label: "breaker open", detail: left != null ? `next try in ${seconds(left)}` : "" };
  }
  if (server.status === "lost" && phase !== "connected") return { kind: "offline", label: "lost", detail: connection.reason || "" };
  switch (phase) {
    case "connected": return { kind: "connected", label: "connected", detail: connection.resyncing ? "resyncing" : "" };
    case "reconnecting": {
      const left = Math.max(0, connection.next_try_at - now());
      return { kind: "reconnecting", label: "reconnecting", detail: `attempt ${connection.attempt} in ${seconds(left)}` };
    }
    case "connecting": return { kind: "reconnecting", label: "connecting", detail: connection.attempt ? `attempt ${connection.attempt}` : "" };
    case "failed": return { kind: "failed", label: "failed", detail: connection.reason || "" };
    default: return { kind: "offline", label: "offline", detail: connection.reason || connection.last_attempt_failure || "" };
  }
}

function renderServers(state) {
  const cards = servers(state).map((server) => {
    const connection = server.connection;
    const status = light(server);
    const version = connection.server && connection.server.comfyui_version;
    return el("article", { class: "server", dataset: { server: server.name, light: status.kind } },
      el("div", { class: "server-head" },
        el("span", { class: `light ${status.kind}`, title: status.label }),
        el("strong", { class: "name" }, server.name),
        el("span", { class: "light-label" }, status.label),
        status.detail ? el("span", { class: "dim detail" }, status.detail) : null),
      el("dl", {},
        el("dt", {}, "server"), el("dd", { class: "url" }, connection.url || "—", version ? ` · ComfyUI ${version}` : ""),
        el("dt", {}, "round trip"), el("dd", { class: "rtt" }, connection.rtt_ms != null ? `${Math.round(connection.rtt_ms)} ms` : "—"),
        el("dt", {}, "quality"), el("dd", { class: `quality ${connection.quality}` }, connection.quality),
        el("dt", {}, "queue"), el("dd", { class: "depth" }, server.remaining != null ? `${server.remaining} on the server` : "—"),
        el("dt", {}, "reconnects"), el("dd", {}, String(connection.reconnects))));
  });
  $("servers").replaceChildren(...cards);
}

function renderRunning(state) {
  const cards = [];
  for (const server of servers(state)) {
    const id = state.queue.running.find((pid) => state.queue.prompts[pid] && state.queue.prompts[pid].server === server.name);
    if (!id) continue;
    const record = state.queue.prompts[id];
    const progress = server.progress.prompt_id === id ? server.progress : null;
    const nodes = server.nodes.prompt_id === id ? server.nodes : null;
    const nodeID = (progress && progress.node) || (nodes && (nodes.executing_display || nodes.executing));
    const graph = dash.graphs[id] || {};
    const known = nodeID != null ? graph[nodeID] : null;
    const nodeName = nodeID == null ? "—" : known ? `${known[1] || known[0]} (${known[0]}, node ${nodeID})` : `node ${nodeID}`;
    const nodeFraction = progress && progress.max > 0 ? Math.min(1, progress.value / progress.max) : 0;
    const fraction = progress ? progress.fraction : 0;
    const image = dash.previews[server.name];
    const showPreview = image && (image.promptID == null || image.promptID === id);
    cards.push(el("article", { class: "run", dataset: { prompt: id, server: server.name } },
      el("div", { class: "run-head" },
        chip(record.status), el("strong", {}, label(id, record)), el("span", { class: "dim" }, `on ${server.name}`),
        record.owner === "observed" ? el("span", { class: "dim" }, "· someone else's") : null,
        el("span", { class: "spacer" }),
        el("button", { type: "button", class: "small", onclick: () => act("interrupt", id) }, "Interrupt")),
      el("div", { class: "run-body" },
        el("div", { class: "bars" },
          el("div", { class: "executing" }, "executing ", el("span", { class: "node-name" }, nodeName)),
          bar("node", nodeFraction, progress && progress.max > 0 ? `${num(progress.value)}/${num(progress.max)}` : ""),
          bar("prompt", fraction, `${Math.round(fraction * 100)}%`),
          el("div", { class: "rates" },
            el("span", { class: "rate" }, progress && progress.steps_per_second != null ? `${num(progress.steps_per_second, 1)} steps/s` : "— steps/s"),
            el("span", { class: "eta" }, etaText(progress)))),
        showPreview ? previewImage(server.name, image.url) : el("div", { class: "preview none" }, "no preview"))));
  }
  const running = $("running");
  if (cards.length) running.replaceChildren(...cards);
  else running.replaceChildren(el("p", { class: "empty" }, "Nothing runs."));
}

/// One <img> per server for its previews, kept across redraws: a new element per frame
/// would be blank until decoded (flicker); a changed src keeps the old picture until then.
const previewImages = {};
function previewImage(server, url) {
  const img = previewImages[server] || (previewImages[server] = el("img", { class: "preview", alt: "live preview" }));
  if (img.getAttribute("src") !== url) img.setAttribute("src", url);
  return img;
}

/// Thumbnails, kept across redraws by URL (a redraw moves them; they are not fetched again).
const thumbnails = new Map();
function thumbnail(file) {
  let img = thumbnails.get(file.url);
  if (!img) {
    img = el("img", { class: "thumb", src: file.url, alt: file.name, loading: "lazy" });
    thumbnails.set(file.url, img);
    if (thumbnails.size > 500) thumbnails.delete(thumbnails.keys().next().value);
  }
  return img;
}

function bar(kind, fraction, text) {
  const percent = Math.round(Math.max(0, Math.min(1, fraction)) * 1000) / 10;
  const fill = el("div", { class: "fill" });
  fill.style.width = `${percent}%`;  // through the CSSOM: the CSP allows no inline style attribute
  return el("div", { class: `bar ${kind}` },
    el("span", { class: "bar-label" }, kind),
    el("div", { class: "track", role: "progressbar", "aria-valuemin": "0", "aria-valuemax": "100", "aria-valuenow": String(percent), dataset: { kind } },
      fill),
    el("span", { class: "bar-text" }, text));
}

function renderQueue(state) {
  const queue = state.queue;
  const groups = [];
  const rows = (ids) => ids.filter((id) => queue.prompts[id]).map((id) => row(id, queue.prompts[id]));
  groups.push(["Running", rows(queue.running)]);
  groups.push(["Waiting in comfysh", rows(queue.waiting || [])]);
  for (const server of servers(state)) {
    groups.push([`Waiting on ${server.name}`, rows(queue.pending.filter((id) => queue.prompts[id] && queue.prompts[id].server === server.name))]);
  }
  const finished = Object.entries(queue.prompts)
    .filter(([, r]) => !["running", "queued", "waiting"].includes(r.status))
    .sort(([, a], [, b]) => (b.finished_at || 0) - (a.finished_at || 0))
    .slice(0, 30);
  groups.push(["Finished", finished.map(([id, record]) => row(id, record))]);
  const out = [];
  for (const [title, items] of groups) {
    if (!items.length && title !== "Running" && title !== "Finished") continue;
    out.push(el("div", { class: "group" },
      el("h3", {}, title, el("span", { class: "count" }, String(items.length))),
      items.length ? el("ul", { class: "rows" }, items) : el("p", { class: "empty" }, "none")));
  }
  $("queue").replaceChildren(...out);
}

function row(id, record) {
  const actions = [];
  if (record.status === "waiting" || record.status === "queued") {
    actions.push(el("button", { type: "button", class: "small", onclick: () => act("cancel", id) }, "Cancel"));
  }
  const files = outputFiles(id, record);
  let when = "";
  if (record.started_at != null && record.finished_at != null) when = `in ${seconds(record.finished_at - record.started_at)}`;
  else if (record.number != null) when = `#${num(record.number)}`;
  const forecast = (dash.forecast || {})[id];
  if (forecast && forecast.starts_in != null) {
    // Counted down from the frame that said it; the same marks as the ETA's.
    const mark = etaMark(forecast.basis);
    const gone = now() - forecast.at;
    when += `${when ? " · " : ""}starts in ${mark}${seconds(Math.max(forecast.starts_in - gone, 0))}`;
    if (forecast.ends_in != null) when += `, ends in ${mark}${seconds(Math.max(forecast.ends_in - gone, 0))}`;
  }
  const why = record.error ? `${record.error.exception_type || "error"}: ${(record.error.exception_message || "").split("\n")[0]} (node ${record.error.node_id})`
    : record.interrupted ? `interrupted at node ${record.interrupted.node_id}` : "";
  return el("li", { class: "row", dataset: { prompt: id, status: record.status } },
    chip(record.status),
    el("span", { class: "id", title: id }, id.slice(0, 8)),
    el("span", { class: "what" }, record.label ? basename(record.label) : record.owner === "observed" ? "someone else's" : ""),
    el("span", { class: "where dim" }, record.server || ""),
    el("span", { class: "when dim" }, when),
    why ? el("span", { class: "why" }, why) : null,
    files.length ? el("span", { class: "thumbs" }, files.slice(0, 6).map((file) =>
      el("a", { href: file.url, target: "_blank", rel: "noopener", title: file.name }, thumbnail(file)))) : null,
    el("span", { class: "spacer" }),
    actions);
}

/// The image files a prompt's outputs name, as comfysh's `/view` serves them: by output
/// node, kind (`images`, `gifs`…) and place in that list.
function outputFiles(id, record) {
  const files = [];
  for (const [node, output] of Object.entries(record.outputs || {})) {
    if (!output || typeof output !== "object") continue;
    for (const [kind, items] of Object.entries(output)) {
      if (!Array.isArray(items)) continue;
      items.forEach((item, index) => {
        if (!item || typeof item.filename !== "string" || !/\.(png|jpe?g|webp|gif)$/i.test(item.filename)) return;
        const query = new URLSearchParams({ prompt: id, node, kind, index: String(index) });
        files.push({ name: item.filename, url: `/view?${query}` });
      });
    }
  }
  return files;
}

function chip(status) { return el("span", { class: `chip ${status}` }, status); }

function renderLog(state) {
  const levels = new Set([...document.querySelectorAll(".filters input:checked")].map((input) => input.dataset.level));
  const entries = state.log.entries.filter((entry) => levels.has(entry.level)).slice(-200).reverse();
  $("log").replaceChildren(...entries.map((entry) => el("li", { class: `entry ${entry.level}`, dataset: { level: entry.level } },
    el("span", { class: "at dim" }, `${num(entry.at, 1)} s`),
    el("span", { class: "kind" }, entry.kind),
    el("span", { class: "message" }, entry.message))));
}

// ---------------------------------------------------------------- toasts and actions

function toast(text, tone = "quiet", kind = "") {
  const node = el("div", { class: `toast ${tone}`, role: "status", dataset: { kind } }, text);
  node.addEventListener("click", () => node.remove());
  $("toasts").append(node);
  setTimeout(() => node.remove(), tone === "bad" ? 10000 : 6000);
}

async function post(path, body, headers = {}) {
  const response = await fetch(path, { method: "POST", body, headers, credentials: "same-origin" });
  let answer = {};
  try { answer = await response.json(); } catch { answer = { ok: false, error: `HTTP ${response.status}` }; }
  if (!response.ok && answer.error) answer.ok = false;
  return answer;
}

async function act(what, id) {
  const answer = await post(`/api/${what}`, JSON.stringify(id ? { prompt_id: id } : {}), { "Content-Type": "application/json" });
  if (answer.error) return toast(answer.error, "bad");
  for (const message of answer.messages || []) {
    toast(message.text, message.level === "info" ? "quiet" : message.level === "warning" ? "warning" : "bad");
  }
}

async function submit(file) {
  const limit = dash.info.max_upload;
  if (limit && file.size > limit) return toast(`${file.name}: larger than the server's max_upload_size (${limit} bytes)`, "bad");
  const answer = await post(`/api/submit?name=${encodeURIComponent(file.name)}`, file, { "Content-Type": "application/json" });
  submitted(answer);
}

function submitted(answer) {
  if (answer.error) return toast(answer.error, "bad");
  toast(answer.message, answer.ok ? "quiet" : "bad", "submitted");
  for (const detail of answer.details || []) toast(detail.text, detail.warning ? "warning" : "bad");
}

function setUp() {
  $("submit-demo").addEventListener("click", async () => submitted(await post("/api/submit?demo=1", "")));
  $("clear").addEventListener("click", () => act("clear"));
  $("file").addEventListener("change", (event) => {
    for (const file of event.target.files) submit(file);
    event.target.value = "";
  });
  for (const input of document.querySelectorAll(".filters input")) input.addEventListener("change", schedule);
  const drop = $("drop");
  let depth = 0;
  document.addEventListener("dragenter", (event) => { if (event.dataTransfer.types.includes("Files")) { depth++; drop.hidden = false; } });
  document.addEventListener("dragleave", () => { if (--depth <= 0) { depth = 0; drop.hidden = true; } });
  document.addEventListener("dragover", (event) => event.preventDefault());
  document.addEventListener("drop", (event) => {
    event.preventDefault();
    depth = 0;
    drop.hidden = true;
    for (const file of event.dataTransfer.files) submit(file);
  });
  // Countdowns (reconnecting, breaker) move without frames.
  // Countdowns between frames: a reconnect's next try, and a running prompt's ETA (a node
  // without steps sends nothing until its end).
  setInterval(() => {
    if (dash.state && (servers(dash.state).some((s) => s.connection.phase !== "connected") || dash.state.queue.running.length)) schedule();
  }, 250);
  connect();
}

// ---------------------------------------------------------------- words

function seconds(s) {
  if (s == null || !isFinite(s)) return "—";
  return s < 60 ? `${num(Math.round(s * 10) / 10, 1)} s` : `${Math.floor(s / 60)} min ${Math.floor(s % 60)} s`;
}
// The same words as the shell's (EventText.eta): ≥ for a lower bound, ~ for one learned
// from other workflows' nodes, — when nothing is known.
// EventText.mark's words: `≥ ` a lower bound, `~` learned from other workflows' nodes.
function etaMark(basis) { return { lower_bound: "≥ ", node_class: "~" }[basis] || ""; }

// Counted down from when it was said (`updated_at`, on the fleet's clock like `now()`).
function etaText(progress) {
  if (!progress || progress.eta_seconds == null) return "ETA —";
  const mark = etaMark(progress.eta_basis);
  const gone = progress.updated_at != null ? Math.max(now() - progress.updated_at, 0) : 0;
  return `ETA ${mark}${seconds(Math.max(progress.eta_seconds - gone, 0))}`;
}
function num(x, digits = 0) { return x == null ? "—" : Number.isInteger(x) ? String(x) : x.toFixed(digits); }
function basename(path) { return String(path).split("/").pop(); }
function label(id, record) { return record.label ? `${id.slice(0, 8)} ${basename(record.label)}` : id.slice(0, 8); }

setUp();
