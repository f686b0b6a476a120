/// The explorer's page and style sheet, compiled into the binary (no files to install, nothing
/// fetched from elsewhere). The script is in ExplorerScript.swift.
extension ExplorerAssets {
    /// GET /explorer: the page shell; app.js fills `#view`.
    static let html = #"""
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Quorate explorer</title>
<link rel="stylesheet" href="/explorer/style.css">
<script src="/explorer/app.js" defer></script>
</head>
<body>
<header>
  <a id="home" href="#/">Quorate explorer</a>
  <span id="chain"></span>
  <form id="search" autocomplete="off">
    <input id="q" name="q" type="search" placeholder="block number, block or transaction hash, address" spellcheck="false">
    <button type="submit">Search</button>
  </form>
</header>
<main>
  <p id="error" class="error" hidden></p>
  <div id="view"></div>
</main>
<footer>Served by this node; reads its own JSON-RPC. <span id="updated"></span></footer>
</body>
</html>
"""#

    /// GET /explorer/style.css.
    static let css = #"""
:root { --fg: #1d2330; --muted: #5e6878; --line: #dde2ea; --bg: #f6f8fb; --ok: #17803d; --bad: #b42318; --warn: #9a6700; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; padding: 10px 18px; background: #1d2330; color: #fff; }
header a { color: #fff; font-weight: 600; text-decoration: none; font-size: 16px; }
#chain { color: #b8c2d3; }
#search { margin-left: auto; display: flex; gap: 6px; }
#q { width: 420px; max-width: 60vw; padding: 6px 8px; border-radius: 4px; border: 1px solid #8791a3; font: inherit; }
button { padding: 6px 12px; border: 0; border-radius: 4px; background: #3d6fd8; color: #fff; font: inherit; cursor: pointer; }
main { padding: 14px 18px; max-width: 1280px; margin: 0 auto; }
footer { padding: 8px 18px; color: var(--muted); font-size: 12px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px; margin-bottom: 14px; overflow-x: auto; }
h2 { font-size: 15px; margin: 2px 0 8px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 500; white-space: nowrap; }
td.mono, .mono { font-family: ui-monospace, monospace; font-size: 12.5px; word-break: break-all; }
.grid { display: grid; grid-template-columns: 1fr 1fr; gap: 14px; }
@media (max-width: 900px) { .grid { grid-template-columns: 1fr; } }
.ok { color: var(--ok); font-weight: 600; }
.bad { color: var(--bad); font-weight: 600; }
.warn { color: var(--warn); }
.error { background: #fde8e6; color: var(--bad); padding: 8px 12px; border-radius: 4px; }
.cell { display: inline-block; width: 14px; height: 14px; margin-right: 2px; border-radius: 2px; vertical-align: middle; }
.cell.signed { background: var(--ok); }
.cell.missed { background: var(--bad); }
.new { animation: flash 1.5s ease-out; }
@keyframes flash { from { background: #fff3bf; } to { background: transparent; } }
pre { white-space: pre-wrap; word-break: break-all; margin: 0; font-size: 12.5px; }
ul.reasons { margin: 4px 0; padding-left: 20px; }
"""#
}
