// Import BPMN files into bpmn-js (the engine of bpmn.io and Camunda Modeler) in headless Chromium.
// node bpmn_js.mjs [--png DIR] FILE...
// One line per file: "ok FILE", or "warning FILE MESSAGE" / "error FILE MESSAGE"; exits 1 if any.
// With --png DIR, also a screenshot of each diagram (fit to the viewport) as DIR/NAME.png.
import { readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import puppeteer from "puppeteer";

const here = fileURLToPath(new URL(".", import.meta.url));
const args = process.argv.slice(2);
let pngDir = null;
if (args[0] === "--png") {
  pngDir = args[1];
  args.splice(0, 2);
}
const browser = await puppeteer.launch({
  executablePath: process.env.PUPPETEER_EXECUTABLE_PATH || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
let failed = 0;
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1600, height: 1000 });
  await page.setContent('<!doctype html><html><body style="margin:0"><div id="canvas" style="width:1600px;height:1000px"></div></body></html>');
  await page.addScriptTag({ path: join(here, "node_modules", "bpmn-js", "dist", "bpmn-viewer.production.min.js") });
  await page.evaluate(() => {
    window.viewer = new window.BpmnJS({ container: "#canvas" });
  });
  for (const file of args) {
    const xml = readFileSync(file, "utf8");
    const result = await page.evaluate(async (text) => {
      try {
        const { warnings } = await window.viewer.importXML(text);
        window.viewer.get("canvas").zoom("fit-viewport");
        return { warnings: warnings.map((w) => String(w.message || w)) };
      } catch (err) {
        return { error: String(err && err.message ? err.message : err) };
      }
    }, xml);
    if (result.error) {
      failed += 1;
      console.log(`error ${file} ${result.error.split("\n").join(" ")}`);
    } else if (result.warnings.length) {
      failed += 1;
      console.log(`warning ${file} ${result.warnings.join(" | ").split("\n").join(" ")}`);
    } else {
      console.log(`ok ${file}`);
    }
    if (pngDir && !result.error) {
      await page.screenshot({ path: join(pngDir, basename(file).replace(/\.[^.]*$/, "") + ".png") });
    }
  }
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
