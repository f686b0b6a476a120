/// GET /explorer/app.js. It reads the node's JSON-RPC on the same origin and renders every
/// value with `textContent` or attributes (never `innerHTML`), so chain data cannot become markup.
extension ExplorerAssets {
    /// The explorer's only script (the CSP allows no inline script).
    static let script = #"""
"use strict";
// Quorate explorer: reads this node's JSON-RPC (same origin). Every value from the chain is put
// in the page with textContent or attributes, never parsed as HTML.
(function () {
  const view = document.getElementById("view");
  const errorBox = document.getElementById("error");
  let lastHeight = -1;
  let healthAt = 0;

  async function rpcBatch(calls) {
    const body = calls.map((c, i) => ({ jsonrpc: "2.0", id: i, method: c[0], params: c[1] || [] }));
    const response = await fetch("/", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    const answers = await response.json();
    const byId = new Map(answers.map((a) => [a.id, a]));
    return calls.map((c, i) => {
      const a = byId.get(i);
      if (!a || a.error) throw new Error(c[0] + ": " + (a && a.error ? a.error.message : "no answer"));
      return a.result;
    });
  }
  const rpc = async (method, params) => (await rpcBatch([[method, params]]))[0];

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") node.className = v; else node.setAttribute(k, v);
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }
  const link = (href, text, cls) => el("a", { href: href, class: cls || "mono" }, text);
  const blockLink = (n) => link("#/block/" + n, String(n), "");
  const txLink = (h) => link("#/tx/" + h, short(h));
  const addrLink = (a) => (a ? link("#/address/" + a, a) : el("span", {}, "(contract creation)"));
  const short = (h) => (h && h.length > 20 ? h.slice(0, 10) + "…" + h.slice(-8) : h);
  const num = (q) => (q === null || q === undefined ? 0 : Number(BigInt(q)));

  function ether(q) {
    const wei = BigInt(q || "0x0");
    const unit = 10n ** 18n;
    const whole = wei / unit;
    let frac = (wei % unit).toString().padStart(18, "0").replace(/0+$/, "");
    return whole.toString() + (frac ? "." + frac : "") + " ether";
  }
  function age(ms) {
    if (ms === 0) return "genesis";
    const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
    return s < 120 ? s + " s ago" : Math.round(s / 60) + " min ago";
  }

  function section(title, id, ...content) { return el("section", { id: id }, el("h2", {}, title), ...content); }
  function table(headers, rows, id) {
    return el("table", id ? { id: id } : {}, el("thead", {}, el("tr", {}, ...headers.map((h) => el("th", {}, h)))), el("tbody", {}, ...rows));
  }
  function fields(pairs, id) {
    return el("table", { id: id, class: "fields" }, el("tbody", {}, ...pairs.map(([key, label, value]) =>
      el("tr", { "data-field": key }, el("th", {}, label), el("td", { id: "f-" + key, class: "mono" }, value)))));
  }
  function showError(message) {
    errorBox.hidden = !message;
    errorBox.textContent = message || "";
  }
  // Renders are asynchronous: a slow one (a live refresh of home, say) may finish after the user
  // moved to another view. It is dropped then, so it cannot overwrite the view now shown.
  const currentRoute = () => (location.hash && location.hash !== "#" ? location.hash : "#/");
  function replaceView(forRoute, ...nodes) { if (currentRoute() === forRoute) view.replaceChildren(...nodes); }

  // --- home: health, validators, latest blocks and transactions, refreshed live ---
  async function renderHome(force) {
    const forRoute = currentRoute();
    const height = num(await rpc("eth_blockNumber"));
    document.getElementById("updated").textContent = "Updated " + new Date().toLocaleTimeString();
    const healthDue = Date.now() - healthAt > 2000;
    if (!force && height === lastHeight && !healthDue) return;
    const first = Math.max(0, height - 9);
    const calls = [["quorate_health", []]];
    for (let h = height; h >= first; h--) calls.push(["eth_getBlockByNumber", ["0x" + h.toString(16), true]]);
    const [health, ...blocks] = await rpcBatch(calls);
    healthAt = Date.now();
    const grew = lastHeight >= 0 && height > lastHeight;
    const previous = lastHeight;
    lastHeight = height;
    const blockRows = blocks.filter(Boolean).map((b) => el("tr", { "data-height": String(num(b.number)), class: grew && num(b.number) > previous ? "new" : "" },
      el("td", {}, blockLink(num(b.number))), el("td", { class: "mono" }, short(b.hash)), el("td", {}, String(b.transactions.length)),
      el("td", { class: "mono" }, short(b.miner)), el("td", {}, age(num(b.timestamp) * 1000))));
    const txs = [];
    for (const b of blocks.filter(Boolean)) for (const t of b.transactions) if (txs.length < 15) txs.push(t);
    const txRows = txs.map((t) => el("tr", { "data-hash": t.hash }, el("td", {}, txLink(t.hash)), el("td", {}, blockLink(num(t.blockNumber))),
      el("td", { class: "mono" }, short(t.from)), el("td", { class: "mono" }, t.to ? short(t.to) : "(create)"), el("td", {}, ether(t.value))));
    replaceView(forRoute, healthSection(health), el("div", { class: "grid" },
      section("Latest blocks", "latest-blocks", table(["Height", "Hash", "Txs", "Proposer", "Age"], blockRows)),
      section("Latest transactions", "latest-txs", txRows.length ? table(["Hash", "Block", "From", "To", "Value"], txRows) : el("p", {}, "No transactions in the latest blocks."))),
      validatorsSection(health));
  }

  function healthSection(h) {
    const status = el("span", { id: "health-status", class: h.healthy ? "ok" : "bad" }, h.healthy ? "healthy" : "not healthy: " + h.status);
    const reasons = el("ul", { class: "reasons", id: "health-reasons" }, ...h.reasons.map((r) => el("li", { class: "bad" }, r)),
      ...h.warnings.map((w) => el("li", { class: "warn" }, w)));
    const c = h.consensus || {};
    return section("Consensus health", "health", el("p", {}, status, " — ", el("span", { id: "health-summary" }, h.summary)), reasons,
      fields([["height", "Height", String(h.height)], ["head-age", "Last block", h.headAgeSeconds.toFixed(1) + " s ago"],
        ["round", "Consensus", "height " + c.height + ", round " + c.round + ", step " + c.step],
        ["pending", "Pending transactions", String(h.pendingTransactions)],
        ["sync", "Sync", h.sync.syncing ? "syncing, " + h.sync.lagBlocks + " blocks behind" : "in sync"]], "health-fields"));
  }

  function validatorsSection(h) {
    const commits = h.recentCommits || [];
    const header = ["Validator", "Node key", "Status", "Last signed", "Missed (window)", "Peer", "Recent commits (newest first)"];
    const rows = h.validators.map((v) => {
      const cells = commits.map((c) => el("span", { class: "cell " + (c.missing.includes(v.address) ? "missed" : "signed"), title: "height " + c.height }));
      const missing = !v.signedLastCommit;
      const peer = v.self ? "this node" : v.connected ? "connected, height " + v.peerHeight : "not connected";
      return el("tr", { "data-address": v.address, "data-missing": String(missing) }, el("td", {}, addrLink(v.address)),
        el("td", { class: "mono" }, short(v.nodeKey)), el("td", { class: missing ? "bad status" : "ok status" }, missing ? "missing" : "signing"),
        el("td", {}, v.lastSignedHeight === null ? "never seen" : String(v.lastSignedHeight)),
        el("td", {}, v.missedInWindow + " of " + v.window), el("td", {}, peer), el("td", {}, ...cells));
    });
    return section("Validator set", "validators", table(header, rows));
  }

  // --- one block, one transaction, one account ---
  async function renderBlock(id) {
    const forRoute = currentRoute();
    const b = /^0x[0-9a-fA-F]{64}$/.test(id) ? await rpc("eth_getBlockByHash", [id, true])
      : await rpc("eth_getBlockByNumber", ["0x" + BigInt(id).toString(16), true]);
    if (!b) return replaceView(forRoute, section("Block " + id, "block", el("p", {}, "No such block on this node.")));
    const n = num(b.number);
    const commit = await rpc("quorate_getBlockCommit", ["0x" + n.toString(16)]).catch(() => null);
    const signers = commit && commit.signatures ? commit.signatures.map((s) => s.validator) : [];
    const txRows = b.transactions.map((t) => el("tr", {}, el("td", {}, txLink(t.hash)), el("td", { class: "mono" }, t.from),
      el("td", { class: "mono" }, t.to || "(create)"), el("td", {}, ether(t.value))));
    replaceView(forRoute, section("Block " + n, "block", fields([["number", "Height", String(n)], ["hash", "Hash", b.hash],
      ["parent", "Parent", n > 0 ? link("#/block/" + (n - 1), b.parentHash) : b.parentHash],
      ["time", "Time", new Date(num(b.timestamp) * 1000).toISOString()], ["proposer", "Proposer", addrLink(b.miner)],
      ["state-root", "State root", b.stateRoot], ["gas-used", "Gas used", String(num(b.gasUsed))],
      ["signers", "Commit signed by", signers.length ? signers.join(", ") : "—"]], "block-fields")),
    section("Transactions (" + b.transactions.length + ")", "block-txs", table(["Hash", "From", "To", "Value"], txRows)));
  }

  async function renderTx(hash) {
    const forRoute = currentRoute();
    const [t, r] = await rpcBatch([["eth_getTransactionByHash", [hash]], ["eth_getTransactionReceipt", [hash]]]);
    if (!t) return replaceView(forRoute, section("Transaction", "tx", el("p", {}, "No transaction " + hash + " on this node.")));
    const status = r ? (num(r.status) === 1 ? "success" : "failed") : "pending";
    const parts = [section("Transaction", "tx", fields([["hash", "Hash", t.hash], ["status", "Status", status],
      ["block", "Block", t.blockNumber ? blockLink(num(t.blockNumber)) : "pending"], ["from", "From", addrLink(t.from)],
      ["to", "To", addrLink(t.to)], ["value", "Value", ether(t.value)], ["nonce", "Nonce", String(num(t.nonce))],
      ["gas", "Gas limit", String(num(t.gas))], ["gas-used", "Gas used", r ? String(num(r.gasUsed)) : "—"],
      ["type", "Type", String(num(t.type))], ["input", "Data", el("pre", {}, t.input)], ["input-text", "Data as text", el("pre", {}, asText(t.input))]], "tx-fields"))];
    if (r && r.contractAddress) parts.push(section("Created contract", "tx-contract", addrLink(r.contractAddress)));
    if (r && r.logs && r.logs.length) {
      parts.push(section("Logs (" + r.logs.length + ")", "tx-logs", table(["#", "Address", "Topics", "Data"], r.logs.map((l, i) =>
        el("tr", {}, el("td", {}, String(i)), el("td", {}, addrLink(l.address)), el("td", { class: "mono" }, l.topics.join("\n")),
          el("td", {}, el("pre", {}, l.data), el("pre", {}, asText(l.data))))))));
    }
    replaceView(forRoute, ...parts);
    if (!r) setTimeout(() => { if (location.hash === "#/tx/" + hash) route(); }, 1000);
  }

  // Bytes shown as UTF-8 text when they are printable; escaping is the browser's (textContent).
  function asText(hex) {
    if (!hex || hex.length <= 2) return "";
    const bytes = new Uint8Array(hex.slice(2).match(/../g).map((b) => parseInt(b, 16)));
    const text = new TextDecoder("utf-8", { fatal: false }).decode(bytes);
    return /[\u0000-\u0008\u000e-\u001f\ufffd]/.test(text) ? "(binary)" : text;
  }

  async function renderAddress(address) {
    const forRoute = currentRoute();
    const [balance, nonce, code, height] = await rpcBatch([["eth_getBalance", [address, "latest"]],
      ["eth_getTransactionCount", [address, "latest"]], ["eth_getCode", [address, "latest"]], ["eth_blockNumber", []]]);
    const top = num(height);
    const calls = [];
    for (let h = top; h >= Math.max(0, top - 199); h--) calls.push(["eth_getBlockByNumber", ["0x" + h.toString(16), true]]);
    const blocks = await rpcBatch(calls);
    const lower = address.toLowerCase();
    const mine = [];
    for (const b of blocks.filter(Boolean)) for (const t of b.transactions) {
      if (mine.length < 25 && (t.from.toLowerCase() === lower || (t.to || "").toLowerCase() === lower)) mine.push(t);
    }
    const parts = [section("Account", "account", fields([["address", "Address", address], ["balance", "Balance", ether(balance)],
      ["nonce", "Nonce", String(num(nonce))], ["kind", "Kind", code && code !== "0x" ? "contract" : "account"]], "account-fields"))];
    if (code && code !== "0x") {
      const slot = el("input", { id: "slot", placeholder: "storage slot (0x… or a number)", class: "mono" });
      const out = el("pre", { id: "slot-value" });
      const form = el("form", { id: "storage" }, slot, el("button", { type: "submit" }, "Read storage"), out);
      form.addEventListener("submit", async (e) => {
        e.preventDefault();
        try { out.textContent = await rpc("eth_getStorageAt", [address, "0x" + BigInt(slot.value.trim() || "0").toString(16), "latest"]); }
        catch (err) { out.textContent = String(err.message || err); }
      });
      parts.push(section("Code (" + (code.length - 2) / 2 + " bytes)", "code", el("pre", {}, code)), section("Storage", "storage-section", form));
    }
    parts.push(section("Recent transactions (last 200 blocks)", "account-txs", mine.length ? table(["Hash", "Block", "From", "To", "Value"], mine.map((t) =>
      el("tr", {}, el("td", {}, txLink(t.hash)), el("td", {}, blockLink(num(t.blockNumber))), el("td", { class: "mono" }, short(t.from)),
        el("td", { class: "mono" }, t.to ? short(t.to) : "(create)"), el("td", {}, ether(t.value))))) : el("p", {}, "None in the last 200 blocks.")));
    replaceView(forRoute, ...parts);
  }

  // --- search and routing ---
  async function search(text) {
    const q = text.trim();
    if (/^\d+$/.test(q)) return (location.hash = "#/block/" + q);
    if (/^0x[0-9a-fA-F]{40}$/.test(q)) return (location.hash = "#/address/" + q);
    if (/^0x[0-9a-fA-F]{64}$/.test(q)) {
      const tx = await rpc("eth_getTransactionByHash", [q]);
      return (location.hash = tx ? "#/tx/" + q : "#/block/" + q);
    }
    showError("Search for a block number, a 32-byte hash (0x + 64 hex digits) or an address (0x + 40 hex digits).");
  }

  async function route() {
    const [, kind, id] = (location.hash || "#/").split("/");
    const current = location.hash;
    showError("");
    try {
      if (kind === "block" && id) await renderBlock(decodeURIComponent(id));
      else if (kind === "tx" && id) await renderTx(decodeURIComponent(id));
      else if (kind === "address" && id) await renderAddress(decodeURIComponent(id));
      else await renderHome(true);
    } catch (err) {
      if (location.hash === current) showError("Could not load: " + (err.message || err));
    }
  }

  async function tick() {
    const [, kind] = (location.hash || "#/").split("/");
    if (!kind) {
      try { await renderHome(false); showError(""); } catch (err) { showError("The node does not answer: " + (err.message || err)); }
    }
  }

  document.getElementById("search").addEventListener("submit", (e) => {
    e.preventDefault();
    search(document.getElementById("q").value).catch((err) => showError(String(err.message || err)));
  });
  window.addEventListener("hashchange", () => { lastHeight = -1; route(); });
  rpc("eth_chainId").then((id) => { document.getElementById("chain").textContent = "chain " + num(id); }).catch(() => {});
  route();
  setInterval(tick, 1000);
})();
"""#
}
