// End-to-end test of the built playground (dist/) in headless Chromium, driven by playwright-core.
//
// Serves dist/ on 127.0.0.1 under a sub-path (as a static host would), opens it, and checks:
// both grids render, the Web Worker answers with a candle result that this script recomputes,
// the page fetches the bundled 4×4 Sudoku model and runs it on the first bundled sample (n latent
// frames then a refresh frame, repeatedly, ending in the sample's solution), the browser console
// shows no errors, nothing is requested outside the sub-path, and the worker reports bad requests,
// a truncated model and panics as messages. Saves a screenshot.
//
// Environment: DIST (built app), OUT_DIR (screenshots), CHROMIUM (browser binary).
// Run by `cargo xtask test`; by hand: `DIST=dist OUT_DIR=target/e2e node web/tests/e2e/e2e.mjs`.

import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const DIST = path.resolve(process.env.DIST ?? 'dist');
const OUT_DIR = path.resolve(process.env.OUT_DIR ?? 'target/e2e');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const BASE = '/playground/';
const PROBE_SIDE = 128; // web/src/app.rs PROBE_SIDE
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
// The page's run: web/src/playground.rs runs the first 4×4 easy sample with assets/models/sudoku4
// (its card: H_cycles 2, L_cycles 2, halt_max_steps 8) until the last supervision step.
const firstLine = (file) => fs.readFileSync(path.join(ROOT, file), 'utf8').split('\n')
  .map((l) => l.trim()).find((l) => l !== '' && !l.startsWith('#'));
const RUN_SOLUTION = firstLine('assets/puzzles/sudoku/samples/4x4-easy.solutions.txt');
const RUN_KINDS = 'S' + 'LLR'.repeat(2 * 8);

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
  '.safetensors': 'application/octet-stream',
};

let failures = 0;
let checks = 0;
function check(ok, what, detail = '') {
  checks += 1;
  if (ok) {
    console.log(`  ok    ${what}`);
  } else {
    failures += 1;
    console.log(`  FAIL  ${what}${detail ? `: ${detail}` : ''}`);
  }
}

