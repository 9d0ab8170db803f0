// Render Mermaid files with mermaid-cli (one headless Chromium for all of them) and check what
// procmap's Mermaid promises (docs/render.md): it renders, every lane subgraph is drawn, and every
// step lies inside its lane's box.  Lane order on the page is not promised (Mermaid places
// subgraphs itself); it is reported as "lanes-in-order" or "lanes-out-of-order", never a failure.
// Lane boxes must not overlap either (a step drawn in two lanes at once, to the reader).
// --layout dagre draws each file with Mermaid's default layout instead of the ELK its front matter
// asks for: what GitHub, GitLab and most Markdown previews do (they have no ELK and fall back silently).
// node mermaid_render.mjs [--cli] [--layout dagre|elk] [--svg DIR] [--png DIR] FILE.mmd...
// One line per file: "ok FILE ..." or "error FILE MESSAGE"; exits 1 if any file failed.
// With --cli each file goes through mermaid-cli's renderMermaid (a fresh page that loads Mermaid
// every time: seconds a file); without it, one page loads the very modules mermaid-cli loads
// (mermaid's ESM build and @mermaid-js/layout-elk, from this folder's node_modules, served on
// 127.0.0.1) once and calls mermaid.render for each file the way mermaid-cli does.
import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { basename, extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import puppeteer from "puppeteer";
import { renderMermaid } from "@mermaid-js/mermaid-cli";

const args = process.argv.slice(2);
const out = { svg: null, png: null };
let viaCli = false;
let layout = null;
while (["--svg", "--png", "--cli", "--layout"].includes(args[0])) {
  if (args[0] === "--cli") {
    viaCli = true;
    args.shift();
  } else if (args[0] === "--layout") {
    layout = args[1];
    args.splice(0, 2);
  } else {
    out[args[0].slice(2)] = args[1];
    args.splice(0, 2);
  }
}
const modules = join(fileURLToPath(new URL(".", import.meta.url)), "node_modules");
const PAGE = `<!doctype html><html><body><div id="container"></div><script type="module">
import mermaid from "/mermaid/dist/mermaid.esm.mjs";
import elkLayouts from "/@mermaid-js/layout-elk/dist/mermaid-layout-elk.esm.mjs";
mermaid.registerLayoutLoaders(elkLayouts);
mermaid.initialize({ startOnLoad: false });
window.renderOne = async (text) => {
  const container = document.getElementById("container");
  container.innerHTML = "";
  const { svg } = await mermaid.render("my-svg", text, container);
  return svg;
};
window.ready = true;
</script></body></html>`;
const TYPES = { ".mjs": "text/javascript", ".js": "text/javascript", ".css": "text/css", ".json": "application/json" };

async function batchRenderer(browser) {
  // Loopback only: serves this folder's node_modules so the page can import ES modules.
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname));
    if (path === "/") {
      res.writeHead(200, { "content-type": "text/html" });
      return res.end(PAGE);
    }
    try {
      const data = readFileSync(join(modules, path));
      res.writeHead(200, { "content-type": TYPES[extname(path)] || "application/octet-stream" });
      res.end(data);
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  await page.waitForFunction("window.ready === true", { timeout: 120000 });
  return {
    render: (text) => page.evaluate((t) => window.renderOne(t), text),
    close: () => server.close(),
  };
}
const browser = await puppeteer.launch({
  executablePath: process.env.PUPPETEER_EXECUTABLE_PATH || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});

function laneBoxes(svg) {
  // <g class="cluster ..." id="my-svg-L3" ...><rect ... x=".." y=".." width=".." height="..">
  const boxes = new Map();
  const re = /<g class="cluster[^"]*" id="[^"]*?-(L\d+)"[^>]*>\s*<rect([^>]*)>/g;
  for (const m of svg.matchAll(re)) {
    const attr = (k) => Number((m[2].match(new RegExp(`\\s${k}="([-\\d.e]+)"`)) || [])[1]);
    boxes.set(m[1], { x: attr("x"), y: attr("y"), w: attr("width"), h: attr("height") });
  }
  return boxes;
}

