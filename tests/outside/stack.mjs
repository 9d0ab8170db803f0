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
  try { await mermaid.render("my-svg", text, container); return "ok"; } catch (e) { return String(e && e.stack || e); }
};
window.ready = true;
</script></body></html>`;
const server = createServer((req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname));
  if (path === "/") { res.writeHead(200, { "content-type": "text/html" }); return res.end(PAGE); }
  try { let d = readFileSync(join(modules, path)); if (path.endsWith("chunk-5ZNCVZNY.mjs") && process.env.PATCH) d = readFileSync(process.env.PATCH); res.writeHead(200, { "content-type": extname(path) === ".mjs" || extname(path) === ".js" ? "text/javascript" : "application/octet-stream" }); res.end(d); }
  catch { res.writeHead(404); res.end(); }
});
await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
const browser = await puppeteer.launch({ executablePath: "/usr/bin/chromium", headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
const page = await browser.newPage();
page.on("console", (m) => { if (m.text().startsWith("DD")) console.log(m.text()); });
await page.goto(`http://127.0.0.1:${server.address().port}/`);
await page.waitForFunction("window.ready === true", { timeout: 120000 });
const render = (t) => page.evaluate((x) => window.renderOne(x), t);

const src = readFileSync(process.argv[2], "utf8");
console.log(await render(src));
await browser.close(); server.close();