// --- a static host serving dist/ under BASE only ---------------------------------------------
const outsideRequests = [];
const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  if (!url.pathname.startsWith(BASE)) {
    outsideRequests.push(url.pathname);
    res.writeHead(404).end('not under the sub-path');
    return;
  }
  let rel = decodeURIComponent(url.pathname.slice(BASE.length));
  if (rel === '' || rel.endsWith('/')) rel += 'index.html';
  const file = path.resolve(DIST, rel);
  if (!file.startsWith(DIST + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
    res.writeHead(404).end('not found');
    return;
  }
  res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
  fs.createReadStream(file).pipe(res);
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${server.address().port}`;

// The worker's probe, recomputed here: entries are f32 values, products summed in f64.
function expectedTrace(side) {
  const a = (i, j) => Math.fround(((i * 7 + j * 3) % 11) / 11 - 0.5);
  const b = (i, j) => Math.fround(((i * 5 + j * 2 + 1) % 13) / 13 - 0.5);
  let trace = 0;
  for (let i = 0; i < side; i++) for (let k = 0; k < side; k++) trace += a(i, k) * b(k, i);
  return trace;
}

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
});

try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  const consoleErrors = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') consoleErrors.push(msg.text());
  });
  page.on('pageerror', (err) => consoleErrors.push(`uncaught: ${err.message}`));
  page.on('response', (res) => {
    if (res.status() >= 400) consoleErrors.push(`HTTP ${res.status()} for ${res.url()}`);
  });

  const url = `${origin}${BASE}`;
  console.log(`  serving ${DIST} at ${url}`);
  await page.goto(url, { waitUntil: 'load', timeout: 60_000 });

  await page.waitForSelector('#sudoku .cell', { timeout: 60_000 });
  check((await page.locator('#sudoku .cell').count()) === 81, 'the Sudoku grid has 81 cells');
  check((await page.locator('#sudoku .cell.given').count()) > 0, 'the Sudoku grid shows givens');
  await page.waitForSelector('#maze .cell', { timeout: 60_000 });
  check((await page.locator('#maze .cell').count()) === 900, 'the maze grid has 900 cells');
  check((await page.locator('#maze .cell.start').count()) === 1, 'the maze shows one start');

  const answerOrError = await page.waitForSelector('#worker-answer, #worker-error', { timeout: 120_000 });
  const id = await answerOrError.getAttribute('id');
  if (id === 'worker-error') {
    check(false, "the worker's answer appears", await answerOrError.innerText());
  } else {
    const side = Number(await answerOrError.getAttribute('data-side'));
    const trace = Number(await answerOrError.getAttribute('data-trace'));
    const want = expectedTrace(PROBE_SIDE);
    check(side === PROBE_SIDE, "the worker's answer appears", `side ${side}`);
    check(Math.abs(trace - want) < 1e-3 * (1 + Math.abs(want)), 'candle in the worker computed the right trace',
      `got ${trace}, expected ${want}`);
  }

  // The run: the bundled model, fetched by the page, solves the bundled sample frame by frame.
  const run = await page.waitForSelector(
    '#run[data-finished="MaxSteps"], #run[data-finished="Halted"], #run-status:has-text("cannot")',
    { timeout: 120_000 },
  );
  const kinds = await page.getAttribute('#run', 'data-kinds');
  check(kinds === RUN_KINDS, 'the run shows n latent frames then a refresh frame, repeatedly',
    `got ${kinds}, expected ${RUN_KINDS} (status: ${await page.innerText('#run-status')})`);
  check((await page.getAttribute('#run', 'data-answer')) === RUN_SOLUTION, "the run's answer is the sample's solution",
    `got ${await page.getAttribute('#run', 'data-answer')}, expected ${RUN_SOLUTION}`);
  check((await page.locator('#run-grid .cell').count()) === 16, 'the run grid has 16 cells');
  check((await page.locator('#run-grid .cell.wrong').count()) === 0, 'no cell of the final answer is wrong');
  check(/halt probability/.test(await run.innerText()), 'the run shows the halting head');

  fs.mkdirSync(OUT_DIR, { recursive: true });
  const shot = path.join(OUT_DIR, 'playground.png');
  await page.screenshot({ path: shot, fullPage: true });
  console.log(`  screenshot: ${shot}`);

  check(consoleErrors.length === 0, 'the browser console shows no errors', consoleErrors.join(' | '));
  check(outsideRequests.length === 0, 'nothing is requested outside the sub-path', outsideRequests.join(', '));

  // The worker protocol: bad requests and panics come back as messages.
  const protocol = await page.evaluate(async () => {
    const worker = new Worker('./worker_loader.js');
    const inbox = [];
    let wake = null;
    worker.onmessage = (e) => { inbox.push(e.data); if (wake) wake(); };
    worker.onerror = (e) => { e.preventDefault(); inbox.push({ kind: 'onerror', message: e.message }); if (wake) wake(); };
    const next = async () => {
      const deadline = Date.now() + 30_000;
      while (inbox.length === 0) {
        if (Date.now() > deadline) return { kind: 'timeout' };
        await new Promise((r) => { wake = r; setTimeout(r, 200); });
      }
      return inbox.shift();
    };
    const ready = await next();
    worker.postMessage({ kind: 'NoSuchRequest' });
    const bad = await next();
    worker.postMessage({ kind: 'LoadModel', id: 7, model: { name: 'cut', bytes: new Uint8Array([1, 2, 3]) } });
    const truncated = await next();
    worker.postMessage({ kind: 'Probe', side: 4 });
    const probe = await next();
    worker.postMessage({ kind: 'DiagnosticPanic' });
    const panic = await next();
    worker.terminate();
    return { ready, bad, truncated, probe, panic };
  });
  check(protocol.ready.kind === 'Ready', 'a fresh worker says Ready', JSON.stringify(protocol.ready));
  check(protocol.bad.kind === 'Error' && protocol.bad.fatal === false, 'an unknown request is answered with an error',
    JSON.stringify(protocol.bad));
  check(protocol.truncated.kind === 'Error' && protocol.truncated.id === 7 && protocol.truncated.fatal === false,
    'a truncated model is answered with an error for that request', JSON.stringify(protocol.truncated));
  check(protocol.probe.kind === 'Probe' && protocol.probe.side === 4, 'the worker still answers after a bad request',
    JSON.stringify(protocol.probe));
  check(protocol.panic.kind === 'Error' && protocol.panic.fatal === true && /panicked/.test(protocol.panic.message),
    'a panic in the worker reaches the page as a fatal error message', JSON.stringify(protocol.panic));
} finally {
  await browser.close();
  server.close();
}

console.log(`e2e: ${checks - failures} passed, ${failures} failed`);
process.exit(failures === 0 ? 0 : 1);