function nodeCentres(svg) {
  // <g class="node ..." id="my-svg-flowchart-S3-1" ... transform="translate(x, y)">
  const centres = new Map();
  const re = /<g class="node[^"]*" id="[^"]*?flowchart-(S\d+)-\d+"[^>]*?transform="translate\(([-\d.e]+),\s*([-\d.e]+)\)"/g;
  for (const m of svg.matchAll(re)) centres.set(m[1], [Number(m[2]), Number(m[3])]);
  return centres;
}

function membership(text) {
  // Which lane subgraph each step is declared in.
  const lanes = new Map();
  let current = null;
  for (const line of text.split("\n")) {
    const open = line.match(/^\s*subgraph (L\d+)\[/);
    if (open) current = open[1];
    else if (/^\s*end\s*$/.test(line)) current = null;
    else if (current) {
      const node = line.match(/^\s*(S\d+)(?:[[({]|\s*$)/);
      if (node) lanes.set(node[1], current);
    }
  }
  return lanes;
}

let failed = 0;
const batch = viaCli ? null : await batchRenderer(browser);
try {
  for (const file of args) {
    const name = basename(file).replace(/\.[^.]*$/, "");
    try {
      let text = readFileSync(file, "utf8");
      if (layout) text = text.replace(/^(---\nconfig:\n(?:  .*\n)*?)  layout: \w+\n/, `$1  layout: ${layout}\n`);
      const lanesOf = membership(text);
      const declared = new Set(lanesOf.values());
      const svg = viaCli
        ? new TextDecoder().decode((await renderMermaid(browser, text, "svg", { mermaidConfig: {} })).data)
        : await batch.render(text);
      if (out.svg) writeFileSync(join(out.svg, `${name}.svg`), svg);
      const boxes = laneBoxes(svg);
      const centres = nodeCentres(svg);
      const problems = [];
      for (const lane of declared) if (!boxes.has(lane)) problems.push(`lane ${lane} not drawn`);
      for (const [step, lane] of lanesOf) {
        const c = centres.get(step);
        const b = boxes.get(lane);
        if (!c) problems.push(`step ${step} not drawn`);
        else if (b && !(c[0] >= b.x && c[0] <= b.x + b.w && c[1] >= b.y && c[1] <= b.y + b.h)) {
          problems.push(`step ${step} drawn outside its lane ${lane}`);
        }
      }
      const lanes = [...boxes.entries()].filter(([id]) => /^L\d+$/.test(id));
      for (let i = 0; i < lanes.length; i++) {
        for (let j = i + 1; j < lanes.length; j++) {
          const [a, p] = lanes[i];
          const [b, q] = lanes[j];
          const w = Math.min(p.x + p.w, q.x + q.w) - Math.max(p.x, q.x);
          const h = Math.min(p.y + p.h, q.y + q.h) - Math.max(p.y, q.y);
          if (w > 1 && h > 1) problems.push(`lanes ${a} and ${b} overlap`);
        }
      }
      const order = [...boxes.entries()]
        .filter(([id]) => /^L\d+$/.test(id))
        .sort((a, b) => Number(a[0].slice(1)) - Number(b[0].slice(1)));
      const inOrder = order.every(([, b], i) => i === 0 || b.y >= order[i - 1][1].y + order[i - 1][1].h - 0.5);
      if (problems.length) {
        failed += 1;
        console.log(`error ${file} ${problems.slice(0, 3).join("; ")}`);
      } else {
        console.log(`ok ${file} ${declared.size}-lanes ${centres.size}-steps ${inOrder ? "lanes-in-order" : "lanes-out-of-order"}`);
      }
      if (out.png) {
        const png = await renderMermaid(browser, text, "png", { viewport: { width: 1600, height: 1000, deviceScaleFactor: 1 } });
        writeFileSync(join(out.png, `${name}.png`), png.data);
      }
    } catch (err) {
      failed += 1;
      console.log(`error ${file} ${String(err && err.message ? err.message : err).split("\n")[0]}`);
    }
  }
} finally {
  if (batch) batch.close();
  await browser.close();
}
process.exit(failed ? 1 : 0);
