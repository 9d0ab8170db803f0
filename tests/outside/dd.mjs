// scratch: delta-debug a Mermaid file that crashes under dagre
import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import puppeteer from "puppeteer";
const modules = join(fileURLToPath(new URL(".", import.meta.url)), "node_modules");
const PAGE = `<!doctype html><html><body><div id="container"></div><script type="module">
import mermaid from "/mermaid/dist/mermaid.esm.mjs";
mermaid.initialize({ startOnLoad: false });
window.renderOne = async (text) => {
  const container = document.getElementById("container");
  container.innerHTML = "";
  try { await mermaid.render("my-svg", text, container); return "ok"; } catch (e) { return String(e && e.message || e).split("\\n")[0]; }
};
window.ready = true;
</script></body></html>`;
const server = createServer((req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname));
  if (path === "/") { res.writeHead(200, { "content-type": "text/html" }); return res.end(PAGE); }
  try { const d = readFileSync(join(modules, path)); res.writeHead(200, { "content-type": extname(path) === ".mjs" || extname(path) === ".js" ? "text/javascript" : "application/octet-stream" }); res.end(d); }
  catch { res.writeHead(404); res.end(); }
});
await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
const browser = await puppeteer.launch({ executablePath: "/usr/bin/chromium", headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
const page = await browser.newPage();
page.on("console", () => {});
await page.goto(`http://127.0.0.1:${server.address().port}/`);
await page.waitForFunction("window.ready === true", { timeout: 120000 });
const render = (t) => page.evaluate((x) => window.renderOne(x), t);

// parse
const src = readFileSync(process.argv[2], "utf8");
let lanes = []; // {id, nodes:[id]}
let edges = []; // [u,v]
let cur = null;
for (const line of src.split("\n")) {
  let m;
  if ((m = line.match(/^\s*subgraph (L\d+)\[/))) { cur = { id: m[1], nodes: [] }; lanes.push(cur); }
  else if (/^\s*end\s*$/.test(line)) cur = null;
  else if (cur && (m = line.match(/^\s*(S\d+)[[({]/))) cur.nodes.push(m[1]);
  else if ((m = line.match(/^\s*(S\d+) -->(?:\|.*\|)? (S\d+)\s*$/))) edges.push([m[1], m[2]]);
}
const opts = { dir: process.argv.includes("--nodir") ? "" : "    direction LR\n" };
function emit(lanes, edges) {
  let t = "---\nconfig:\n  layout: dagre\n---\nflowchart LR\n";
  for (const l of lanes) { if (!l.nodes.length) continue; t += `  subgraph ${l.id}\n${opts.dir}`; for (const n of l.nodes) t += `    ${n}\n`; t += "  end\n"; }
  for (const [u, v] of edges) t += `  ${u} --> ${v}\n`;
  return t;
}
const MSG = "setting 'order'";
const bad = async (l, e) => (await render(emit(l, e))).includes(MSG);
let calls = 0;
async function ddmin(items, test) {
  let n = 2;
  while (items.length >= 2) {
    const size = Math.ceil(items.length / n);
    let reduced = false;
    for (let i = 0; i < items.length; i += size) {
      const comp = items.slice(0, i).concat(items.slice(i + size));
      calls++;
      if (await test(comp)) { items = comp; n = Math.max(n - 1, 2); reduced = true; break; }
    }
    if (!reduced) { if (n >= items.length) break; n = Math.min(items.length, n * 2); }
  }
  return items;
}
console.log("full:", await render(src));
console.log("stripped:", await render(emit(lanes, edges)));
for (let round = 0; round < 3; round++) {
  edges = await ddmin(edges, (e) => bad(lanes, e));
  const used = new Set(edges.flat());
  // nodes: remove those not in edges first if still bad
  const pruned = lanes.map((l) => ({ id: l.id, nodes: l.nodes.filter((n) => used.has(n)) }));
  if (await bad(pruned, edges)) lanes = pruned;
  let allNodes = lanes.flatMap((l) => l.nodes.map((n) => [l.id, n]));
  allNodes = await ddmin(allNodes, (ns) => { const keep = new Set(ns.map((x) => x[1])); return bad(lanes.map((l) => ({ id: l.id, nodes: l.nodes.filter((n) => keep.has(n)) })), edges); });
  const keep = new Set(allNodes.map((x) => x[1]));
  lanes = lanes.map((l) => ({ id: l.id, nodes: l.nodes.filter((n) => keep.has(n)) })).filter((l) => l.nodes.length);
  console.log(`round ${round}: ${edges.length} edges, ${lanes.length} lanes, ${keep.size} laned nodes, ${calls} renders`);
}
const out = emit(lanes, edges);
console.log(out);
console.log("check:", await render(out));
writeFileSync(process.argv[3], out);
await browser.close(); server.close();
