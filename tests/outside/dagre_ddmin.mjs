// Shrink a Mermaid flowchart that crashes Mermaid's dagre layout to a smallest one that still does.
// node dagre_ddmin.mjs IN.mmd OUT.mmd ["message"]
// Reads procmap's Mermaid (lane subgraphs `subgraph Lk[...]` holding steps `Sn`, flows `Su --> Sv`),
// drops labels, classes and the legend, then delta-debugs (Zeller's ddmin) the flows and the steps,
// keeping each cut only while dagre still fails with the message (default "setting 'order'").
// Writes the result with `layout: dagre` front matter. One headless Chromium page, Mermaid loaded
// once from this folder's node_modules (as mermaid_render.mjs does). tests/outside/dagre-order-crash.mmd
// came out of it (from random-050 of corpus.py), after renumbering steps and lanes.
import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import puppeteer from "puppeteer";

const [input, output, message = "setting 'order'"] = process.argv.slice(2);
if (!input || !output) {
  console.error("usage: node dagre_ddmin.mjs IN.mmd OUT.mmd [message]");
  process.exit(2);
}
const modules = join(fileURLToPath(new URL(".", import.meta.url)), "node_modules");
const PAGE = `<!doctype html><html><body><div id="container"></div><script type="module">
import mermaid from "/mermaid/dist/mermaid.esm.mjs";
mermaid.initialize({ startOnLoad: false });
window.renderOne = async (text) => {
  const container = document.getElementById("container");
  container.innerHTML = "";
  try { await mermaid.render("my-svg", text, container); return "ok"; }
  catch (e) { return String(e && e.message ? e.message : e).split("\\n")[0]; }
};
window.ready = true;
</script></body></html>`;
const server = createServer((req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname));
  if (path === "/") {
    res.writeHead(200, { "content-type": "text/html" });
    return res.end(PAGE);
  }
  try {
    const data = readFileSync(join(modules, path));
    res.writeHead(200, { "content-type": [".mjs", ".js"].includes(extname(path)) ? "text/javascript" : "application/octet-stream" });
    res.end(data);
  } catch {
    res.writeHead(404);
    res.end();
  }
});
await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
const browser = await puppeteer.launch({
  executablePath: process.env.PUPPETEER_EXECUTABLE_PATH || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
const page = await browser.newPage();
await page.goto(`http://127.0.0.1:${server.address().port}/`);
await page.waitForFunction("window.ready === true", { timeout: 120000 });
const render = (text) => page.evaluate((t) => window.renderOne(t), text);

let lanes = []; // [{ id, nodes: [id] }]
let flows = []; // [[from, to]]
let current = null;
for (const line of readFileSync(input, "utf8").split("\n")) {
  let m;
  if ((m = line.match(/^\s*subgraph (L\d+)\[/))) lanes.push((current = { id: m[1], nodes: [] }));
  else if (/^\s*end\s*$/.test(line)) current = null;
  else if (current && (m = line.match(/^\s*(S\d+)(?:[[({]|\s*$)/))) current.nodes.push(m[1]);
  else if ((m = line.match(/^\s*(S\d+) -->(?:\|.*\|)? (S\d+)\s*$/))) flows.push([m[1], m[2]]);
}
function emit(lanes, flows) {
  let text = "---\nconfig:\n  layout: dagre\n---\nflowchart LR\n";
  for (const lane of lanes.filter((l) => l.nodes.length)) {
    text += `  subgraph ${lane.id}["Lane ${lane.id.slice(1)}"]\n    direction LR\n`;
    for (const node of lane.nodes) text += `    ${node}\n`;
    text += "  end\n";
  }
  for (const [u, v] of flows) text += `  ${u} --> ${v}\n`;
  return text;
}
let renders = 0;
const fails = async (l, f) => {
  renders += 1;
  return (await render(emit(l, f))).includes(message);
};
async function ddmin(items, test) {
  // Zeller's ddmin on complements: the smallest list (1-minimal) for which test still holds.
  let n = 2;
  while (items.length >= 2) {
    const size = Math.ceil(items.length / n);
    let reduced = false;
    for (let i = 0; i < items.length; i += size) {
      const rest = items.slice(0, i).concat(items.slice(i + size));
      if (await test(rest)) {
        items = rest;
        n = Math.max(n - 1, 2);
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      if (n >= items.length) break;
      n = Math.min(items.length, n * 2);
    }
  }
  return items;
}
const keepOnly = (ls, kept) => ls.map((l) => ({ id: l.id, nodes: l.nodes.filter((n) => kept.has(n)) }));
try {
  if (!(await fails(lanes, flows))) {
    console.error(`${input} does not fail with "${message}" once labels and styles are dropped`);
    process.exit(1);
  }
  let size = Infinity;
  while (flows.length + lanes.flatMap((l) => l.nodes).length < size) {
    size = flows.length + lanes.flatMap((l) => l.nodes).length;
    flows = await ddmin(flows, (f) => fails(lanes, f));
    const used = new Set(flows.flat());
    if (await fails(keepOnly(lanes, used), flows)) lanes = keepOnly(lanes, used);
    const steps = await ddmin(lanes.flatMap((l) => l.nodes), (s) => fails(keepOnly(lanes, new Set(s)), flows));
    lanes = keepOnly(lanes, new Set(steps)).filter((l) => l.nodes.length);
    console.log(`${flows.length} flows, ${steps.length} steps, ${lanes.length} lanes after ${renders} renders`);
  }
  writeFileSync(output, emit(lanes, flows));
} finally {
  await browser.close();
  server.close();
}
