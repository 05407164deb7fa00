// End-to-end test of the built playground (dist/) in headless Chromium, driven by playwright-core.
//
// Serves dist/ on 127.0.0.1 under a sub-path (as a static host would), opens it, and checks: the
// Web Worker answers with a candle result that this script recomputes; the page fetches the bundled
// 4×4 Sudoku model and runs it on the first bundled sample (n latent frames then a refresh frame,
// repeatedly, ending in the sample's solution) with one chart point per supervision step; the run
// controls (reset, one application, one refresh, keyboard space / arrows, keep thinking with
// stop-on-halt, editing a cell mid-run); puzzles in (an invalid string shows an error and keeps the text, click-to-edit,
// the seeded generator); switching to the 6×6 model and running it; the 9×9 model's download progress
// (the server sends it slowly); no horizontal scroll at 375 px;
// a truncated checkpoint shows an error with a working retry; the browser console shows no errors;
// nothing is requested outside the sub-path; the worker reports bad requests, a truncated model
// and panics as messages; share and export (the address bar's link reruns the same answer in a fresh
// page, the PNG decodes, the GIF); cancel; axe-core finds no serious violations; offline after the
// first visit (service worker); the capability message without WebAssembly, SIMD or Workers; "load
// your own model" with the official-format fixture (checkpoint.pt + all_config.yaml of
// ../shared/fixtures/trm-parity/mlp_t): it runs, its answers after supervision steps 1 and 2 equal the
// native CLI's (later steps of this random-weight model part from float rounding), a truncated copy shows
// the loader's error with the grid kept, and a reload or its share link brings the model back from
// IndexedDB; mazes with the bundled maze11 model (the domain switch offers it): the first 11×11
// sample runs frame by frame, its final answer
// equals the native CLI's cell for cell, the overlay states the path verdict, an invalid maze text
// shows its error and keeps the text, painting a wall, dragging S and the keyboard edit the draft,
// the seeded generator makes and runs a maze; ARC with the bundled arc-demo model: the domain switch
// offers it, a task it knows (from small.txt, chosen in the task list) runs frame by frame (n
// scratch-paper frames then a refresh, one chart point per step), its demonstrations, test input,
// expected output, prediction and cell diff are drawn in the ARC palette, the prediction (cropped by
// the EOS rule) equals `trm solve arc` natively and its share link reopens it in a fresh page, a task it has never seen says so and still runs, a
// task too big for the canvas says why, a malformed task file shows its error and keeps the task, a
// task file of your own runs, and pass@2 voting over 9 versions counts 9 votes, its two attempts equal
// `trm solve --augment 8`, and it can be stopped.
// Saves screenshots.
//
// Environment: DIST (built app), OUT_DIR (screenshots), CHROMIUM (browser binary).
// Run by `cargo xtask test`; by hand: `DIST=dist OUT_DIR=target/e2e node web/tests/e2e/e2e.mjs`.

import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
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
const RUN_PUZZLE = firstLine('assets/puzzles/sudoku/samples/4x4-easy.txt');
const RUN_SOLUTION = firstLine('assets/puzzles/sudoku/samples/4x4-easy.solutions.txt');
const card = (name) => JSON.parse(fs.readFileSync(path.join(ROOT, `assets/models/${name}.json`), 'utf8'));
// The frame letters of a whole run: per supervision step, T cycles of n latent frames and a refresh.
const runKinds = (name) => {
  const a = card(name).arch;
  return 'S' + ('L'.repeat(a.L_cycles) + 'R').repeat(a.H_cycles * a.halt_max_steps);
};
const RUN_KINDS = runKinds('sudoku4');
const STEPS4 = card('sudoku4').arch.halt_max_steps;
const RUN6_PUZZLE = firstLine('assets/puzzles/sudoku/samples/6x6-easy.txt');
const RUN6_SOLUTION = firstLine('assets/puzzles/sudoku/samples/6x6-easy.solutions.txt');
const RUN6_KINDS = runKinds('sudoku6');
const STEPS6 = card('sudoku6').arch.halt_max_steps;
const RUN9_PUZZLE = firstLine('assets/puzzles/sudoku/samples/9x9-easy.txt');
const RUN9_SOLUTION = firstLine('assets/puzzles/sudoku/samples/9x9-easy.solutions.txt');
const RUN9_KINDS = runKinds('sudoku9');
const STEPS9 = card('sudoku9').arch.halt_max_steps;
// The native CLI's answer for the same model and puzzle (`trm solve --quiet`, built by xtask):
// `model` is a bundled model's name or the CLI's model arguments (`['--model', file, '--config', yaml]`).
const nativeAnswer = (model, puzzle) => {
  const modelArgs = Array.isArray(model) ? model : ['--model', path.join(ROOT, `assets/models/${model}.safetensors`)];
  try {
    const out = execFileSync(process.env.TRM ?? 'trm', ['solve', '--quiet', ...modelArgs, 'sudoku', puzzle],
      { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
    return out.split('\n').map((l) => l.trim()).filter((l) => l !== '').pop() ?? '';
  } catch (e) {
    return `trm solve failed: ${e.message}`;
  }
};
const diffCells = (got, want) => [...want].map((c, k) => (got[k] === c ? null : `#${k}: ${got[k]}≠${c}`))
  .filter(Boolean).join(' ');

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

// axe-core's serious and critical violations on the page as it is now (injected on first use), one
// line each with up to three offending nodes; a failure to run axe is reported as a violation.
async function seriousViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object').catch(() => false))) {
    await page.addScriptTag({ path: createRequire(import.meta.url).resolve('axe-core/axe.min.js') });
  }
  return page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
  }).catch((e) => [String(e)]);
}

// --- a static host serving dist/ under BASE only ---------------------------------------------
const outsideRequests = [];
// A file (path under the sub-path) the server sends slowly, in 64 KiB parts with its length, so the
// page's download progress can be watched; null for none.
let slowFile = null;
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
  const type = TYPES[path.extname(file)] ?? 'application/octet-stream';
  if (rel === slowFile) {
    const data = fs.readFileSync(file);
    res.writeHead(200, { 'content-type': type, 'content-length': data.length });
    let at = 0;
    const part = () => {
      if (at >= data.length) return res.end();
      res.write(data.subarray(at, at + 65536));
      at += 65536;
      setTimeout(part, 100);
    };
    part();
    return;
  }
  res.writeHead(200, { 'content-type': type });
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
  const native4 = nativeAnswer('sudoku4', RUN_PUZZLE);
  const answer4 = (await page.getAttribute('#run', 'data-answer')) ?? '';
  check(answer4 === native4, 'the 4×4 answer in the page equals `trm solve --quiet` natively',
    native4.length === answer4.length ? diffCells(answer4, native4) : `page ${answer4}, native ${native4}`);
  check((await page.locator('#run-grid .cell').count()) === 16, 'the run grid has 16 cells');
  check((await page.locator('#run-grid .cell.wrong').count()) === 0, 'no cell of the final answer is wrong');
  check(/halt probability/.test(await run.innerText()), 'the run shows the halting head');

  const attr = (name) => page.getAttribute('#run', name);
  const waitRun = (fn, arg, what) => page.waitForFunction(fn, arg, { timeout: 120_000 })
    .then(() => true, () => { console.log(`  (timed out waiting for ${what})`); return false; });
  const points = await page.locator('#chart circle.pt-halt').count();
  check(points === STEPS4 && (await page.getAttribute('#chart', 'data-points')) === String(STEPS4),
    'the chart has one point per supervision step', `${points} points, ${STEPS4} steps`);
  check((await page.locator('#scratch-grid .cell').count()) === 16 && (await page.locator('#activity-grid .cell').count()) === 16,
    'the scratch paper z and its activity map are drawn beside the answer');
  check(/solved/.test(await page.innerText('#overlay-summary')), 'the Sudoku overlay says the answer is solved',
    await page.innerText('#overlay-summary'));
  check(/sudoku4/.test(await page.innerText('#model-card')) && (await page.locator('#model-card table').count()) > 0,
    'the model card shows the loaded model with its accuracy table');

  fs.mkdirSync(OUT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(OUT_DIR, 'sudoku4.png'), fullPage: true });

  // Share and export: the address bar holds the run's link; the frame shown downloads as a PNG
  // (decoded here: signature, IHDR, the IDAT inflated to the right size) and the run as a GIF.
  check(page.url().includes(`#v=1&d=sudoku&p=${RUN_PUZZLE}&`) && page.url().includes('m=b:sudoku4'),
    "the address bar holds the run's share link", page.url());
  const downloaded = async (button) => {
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), page.click(button)]);
    return { name: download.suggestedFilename(), bytes: fs.readFileSync(await download.path()) };
  };
  const png = await downloaded('#download-png').catch((e) => ({ name: String(e), bytes: Buffer.alloc(0) }));
  const pngInfo = (() => {
    const b = png.bytes;
    if (b.length < 33 || !b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
      return { ok: false, why: `no PNG signature (${b.length} bytes)` };
    }
    const idat = [];
    let width = 0, height = 0, colour = -1;
    for (let pos = 8; pos + 8 <= b.length;) {
      const len = b.readUInt32BE(pos);
      const type = b.toString('latin1', pos + 4, pos + 8);
      const data = b.subarray(pos + 8, pos + 8 + len);
      if (type === 'IHDR') { width = data.readUInt32BE(0); height = data.readUInt32BE(4); colour = data[9]; }
      if (type === 'IDAT') idat.push(data);
      pos += 12 + len;
    }
    const channels = { 2: 3, 6: 4 }[colour] ?? 0;
    const raw = zlib.inflateSync(Buffer.concat(idat));
    return { ok: raw.length === height * (1 + channels * width), width, height, why: `${width}×${height}, ${raw.length} bytes inflated` };
  })();
  const side4 = 4 * (28 + 1) + 1; // web/src/export.rs EXPORT_CELL, 1-pixel grid lines
  check(pngInfo.ok && pngInfo.width === side4 && pngInfo.height === side4 && png.name.endsWith('.png'),
    'Download PNG saves the frame shown as a PNG that decodes', `${png.name}: ${pngInfo.why}`);
  // Accessibility: axe-core, injected into the page after the run, finds nothing serious or critical.
  const axeFound = await seriousViolations(page);
  check(axeFound.length === 0, 'axe-core finds no serious or critical accessibility violations', axeFound.join(' | '));
  const gif = await downloaded('#download-gif').catch((e) => ({ name: String(e), bytes: Buffer.alloc(0) }));
  check(gif.bytes.toString('latin1', 0, 6) === 'GIF89a' && gif.bytes.readUInt16LE(6) === side4
    && gif.bytes.readUInt16LE(8) === side4 && gif.bytes[gif.bytes.length - 1] === 0x3b,
    'Download GIF saves the run so far as a GIF', `${gif.name}, ${gif.bytes.length} bytes`);

  // Run controls: reset, then one network application, then one answer refresh.
  const idle = () => !document.querySelector('#run')?.dataset.busy || document.querySelector('#run').dataset.busy === 'false';
  await page.click('#reset');
  await waitRun(() => document.querySelector('#run')?.dataset.kinds === 'S', null, 'reset');
  await page.click('#step-app');
  await waitRun(() => document.querySelector('#run')?.dataset.kinds === 'SL', null, 'one application');
  await page.click('#step-refresh');
  await waitRun(() => document.querySelector('#run')?.dataset.kinds === 'SLLR', null, 'one refresh');
  await page.waitForFunction(idle, null, { timeout: 30_000 }).catch(() => {});
  check((await attr('data-kinds')) === 'SLLR' && (await attr('data-frames')) === '4',
    'one application then one refresh: start, n = 2 latent frames, a refresh (4 frames)',
    `kinds ${await attr('data-kinds')}, frames ${await attr('data-frames')}`);

  // Keyboard: ← steps back over received frames, → forward, space toggles play (slow speed).
  await page.selectOption('#speed', { label: 'slow' });
  await page.click('#run-title');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowLeft');
  check((await attr('data-cursor')) === '1' && (await attr('data-frames')) === '4', '← steps back without losing frames',
    `cursor ${await attr('data-cursor')}`);
  await page.keyboard.press('ArrowRight');
  check((await attr('data-cursor')) === '2', '→ steps forward', `cursor ${await attr('data-cursor')}`);
  await page.keyboard.press(' ');
  const playingAfterSpace = await attr('data-playing');
  await page.keyboard.press(' ');
  const pausedAfterSpace = await attr('data-playing');
  check(playingAfterSpace === 'true' && pausedAfterSpace === 'false', 'space toggles play and pause',
    `${playingAfterSpace} then ${pausedAfterSpace}`);
  await page.focus('#scrubber');
  await page.keyboard.press('Shift+Tab');
  const focus = await page.evaluate(() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    return { id: el.id, visible: el.matches(':focus-visible'), outline: style.outlineStyle, width: style.outlineWidth };
  });
  check(focus.id === 'cancel' && focus.visible && focus.outline !== 'none' && focus.width !== '0px',
    'keyboard focus is visible on the run controls', JSON.stringify(focus));

  // Keep thinking past the trained steps, stopping where the halting head says so.
  await page.selectOption('#speed', { label: 'fastest' });
  await page.click('#play');
  await waitRun(() => document.querySelector('#run')?.dataset.finished === 'MaxSteps', null, 'the end of the run');
  const framesAtEnd = Number(await attr('data-frames'));
  await page.check('#keep-thinking');
  await page.check('#stop-on-halt');
  await page.click('#play');
  await waitRun(() => document.querySelector('#run')?.dataset.finished === 'Halted', null, 'the halting head');
  const framesAfter = Number(await attr('data-frames'));
  const kindsAfter = await attr('data-kinds');
  check(framesAfter > framesAtEnd && kindsAfter.startsWith(RUN_KINDS) && (framesAfter - framesAtEnd) % 6 === 0,
    'keep thinking adds whole supervision steps until the halting head stops the run',
    `${framesAtEnd} → ${framesAfter} frames (${await attr('data-finished')})`);
  check((await page.locator('#chart circle.pt-halt').count()) === STEPS4 + (framesAfter - framesAtEnd) / 6,
    'the chart gains a point per extra supervision step');
  await page.uncheck('#keep-thinking');
  await page.uncheck('#stop-on-halt');

  // Edit a cell mid-run: back to a latent frame, type the solution's digit into an empty cell; the
  // frame shown becomes an edit frame, later frames go, and the run continues with the new input.
  await page.click('#reset');
  await waitRun(() => document.querySelector('#run')?.dataset.kinds === 'S', null, 'reset');
  await page.click('#step-refresh');
  await waitRun(() => document.querySelector('#run')?.dataset.kinds === 'SLLR', null, 'one refresh');
  await page.click('#run-title');
  await page.keyboard.press('ArrowLeft');
  const blank = RUN_PUZZLE.indexOf('.');
  await page.locator('#run-grid .cell').nth(blank).click();
  await page.keyboard.press(RUN_SOLUTION[blank]);
  const edited = await waitRun(() => document.querySelector('#run')?.dataset.kinds === 'SLE', null, 'the edit frame');
  const editedClass = await page.locator('#run-grid .cell').nth(blank).getAttribute('class');
  check(edited && /given/.test(editedClass), 'a digit typed on the answer grid mid-run edits the input at the frame shown',
    `kinds ${await attr('data-kinds')}, cell ${blank}: ${editedClass}`);
  await page.click('#step-refresh');
  await waitRun(() => document.querySelector('#run')?.dataset.kinds === 'SLER', null, 'the refresh after the edit');
  const keptClass = await page.locator('#run-grid .cell').nth(blank).getAttribute('class');
  check((await attr('data-kinds')) === 'SLER' && /given/.test(keptClass), 'the run continues from the edited state',
    `kinds ${await attr('data-kinds')}`);

  // Puzzles in: an invalid string shows what is wrong and keeps the text and the grid.
  const editorBefore = await page.locator('#editor .cell.given').count();
  const bad = '3..2....1324x.3.';
  await page.fill('#puzzle-text', bad);
  const errorText = await page.locator('#puzzle-error').innerText().catch(() => '');
  check(/'x'/.test(errorText) && /column 13/.test(errorText), 'an invalid Sudoku string shows what is wrong inline', errorText);
  check((await page.inputValue('#puzzle-text')) === bad, 'the typed text stays');
  check((await page.locator('#editor .cell.given').count()) === editorBefore && (await page.isDisabled('#run-puzzle')),
    'the grid keeps the last valid puzzle and the run button waits for a fix');

  // Click-to-edit: a cell, a digit, Delete; the text box follows.
  await page.locator('#editor .cell').nth(1).click();
  await page.keyboard.press('4');
  const afterDigit = await page.inputValue('#puzzle-text');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('Delete');
  const afterDelete = await page.inputValue('#puzzle-text');
  check(afterDigit.length === 16 && afterDigit[1] === '4' && afterDelete[1] === '.' && (await page.locator('#puzzle-error').count()) === 0,
    'click a cell, type a digit, Delete clears; the text box follows', `${afterDigit} / ${afterDelete}`);
  check(await page.evaluate(() => document.activeElement?.id === 'editor' && document.querySelector('#run').dataset.playing === 'false'),
    'digit and arrow keys on the grid do not drive the run');

  // The seeded generator, in the page's wasm: same seed and tier, same puzzle; it runs.
  const generateWith = async (seed) => {
    await page.fill('#gen-seed', String(seed));
    await page.selectOption('#gen-tier', 'hard');
    await page.click('#generate');
    return page.inputValue('#puzzle-text');
  };
  const g1 = await generateWith(11);
  const g2 = await generateWith(11);
  const puzzleOrigin = await page.innerText('#puzzle-origin');
  check(g1 === g2 && /^[1-4.]{16}$/.test(g1) && /seed 11, hard/.test(puzzleOrigin), 'generate: seeded, tier chosen, a 4×4 puzzle',
    `${g1} / ${g2} (${puzzleOrigin})`);
  await waitRun(() => ['MaxSteps', 'Halted'].includes(document.querySelector('#run')?.dataset.finished), null, 'the generated run');
  check((await attr('data-kinds')) === RUN_KINDS, 'the generated puzzle runs to the end', await attr('data-kinds'));

  // Switch to 6×6 and run its first sample.
  await page.selectOption('#model-select', { label: 'Sudoku 6×6' });
  await waitRun((want) => document.querySelector('#run')?.dataset.kinds === want, RUN6_KINDS, 'the 6×6 run');
  const answer6 = await attr('data-answer');
  const native6 = nativeAnswer('sudoku6', RUN6_PUZZLE);
  check(answer6 === native6, 'the 6×6 answer in the page equals `trm solve --quiet` natively',
    native6.length === (answer6 ?? '').length ? diffCells(answer6, native6) : `page ${answer6}, native ${native6}`);
  check((await page.locator('#run-grid .cell').count()) === 36 && (await attr('data-kinds')) === RUN6_KINDS,
    'switching to 6×6 runs the 6×6 model: n = 3 latent frames then a refresh, for every step',
    await attr('data-kinds'));
  check(answer6 === RUN6_SOLUTION, "the 6×6 run's answer is the sample's solution", diffCells(answer6, RUN6_SOLUTION));
  check((await page.locator('#chart circle.pt-halt').count()) === STEPS6, 'the 6×6 chart has one point per supervision step');
  check((await page.inputValue('#puzzle-text')).replace(/\s/g, '').length === 36, 'the puzzle box holds the 6×6 sample');
  await page.screenshot({ path: path.join(OUT_DIR, 'sudoku6.png'), fullPage: true });

  // The share link, opened in a fresh browser context (no remembered model), reruns the 6×6 model on
  // the same puzzle to the same answer.
  const link6 = page.url();
  const fresh = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  await fresh.goto(link6, { waitUntil: 'load', timeout: 60_000 });
  const reopened = await fresh.waitForFunction((want) => document.querySelector('#run')?.dataset.kinds === want,
    RUN6_KINDS, { timeout: 120_000 }).then(() => true, () => false);
  const answerShared = await fresh.getAttribute('#run', 'data-answer');
  check(link6.includes('m=b:sudoku6') && reopened && answerShared === answer6,
    'a share link opened in a fresh page reruns the same model and puzzle to the same answer',
    `${link6}: ${diffCells(answerShared ?? '', answer6)}`);
  // A broken link says why it cannot be opened, and the page still runs its default puzzle.
  await fresh.goto('about:blank'); // (a new fragment alone would not reload the page)
  await fresh.goto(`${url}#v=1&d=sudoku&p=12&m=b:sudoku4&h=0&k=0&f=8`, { waitUntil: 'load', timeout: 60_000 });
  const linkError = await fresh.waitForSelector('#link-error', { timeout: 60_000 }).then((e) => e.innerText(), () => '');
  const stillRuns = await fresh.waitForFunction(() => (document.querySelector('#run')?.dataset.kinds ?? '').startsWith('SL'),
    null, { timeout: 120_000 }).then(() => true, () => false);
  check(/cannot be opened/.test(linkError) && /puzzle/.test(linkError) && stillRuns,
    'a broken share link shows why and the page still runs', linkError);
  await fresh.close();

  // Responsiveness by ordering: the page asks for one application at a time, so a pause click is
  // handled before more than the one frame already asked for can arrive.
  await page.click('#reset');
  await waitRun(() => document.querySelector('#run')?.dataset.kinds === 'S', null, 'reset');
  await page.click('#play');
  await waitRun(() => Number(document.querySelector('#run')?.dataset.frames) >= 12, null, 'frames while playing');
  const atClick = await page.evaluate(() => {
    const run = document.querySelector('#run');
    const frames = Number(run.dataset.frames);
    document.querySelector('#play').click();
    return { frames };
  });
  // The page redraws after the click's task; read the button's state then.
  atClick.playing = await attr('data-playing');
  await page.waitForFunction(() => document.querySelector('#run')?.dataset.busy === 'false', null, { timeout: 30_000 })
    .catch(() => {});
  const afterPause = Number(await attr('data-frames'));
  check(atClick.playing === 'false' && afterPause - atClick.frames <= 1 && afterPause < RUN6_KINDS.length,
    'a pause click is handled before the next frame is asked for',
    `${atClick.frames} frames at the click (playing ${atClick.playing}), ${afterPause} after`);

  // Cancel: while playing, a cancel click ends the request in flight and nothing more is asked for.
  await page.click('#play');
  await waitRun((n) => Number(document.querySelector('#run')?.dataset.frames) >= n, afterPause + 3, 'frames after play');
  const atCancel = await page.evaluate(() => {
    const frames = Number(document.querySelector('#run').dataset.frames);
    document.querySelector('#cancel').click();
    return frames;
  });
  await page.waitForFunction(() => document.querySelector('#run')?.dataset.busy === 'false', null, { timeout: 30_000 })
    .catch(() => {});
  const afterCancel = Number(await attr('data-frames'));
  check((await attr('data-playing')) === 'false' && (await attr('data-finished')) === 'Cancelled'
    && afterCancel - atCancel <= 1 && /cancelled/.test(await page.innerText('#run-status')),
    'Cancel stops the run in flight', `${atCancel} frames at the click, ${afterCancel} after, finished ${await attr('data-finished')}`);

  // The choice persists: a reload (without the share link) opens the 6×6 model again.
  await page.evaluate(() => history.replaceState(null, '', location.pathname));
  await page.reload({ waitUntil: 'load' });
  const reloaded = await waitRun((want) => document.querySelector('#run')?.dataset.kinds === want, RUN6_KINDS,
    'the 6×6 run after a reload');
  check(reloaded && (await page.inputValue('#model-select')) === '1' && (await page.locator('#run-grid .cell').count()) === 36,
    'a reload keeps the chosen model', await page.inputValue('#model-select'));

  // 9×9: the bundled sudoku9 model (token-mixing MLP) on the first easy 9×9 sample. The server sends
  // its checkpoint slowly: the page shows the download's progress (a bar and the percentage).
  slowFile = 'models/sudoku9.safetensors';
  await page.selectOption('#model-select', { label: 'Sudoku 9×9' });
  const midway = await page.waitForFunction(() => {
    const share = Number(document.querySelector('#model-progress')?.value ?? NaN);
    const status = document.querySelector('#run-status')?.innerText ?? '';
    return share > 0 && share < 1 && /Fetching the model… \d+ % of \d+\.\d MB/.test(status) ? `${share.toFixed(3)}: ${status}` : false;
  }, null, { timeout: 60_000, polling: 50 }).then((h) => h.jsonValue(), () => null);
  slowFile = null;
  check(midway !== null, 'the model download shows its progress while it arrives (a bar part-filled and "N % of M MB")',
    midway ?? `status: ${await page.innerText('#run-status')}`);
  const ran9 = await waitRun((want) => document.querySelector('#run')?.dataset.kinds === want, RUN9_KINDS, 'the 9×9 run');
  check(ran9, 'switching to 9×9 runs the 9×9 model: n latent frames then a refresh, for every step',
    await attr('data-kinds'));
  check((await page.locator('#model-progress').count()) === 0, 'the download progress bar goes once the model is in');
  const answer9 = await attr('data-answer');
  const native9 = nativeAnswer('sudoku9', RUN9_PUZZLE);
  check(answer9 === native9, 'the 9×9 answer in the page equals `trm solve --quiet` natively',
    native9.length === (answer9 ?? '').length ? diffCells(answer9, native9) : `page ${answer9}, native ${native9}`);
  check(answer9 === RUN9_SOLUTION, "the 9×9 run's answer is the sample's solution", diffCells(answer9 ?? '', RUN9_SOLUTION));
  check((await page.locator('#chart circle.pt-halt').count()) === STEPS9, 'the 9×9 chart has one point per supervision step');
  await page.screenshot({ path: path.join(OUT_DIR, 'sudoku9.png'), fullPage: true });

  // Load your own model: the official-format fixture (a random-weight 9×9 Sudoku mlp_t model, its
  // official checkpoint.pt and all_config.yaml) through the file input, on the 9×9 puzzle shown.
  const FIXTURE = path.join(ROOT, '../shared/fixtures/trm-parity/mlp_t');
  const fixturePt = path.join(FIXTURE, 'checkpoint.pt');
  const fixtureYaml = path.join(FIXTURE, 'all_config.yaml');
  if (!fs.existsSync(fixturePt) || !fs.existsSync(fixtureYaml)) {
    check(false, 'load your own: the fixture checkpoint.pt and all_config.yaml exist', `missing under ${FIXTURE}`);
  } else {
    const yaml = fs.readFileSync(fixtureYaml, 'utf8');
    const yamlInt = (key) => Number((yaml.match(new RegExp(`^\\s*${key}:\\s*(\\d+)`, 'm')) ?? [])[1]);
    const OWN_KINDS = 'S' + ('L'.repeat(yamlInt('L_cycles')) + 'R').repeat(yamlInt('H_cycles') * yamlInt('halt_max_steps'));
    const ownStart = 'S' + 'L'.repeat(yamlInt('L_cycles')) + 'R';
    const gridBefore = await page.inputValue('#puzzle-text');
    const givensBefore = await page.locator('#editor .cell.given').count();
    await page.selectOption('#speed', { label: 'fastest' });
    await page.setInputFiles('#own-files', [fixturePt, fixtureYaml]);
    const ownRan = await waitRun((want) => document.querySelector('#run')?.dataset.kinds === want, OWN_KINDS,
      'the run of your own model');
    const ownCard = await page.innerText('#model-card').catch(() => '');
    check(ownRan && /Model card: checkpoint\.pt/.test(ownCard) && /parameters/.test(ownCard)
      && (await page.locator('#model-config').count()) === 1 && (await page.locator('#run-grid .cell').count()) === 81,
      'load your own: checkpoint.pt with all_config.yaml loads (name, parameters, config shown) and runs every frame on the 9×9 grid',
      `kinds ${(await attr('data-kinds') ?? '').slice(0, 40)}…, card: ${ownCard.slice(0, 200)}`);
    // The page against `trm solve --steps k` natively, after each of the first supervision steps. This
    // model has random weights: its recursion is chaotic, so float rounding that differs between wasm
    // and native kernels grows until the answers part (the first steps agree to the cell; the final
    // answer, after 16 steps, is compared for information only). The page shows the padding token as
    // '_' where the CLI prints '.'.
    await page.screenshot({ path: path.join(OUT_DIR, 'own-model.png'), fullPage: true });
    const ownNative = (steps) => nativeAnswer(['--model', fixturePt, '--config', fixtureYaml, '--steps', String(steps)],
      RUN9_PUZZLE);
    const ownPage = async (position) => {
      await page.evaluate((pos) => {
        const el = document.querySelector('#scrubber');
        el.value = String(pos);
        el.dispatchEvent(new Event('input', { bubbles: true }));
      }, position);
      return ((await attr('data-answer')) ?? '').replaceAll('_', '.');
    };
    const perStep = yamlInt('H_cycles') * (yamlInt('L_cycles') + 1);
    const stepDiffs = [];
    for (const k of [1, 2]) {
      const got = await ownPage(k * perStep);
      const want = ownNative(k);
      if (got !== want) stepDiffs.push(`step ${k}: ${got.length === want.length ? diffCells(got, want) : `page ${got}, native ${want}`}`);
    }
    check(stepDiffs.length === 0 && gridBefore.replace(/\s/g, '') === RUN9_PUZZLE,
      "your own model's answers after supervision steps 1 and 2 equal `trm solve --steps k --model checkpoint.pt --config all_config.yaml`",
      stepDiffs.join(' | '));
    const finalPage = await ownPage(OWN_KINDS.length - 1);
    const finalNative = nativeAnswer(['--model', fixturePt, '--config', fixtureYaml], RUN9_PUZZLE);
    console.log(`  (info: the final answer after ${yamlInt('halt_max_steps')} steps ${finalPage === finalNative
      ? 'equals the native one' : `differs from the native one in ${[...finalNative].filter((c, k) => finalPage[k] !== c).length} of 81 cells (random weights, chaotic recursion)`})`);

    // A truncated copy (its first 1000 bytes): the loader's error, the user's grid untouched.
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trm-e2e-'));
    const cut = path.join(tmp, 'truncated.pt');
    fs.writeFileSync(cut, fs.readFileSync(fixturePt).subarray(0, 1000));
    await page.setInputFiles('#own-files', [cut, fixtureYaml]);
    const cutError = await page.waitForFunction(() => /cannot load the model/.test(document.querySelector('#run-error')?.innerText ?? ''),
      null, { timeout: 60_000 }).then(() => page.innerText('#run-error'), () => '');
    check(/cannot load the model/.test(cutError) && (await page.inputValue('#puzzle-text')) === gridBefore
      && (await page.locator('#editor .cell.given').count()) === givensBefore,
      "a truncated checkpoint shows the loader's error and the user's grid stays", cutError);
    // Files the page cannot use are said so beside the file input.
    await page.setInputFiles('#own-files', [fixtureYaml]);
    const noCheckpoint = await page.locator('#own-error').innerText().catch(() => '');
    check(/no checkpoint/.test(noCheckpoint), 'choosing no checkpoint says so', noCheckpoint);
    fs.rmSync(tmp, { recursive: true, force: true });

    // A reload (without the share link) brings back the last own model that loaded, from IndexedDB.
    await page.evaluate(() => history.replaceState(null, '', location.pathname));
    await page.reload({ waitUntil: 'load' });
    const restored = await waitRun((want) => (document.querySelector('#run')?.dataset.kinds ?? '').startsWith(want), ownStart,
      'your own model after a reload');
    const restoredCard = await page.innerText('#model-card').catch(() => '');
    check(restored && /Model card: checkpoint\.pt/.test(restoredCard) && /checkpoint\.pt/.test(await page.innerText('#own-status')),
      'after a reload your own model is still the one chosen (IndexedDB)', restoredCard.slice(0, 120));
    // The address bar's link names the own model; opened again (a fresh load of this page), it
    // brings the model back from IndexedDB too.
    const ownLink = page.url();
    await page.goto('about:blank'); // (a fragment alone would not reload the page)
    await page.goto(ownLink, { waitUntil: 'load', timeout: 60_000 });
    const linkRan = await page.waitForFunction((want) => (document.querySelector('#run')?.dataset.kinds ?? '').startsWith(want)
      && /Model card: checkpoint\.pt/.test(document.querySelector('#model-card')?.innerText ?? ''), ownStart,
    { timeout: 120_000 }).then(() => true, () => false);
    check(ownLink.includes('m=o:checkpoint.pt') && linkRan, "the share link of your own model's run reopens it in this browser",
      ownLink);
    // The bundled model is still a click away, on the same puzzle.
    await page.click('#own-unload');
    const bundledBack = await page.waitForFunction(() => /Model card: sudoku9/.test(document.querySelector('#model-card')?.innerText ?? '')
      && (document.querySelector('#run')?.dataset.kinds ?? '').startsWith('SL'), null, { timeout: 120_000 }).then(() => true, () => false);
    check(bundledBack && (await page.locator('#own-unload').count()) === 0
      && (await page.inputValue('#puzzle-text')).replace(/\s/g, '') === RUN9_PUZZLE,
      'the bundled model can be chosen again', await page.innerText('#run-status'));
  }

  // Mazes with the bundled maze11 model: the domain switch offers it, and choosing it makes the page
  // a maze page: the first bundled 11×11 sample replaces the Sudoku and runs.
  const MAZE_LABEL = 'Maze 11×11';
  const MAZE_MODEL = path.join(ROOT, 'assets/models/maze11');
  const mazeCard = card('maze11');
  const MAZE_KINDS = runKinds('maze11');
  const MAZE_STEPS = mazeCard.arch.halt_max_steps;
  const MAZE_PUZZLE = fs.readFileSync(path.join(ROOT, 'assets/puzzles/maze/samples/11x11-easy.txt'), 'utf8')
    .replace(/\r\n/g, '\n').split('\n\n')[0].replace(/\n+$/, '');
  // `trm solve --quiet` prints the answer maze in the input's layout: its last 11 lines (spaces kept).
  const nativeMaze = (extra, maze) => {
    try {
      const out = execFileSync(process.env.TRM ?? 'trm',
        ['solve', '--quiet', '--model', `${MAZE_MODEL}.safetensors`, ...extra, 'maze', maze],
        { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
      return out.replace(/\r/g, '').split('\n').filter((l) => l.length === 11).slice(-11).join('');
    } catch (e) {
      return `trm solve failed: ${e.message}`;
    }
  };
  const mazeDiff = (got, want) => [...want].map((c, k) => (got[k] === c ? null
    : `row ${Math.floor(k / 11) + 1}, column ${(k % 11) + 1}: page '${got[k]}', native '${c}'`)).filter(Boolean).join('; ');
  await page.selectOption('#speed', { label: 'fastest' });
  const mazeOffered = await page.locator('#model-select option').allInnerTexts();
  check(mazeOffered.includes(MAZE_LABEL), 'maze: the domain switch offers mazes with the bundled maze11 model', mazeOffered.join(', '));
  await page.selectOption('#model-select', { label: MAZE_LABEL });
  const mazeRan = await waitRun((want) => document.querySelector('#run')?.dataset.kinds === want
    && document.querySelector('#run')?.dataset.finished === 'MaxSteps', MAZE_KINDS, 'the maze run');
  const mazeKinds = (await attr('data-kinds')) ?? '';
  check(mazeRan && mazeKinds === MAZE_KINDS,
    `maze: the first 11×11 sample runs with n = ${mazeCard.arch.L_cycles} scratch-paper frames then a refresh frame, ${mazeCard.arch.H_cycles} cycles × ${MAZE_STEPS} steps`,
    `got ${mazeKinds.slice(0, 60)}… (${mazeKinds.length} frames, want ${MAZE_KINDS.length}; status: ${await page.innerText('#run-status')})`);
  check((await page.inputValue('#maze-text')) === MAZE_PUZZLE && (await page.locator('#maze-editor .cell').count()) === 121
    && (await page.locator('#maze-editor .cell.wall').count()) === [...MAZE_PUZZLE].filter((c) => c === '#').length,
    'maze: the maze model turns the puzzle panel into the maze editor, showing the first 11×11 sample',
    (await page.inputValue('#maze-text').catch(() => '')).slice(0, 40));
  check((await page.locator('#run-grid.maze .cell').count()) === 121 && (await page.locator('#run-grid .cell.wall').count()) > 0
    && (await page.locator('#scratch-grid .cell').count()) === 121 && (await page.locator('#activity-grid .cell').count()) === 121,
    'maze: the answer (walls, path), the scratch paper z and its activity map are drawn on 11×11 grids');
  const mazePoints = await page.locator('#chart circle.pt-halt').count();
  check(mazePoints === MAZE_STEPS, 'maze: the chart has one point per supervision step', `${mazePoints} points, ${MAZE_STEPS} steps`);
  const mazeAnswer = (await attr('data-answer')) ?? '';
  const mazeNative = nativeMaze([], MAZE_PUZZLE);
  check(mazeAnswer === mazeNative,
    'maze: the final answer in the page equals `trm solve --quiet --model assets/models/maze11.safetensors maze <sample>` natively, cell for cell',
    mazeAnswer.length === mazeNative.length ? mazeDiff(mazeAnswer, mazeNative) : `page ${JSON.stringify(mazeAnswer)}, native ${JSON.stringify(mazeNative)}`);
  const verdict = await page.innerText('#overlay-summary').catch(() => '');
  check(/^path valid: (yes · shortest: (yes|no)|no) \(.+\)$/.test(verdict),
    "maze: the overlay states the path verdict (valid? shortest?) with the verifier's reason", verdict);
  // The scratch paper: at the last (refresh) frame the strip holds the n latent updates before it.
  check((await page.locator('#latents .page').count()) === mazeCard.arch.L_cycles,
    'maze: the scratch-paper strip shows the n latent updates of the cycle', `${await page.locator('#latents .page').count()} pages`);
  await page.screenshot({ path: path.join(OUT_DIR, 'maze11.png'), fullPage: true });
  // Invalid maze text (two S): the error inline, the text kept, the maze and the run button held.
  const twoS = MAZE_PUZZLE.replace(' ', 'S');
  await page.fill('#maze-text', twoS);
  const mazeError = await page.locator('#puzzle-error').innerText().catch(() => '');
  check(/exactly one start 'S', found 2/.test(mazeError) && (await page.inputValue('#maze-text')) === twoS
    && (await page.isDisabled('#run-puzzle')) && (await page.getAttribute('#maze-editor', 'data-text')) === MAZE_PUZZLE,
    'maze: an invalid maze (two S) shows what is wrong inline and keeps the text', mazeError);
  await page.fill('#maze-text', MAZE_PUZZLE);
  // Painting: a click on an open cell builds a wall; a drag from S moves the start.
  const editorText = () => page.getAttribute('#maze-editor', 'data-text').then((t) => (t ?? '').replace(/\n/g, ''));
  const before = await editorText();
  const openK = [...before].findIndex((c, k) => c === ' ' && k > 11);
  const cellBox = (k) => page.locator(`#maze-editor [data-k="${k}"]`).boundingBox();
  const centre = (b) => [b.x + b.width / 2, b.y + b.height / 2];
  await page.mouse.click(...centre(await cellBox(openK)));
  const painted = await editorText();
  check(painted[openK] === '#' && [...painted].filter((c, k) => c !== before[k]).length === 1
    && (await page.inputValue('#maze-text')).replace(/\n/g, '') === painted,
    'maze: painting a wall changes the draft (editor and text box)', `cell ${openK}: '${painted[openK]}'`);
  const sK = painted.indexOf('S');
  const targetK = [...painted].findIndex((c, k) => c === ' ' && k !== sK && k > 11);
  await page.mouse.move(...centre(await cellBox(sK)));
  await page.mouse.down();
  await page.mouse.move(...centre(await cellBox(targetK)), { steps: 8 });
  await page.mouse.up();
  const moved = await editorText();
  check(moved.indexOf('S') === targetK && [...moved].filter((c) => c === 'S').length === 1,
    'maze: dragging S moves the start', `S at ${moved.indexOf('S')}, wanted ${targetK}`);
  // The keyboard does the same: the arrows move the selection (from the cell S was dragged to),
  // Space toggles wall / open.
  await page.focus('#maze-editor');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press(' ');
  const keyed = await editorText();
  const keyK = Math.floor(targetK / 11) * 11 + ((targetK % 11) + 1) % 11;
  const keyChanged = [...keyed].map((c, k) => (c !== moved[k] ? k : -1)).filter((k) => k >= 0);
  check(keyChanged.length === 1 && keyChanged[0] === keyK && ({ '#': ' ', ' ': '#' })[moved[keyK]] === keyed[keyK],
    'maze: the keyboard edits the maze (an arrow key selects the next cell, Space toggles wall / open)',
    `changed ${keyChanged.join(', ')}, expected ${keyK}`);
  await page.fill('#maze-text', MAZE_PUZZLE);
  // The seeded generator makes an 11×11 maze of the tier asked for, and runs it.
  await page.fill('#gen-seed', '7');
  await page.selectOption('#gen-tier', 'hard');
  await page.click('#generate');
  const generatedRan = await waitRun((want) => document.querySelector('#run')?.dataset.kinds === want
    && document.querySelector('#run')?.dataset.finished === 'MaxSteps', MAZE_KINDS, 'the generated maze run');
  check(generatedRan && /generated: seed 7, hard/.test(await page.innerText('#puzzle-origin'))
    && (await page.inputValue('#maze-text')) !== MAZE_PUZZLE,
    'maze: the seeded generator (tier hard) makes a maze in the page and runs it', await page.innerText('#puzzle-origin'));
  const axeMaze = await seriousViolations(page);
  check(axeMaze.length === 0, 'maze: axe-core finds no serious or critical accessibility violations', axeMaze.join(' | '));

  // ARC with the bundled arc-demo model (10×10 canvas, trained on the 16 tasks of small.txt): the
  // domain switch offers it; the page runs a known task, draws the demonstrations, the test input,
  // the prediction cropped by the EOS rule, the expected output and the diff; the prediction equals
  // `trm solve arc` natively; an unknown task says the model has never seen it; a task too big for
  // the canvas says why; a malformed task file shows its error and keeps the task.
  const arcCard = card('arc-demo');
  const ARC_KINDS = runKinds('arc-demo');
  const ARC_STEPS = arcCard.arch.halt_max_steps;
  const ARC_KNOWN = fs.readFileSync(path.join(ROOT, 'assets/puzzles/arc/small.txt'), 'utf8').split('\n')
    .map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  const arcTask = (p) => JSON.parse(fs.readFileSync(path.join(ROOT, `assets/puzzles/arc/${p}.json`), 'utf8'));
  const gridText = (g) => g.map((row) => row.join('')).join('/');
  // `trm solve --quiet … --file TASK arc` prints the ARC Prize submission: {name: [{attempt_1, attempt_2}]}.
  const nativeArc = (taskPath) => {
    try {
      const out = execFileSync(process.env.TRM ?? 'trm',
        ['solve', '--quiet', '--model', path.join(ROOT, 'assets/models/arc-demo.safetensors'),
          '--file', path.join(ROOT, `assets/puzzles/arc/${taskPath}.json`), 'arc'],
        { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
      const submission = JSON.parse(out.trim().split('\n').pop());
      const attempts = Object.values(submission)[0];
      return gridText(attempts[0].attempt_1);
    } catch (e) {
      return `trm solve failed: ${e.message}`;
    }
  };
  const arcDiff = (got, want) => {
    const g = got.split('/');
    const w = want.split('/');
    if (g.length !== w.length || g.some((row, r) => row.length !== w[r].length)) {
      return `size: page ${g.length}×${g[0]?.length ?? 0} (${got}), native ${w.length}×${w[0]?.length ?? 0} (${want})`;
    }
    return w.flatMap((row, r) => [...row].map((c, k) => (g[r][k] === c ? null
      : `row ${r + 1}, column ${k + 1}: page ${g[r][k]}, native ${c}`))).filter(Boolean).join('; ');
  };
  // The run of ARC task `name` (the #run's data-puzzle changes with the run's reset) is complete.
  const arcDone = (name, what) => waitRun(([want, id]) => document.querySelector('#run')?.dataset.puzzle === id
    && document.querySelector('#run')?.dataset.kinds === want
    && document.querySelector('#run')?.dataset.finished === 'MaxSteps', [ARC_KINDS, name], what);
  const idOf = (p) => (p ?? '').split('/').pop();
  const ARC_LABEL = 'ARC (10×10 canvas)';
  const offered = await page.locator('#model-select option').allInnerTexts();
  check(offered.includes(ARC_LABEL), 'ARC: the domain switch offers ARC with the bundled arc-demo model', offered.join(', '));
  await page.selectOption('#model-select', { label: ARC_LABEL });
  const arcFirst = await arcDone(idOf(ARC_KNOWN[0]), 'the first ARC run');
  check(arcFirst && (await page.inputValue('#arc-task')) === ARC_KNOWN[0]
    && (await page.locator('#sample-tier').isHidden()) && (await page.locator('#gen-seed').isHidden()),
    'ARC: switching to ARC runs the first task the model knows; the Sudoku/maze samples and generator give way to the task panel',
    `${await page.inputValue('#arc-task').catch(() => '?')}; ${await page.innerText('#run-status')}`);
  // A known task chosen from the list runs frame by frame.
  const ARC_TASK = ARC_KNOWN[1];
  const arcJson = arcTask(ARC_TASK);
  await page.selectOption('#arc-task', ARC_TASK);
  await page.waitForFunction((id) => document.querySelector('#arc-input')?.dataset.task === id, ARC_TASK.split('/')[1],
    { timeout: 30_000 }).catch(() => {});
  const arcRan = await arcDone(idOf(ARC_TASK), `the ARC run of ${ARC_TASK}`);
  const arcKinds = (await attr('data-kinds')) ?? '';
  check(arcRan && arcKinds === ARC_KINDS,
    `ARC: ${ARC_TASK} runs with n = ${arcCard.arch.L_cycles} scratch-paper frames then a refresh frame, ${arcCard.arch.H_cycles} cycles × ${ARC_STEPS} steps`,
    `got ${arcKinds.slice(0, 60)}… (${arcKinds.length} frames, want ${ARC_KINDS.length}; status: ${await page.innerText('#run-status')})`);
  const arcPoints = await page.locator('#chart circle.pt-halt').count();
  check(arcPoints === ARC_STEPS, 'ARC: the chart has one point per supervision step', `${arcPoints} points, ${ARC_STEPS} steps`);
  check((await page.locator('#run-note').count()) === 0 && /trained on it/.test(await page.innerText('#arc-origin')),
    'ARC: a task the model knows shows no never-seen note', await page.innerText('#arc-origin'));
  const demoGrids = await page.locator('#arc-demos .arc-pair .arc-grid').evaluateAll((els) => els.map((e) => e.dataset.grid));
  const wantDemos = arcJson.train.flatMap((p) => [gridText(p.input), gridText(p.output)]);
  check(JSON.stringify(demoGrids) === JSON.stringify(wantDemos),
    `ARC: the ${arcJson.train.length} demonstration pairs are drawn (input → output)`, `${demoGrids.length} grids`);
  const testInput = await page.getAttribute('#arc-test-input', 'data-grid');
  const expectedOut = await page.getAttribute('#arc-expected', 'data-grid').catch(() => null);
  check(testInput === gridText(arcJson.test[0].input) && expectedOut === gridText(arcJson.test[0].output),
    'ARC: the test input and the expected output are drawn', `${testInput} / ${expectedOut}`);
  const palette = await page.evaluate(() => {
    const grid = document.querySelector('#arc-test-input');
    const first = grid?.querySelector('.arc-cell');
    return { value: grid?.dataset.grid?.[0], colour: first ? getComputedStyle(first).backgroundColor : '' };
  });
  const PALETTE_RGB = ['rgb(0, 0, 0)', 'rgb(0, 116, 217)', 'rgb(255, 65, 54)', 'rgb(46, 204, 64)', 'rgb(255, 220, 0)',
    'rgb(170, 170, 170)', 'rgb(240, 18, 190)', 'rgb(255, 133, 27)', 'rgb(127, 219, 255)', 'rgb(135, 12, 37)'];
  check(palette.colour === PALETTE_RGB[Number(palette.value)], 'ARC: grids use the official ARC palette',
    JSON.stringify(palette));
  const arcPredicted = (await page.getAttribute('#arc-result', 'data-predicted')) ?? '';
  const arcNative = nativeArc(ARC_TASK);
  check(arcPredicted === arcNative,
    `ARC: the final prediction (cropped by the EOS rule) equals \`trm solve --quiet --model arc-demo.safetensors --file ${ARC_TASK}.json arc\` natively`,
    arcDiff(arcPredicted, arcNative));
  check((await page.getAttribute('#arc-predicted', 'data-grid')) === arcPredicted
    && (await page.locator('#arc-diff .arc-cell').count()) > 0 && /exact|wrong|size mismatch/.test(await page.innerText('#arc-verdict'))
    && (await page.locator('#run-grid.arc .cell').count()) === 100 && (await page.locator('#scratch-grid .cell').count()) === 100,
    'ARC: the prediction, the cell diff against the expected output with its verdict, the answer y and the scratch paper z are drawn',
    await page.innerText('#arc-verdict').catch(() => ''));
  // The ARC run's share link (the bundled task by its path), opened in a fresh page, reruns the same
  // task on arc-demo to the same prediction.
  const arcLink = page.url();
  const arcFresh = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  await arcFresh.goto(arcLink, { waitUntil: 'load', timeout: 60_000 });
  const arcReopened = await arcFresh.waitForFunction(([want, id]) => document.querySelector('#run')?.dataset.puzzle === id
    && document.querySelector('#run')?.dataset.kinds === want, [ARC_KINDS, idOf(ARC_TASK)], { timeout: 120_000 })
    .then(() => true, () => false);
  const arcShared = (await arcFresh.getAttribute('#arc-result', 'data-predicted').catch(() => null)) ?? '';
  check(arcLink.includes(`d=arc&p=${ARC_TASK}&t=0`) && arcLink.includes('m=b:arc-demo') && arcReopened
    && (await arcFresh.inputValue('#arc-task').catch(() => '')) === ARC_TASK && arcShared === arcPredicted,
    'ARC: the share link opened in a fresh page reruns the same task on the same model to the same prediction',
    `${arcLink}: ${arcDiff(arcShared, arcPredicted)}`);
  await arcFresh.close();
  // A task the model was never trained on still runs, with the blank row, and the page says so.
  const arcOptions = await page.locator('#arc-task option').evaluateAll((els) => els.map((e) => ({ value: e.value, text: e.textContent })));
  const unknownTask = arcOptions.find((o) => o.value && !/known to the model|too big/.test(o.text));
  await page.selectOption('#arc-task', unknownTask?.value ?? '');
  const unknownNote = await page.waitForSelector('#run-note', { timeout: 60_000 }).then((e) => e.innerText(), () => '');
  const unknownRan = await arcDone(idOf(unknownTask?.value), `the run of the unknown task ${unknownTask?.value}`);
  check(unknownRan && /never seen task/.test(unknownNote) && unknownNote.includes(unknownTask.value.split('/')[1]),
    'ARC: a task the model has never seen says so and still runs (blank embedding row)', `${unknownTask?.value}: ${unknownNote}`);
  // A task too big for the 10×10 canvas: the reason inline, the run button held, the run kept.
  const bigTask = arcOptions.find((o) => /too big/.test(o.text));
  const answerBefore = await attr('data-answer');
  await page.selectOption('#arc-task', bigTask?.value ?? '');
  const fitText = await page.waitForSelector('#arc-fit', { timeout: 10_000 }).then((e) => e.innerText(), () => '');
  check(/does not fit this model's 10×10 canvas/.test(fitText) && (await page.isDisabled('#arc-run'))
    && (await attr('data-answer')) === answerBefore,
    'ARC: a task too big for the canvas says why inline and is not run', `${bigTask?.value}: ${fitText}`);
  // Back to the known task for the vote.
  await page.selectOption('#arc-task', ARC_TASK);
  await arcDone(idOf(ARC_TASK), `the rerun of ${ARC_TASK}`);
  const kindsBefore = await attr('data-kinds');
  // pass@2 voting over the original and 8 augmented versions (the model's own rows for a known task,
  // as `trm solve --augment 8` picks them): every version's vote counted, the two attempts equal to
  // the native CLI's, the run left as it was; a second vote can be stopped.
  const nativeAttempts = (taskPath, augment) => {
    try {
      const out = execFileSync(process.env.TRM ?? 'trm',
        ['solve', '--quiet', '--model', path.join(ROOT, 'assets/models/arc-demo.safetensors'), '--augment', String(augment),
          '--file', path.join(ROOT, `assets/puzzles/arc/${taskPath}.json`), 'arc'],
        { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
      const a = Object.values(JSON.parse(out.trim().split('\n').pop()))[0][0];
      return [gridText(a.attempt_1), gridText(a.attempt_2)];
    } catch (e) {
      return [`trm solve failed: ${e.message}`];
    }
  };
  await page.click('#vote');
  const voted = await page.waitForFunction(() => document.querySelector('#arc-vote')?.dataset.done === 'Completed', null,
    { timeout: 180_000 }).then(() => true, () => false);
  const voteData = await page.evaluate(() => {
    const v = document.querySelector('#arc-vote');
    const tally = [...document.querySelectorAll('#vote-tally .vote-candidate')].map((r) => Number(r.dataset.votes));
    const attempts = [...document.querySelectorAll('#vote-attempts .vote-attempt .arc-grid')].map((g) => g.dataset.grid);
    return { versions: Number(v?.dataset.versions), total: Number(v?.dataset.total), votes: Number(v?.dataset.votes),
      tally, attempts, shown: document.querySelectorAll('#vote-versions .vote-version').length };
  });
  const tallySum = voteData.tally.reduce((a, b) => a + b, 0);
  check(voted && voteData.total === 9 && voteData.versions === 9 && voteData.votes === 9 && tallySum === 9 && voteData.shown === 9
    && voteData.attempts.length >= 1 && voteData.attempts.length <= 2 && (await attr('data-kinds')) === kindsBefore,
    'ARC: voting runs 9 versions in the worker, shows each de-augmented prediction, and the vote counts sum to 9',
    JSON.stringify(voteData));
  await page.screenshot({ path: path.join(OUT_DIR, 'arc.png'), fullPage: true });
  const wantAttempts = nativeAttempts(ARC_TASK, 8);
  const gotAttempts = voteData.attempts.length === 1 ? [voteData.attempts[0], voteData.attempts[0]] : voteData.attempts;
  check(JSON.stringify(gotAttempts) === JSON.stringify(wantAttempts),
    `ARC: the top-2 attempts equal \`trm solve --augment 8 … ${ARC_TASK}.json arc\` natively`,
    `page ${JSON.stringify(gotAttempts)}, native ${JSON.stringify(wantAttempts)}`);
  await page.selectOption('#vote-count', '17');
  await page.click('#vote');
  await page.click('#vote-cancel');
  const stopped = await page.waitForFunction(() => document.querySelector('#arc-vote')?.dataset.done === 'Cancelled', null,
    { timeout: 30_000 }).then(() => true, () => false);
  const stoppedAt = Number(await page.getAttribute('#arc-vote', 'data-versions'));
  check(stopped && stoppedAt < 17 && /stopped/.test(await page.innerText('#vote-status')) && !(await page.isDisabled('#vote')),
    'ARC: "Stop voting" cancels a vote in the worker', `${stoppedAt} of 17 versions; ${await page.innerText('#vote-status')}`);
  // A malformed task file: the error inline, the task (and its run) kept.
  await page.setInputFiles('#arc-file', { name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"train": [{"input": [[1]]') });
  const uploadError = await page.waitForSelector('#arc-error', { timeout: 10_000 }).then((e) => e.innerText(), () => '');
  check(/broken\.json cannot be used/.test(uploadError) && (await page.inputValue('#arc-task')) === ARC_TASK
    && (await page.getAttribute('#arc-input', 'data-task')) === ARC_TASK.split('/')[1] && (await attr('data-kinds')) === kindsBefore,
    'ARC: a malformed task file shows a clear error inline and keeps the current task', uploadError);
  // A valid task file of the user's own: never seen, runs; its single test and demonstration drawn.
  const own = { train: [{ input: [[1, 0], [0, 1]], output: [[2, 0], [0, 2]] }], test: [{ input: [[0, 1], [1, 0]], output: [[0, 2], [2, 0]] }] };
  await page.setInputFiles('#arc-file', { name: 'mine.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(own)) });
  const ownRan = await page.waitForFunction(() => document.querySelector('#arc-input')?.dataset.task === 'mine', null,
    { timeout: 10_000 }).then(() => true, () => false) && (await arcDone('mine', 'the run of the uploaded task'));
  const ownNote = await page.innerText('#run-note').catch(() => '');
  check(ownRan && /never seen task mine/.test(ownNote) && (await page.locator('#arc-error').count()) === 0
    && (await page.getAttribute('#arc-expected', 'data-grid')) === '02/20',
    'ARC: a task file of your own loads, runs with the never-seen note, and is compared with its expected output', ownNote);
  // Recolour mid-run: back to a latent frame of the own task's run, a colour digit on a cell of the
  // test input's 2×2 grid makes an edit frame and the run goes on from it; a cell outside the grid
  // (the canvas beyond the EOS border) is refused with the worker's reason and the run stays.
  await page.click('#reset');
  await waitRun(() => document.querySelector('#run')?.dataset.kinds === 'S', null, 'the ARC reset');
  await page.click('#step-refresh');
  const arcN = 'L'.repeat(arcCard.arch.L_cycles);
  await waitRun((want) => document.querySelector('#run')?.dataset.kinds === want, `S${arcN}R`, 'one ARC refresh');
  await page.click('#run-title');
  await page.keyboard.press('ArrowLeft');
  await page.locator('#run-grid .cell').nth(5).click();
  await page.keyboard.press('3');
  const arcRefused = await page.waitForFunction(() => /inside the ARC grid/.test(document.querySelector('#edit-refused')?.innerText ?? ''),
    null, { timeout: 30_000 }).then(() => page.innerText('#edit-refused'), () => '');
  check(arcRefused !== '' && (await attr('data-kinds')) === `S${arcN}` && (await page.locator('#run-error').count()) === 0,
    'ARC: recolouring a canvas cell outside the test input mid-run is refused with the reason; the run stays at the frame shown',
    `${arcRefused || 'no error'}; kinds ${await attr('data-kinds')}`);
  await page.locator('#run-grid .cell').nth(0).click();
  // `0` alone first: black is a colour here, so it must make the edit frame, not a refusal.
  await page.keyboard.press('0');
  const blackEdited = await waitRun((want) => document.querySelector('#run')?.dataset.kinds === want,
    `S${arcN.slice(1)}E`, 'the ARC edit frame of colour 0');
  const blackClean = (await page.locator('#run-error, #edit-refused').count()) === 0
    && (await attr('data-input') ?? '').startsWith('01|');
  await page.keyboard.press('4');
  // The edit frame's input x (`data-input`, one symbol per canvas cell) now starts with colour 4.
  const arcEdited = blackEdited && (await waitRun(() => (document.querySelector('#run')?.dataset.input ?? '').startsWith('41|')
    && /input edited/.test(document.querySelector('#run-status')?.innerText ?? '')
    && document.querySelectorAll('#edit-refused').length === 0, null, 'the ARC edit to colour 4'));
  const arcEditStatus = await page.innerText('#run-status');
  check(blackEdited && blackClean && arcEdited && (await attr('data-kinds')) === `S${arcN.slice(1)}E`
    && (await page.locator('#run-error, #edit-refused').count()) === 0,
    'ARC: a colour digit (0 included) on a cell of the test input recolours it mid-run as an edit frame',
    `${arcEditStatus}; input ${(await attr('data-input') ?? '').slice(0, 12)}`);
  await page.click('#step-refresh');
  const arcGoesOn = await waitRun((want) => document.querySelector('#run')?.dataset.kinds === want,
    `S${arcN.slice(1)}ER`, 'the ARC refresh after the edit');
  check(arcGoesOn && (await attr('data-input') ?? '').startsWith('41|'), 'ARC: the run continues from the recoloured input',
    `kinds ${await attr('data-kinds')}; input ${(await attr('data-input') ?? '').slice(0, 12)}`);
  const axeArc = await seriousViolations(page);
  check(axeArc.length === 0, 'ARC: axe-core finds no serious or critical accessibility violations', axeArc.join(' | '));

  // 375 px wide: no horizontal scrolling.
  await page.setViewportSize({ width: 375, height: 800 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  check(overflow <= 0, 'no horizontal scroll at 375 px', `${overflow} px too wide`);
  await page.screenshot({ path: path.join(OUT_DIR, 'narrow-375.png'), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 1000 });

  console.log(`  screenshots in ${OUT_DIR}`);

  check(consoleErrors.length === 0, 'the browser console shows no errors', consoleErrors.join(' | '));
  check(outsideRequests.length === 0, 'nothing is requested outside the sub-path', outsideRequests.join(', '));

  // A truncated checkpoint: the page shows the loader's error and a retry that works.
  // (Routes do not see what a service worker fetches: this context runs without one.)
  const brokenContext = await browser.newContext({ viewport: { width: 1280, height: 1000 }, serviceWorkers: 'block' });
  const broken = await brokenContext.newPage();
  await broken.route('**/models/sudoku4.safetensors', (route) => route.fulfill({
    status: 200, contentType: 'application/octet-stream', body: Buffer.alloc(100, 7) }));
  await broken.goto(url, { waitUntil: 'load', timeout: 60_000 });
  const loadError = await broken.waitForSelector('#run-error', { timeout: 120_000 }).then((e) => e.innerText(), () => '');
  check(/cannot load the model/.test(loadError) && (await broken.locator('#retry').count()) === 1,
    'a truncated checkpoint shows the loader error and a retry button', loadError);
  await broken.unroute('**/models/sudoku4.safetensors');
  await broken.click('#retry');
  const retried = await broken.waitForFunction(() => (document.querySelector('#run')?.dataset.kinds ?? '').startsWith('SL'),
    null, { timeout: 120_000 }).then(() => true, () => false);
  check(retried && (await broken.locator('#run-error').count()) === 0, 'retry loads the model and the run starts');
  await brokenContext.close();

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

  // Offline after the first visit: the service worker caches the page, the wasm and the model; with
  // the network off, a reload still runs the 4×4 sample to its solution.
  const online = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  const off = await online.newPage();
  const ranTo = (p, want) => p.waitForFunction((w) => document.querySelector('#run')?.dataset.kinds === w, want,
    { timeout: 120_000 }).then(() => true, () => false);
  await off.goto(url, { waitUntil: 'load', timeout: 60_000 });
  const firstVisit = await ranTo(off, RUN_KINDS);
  const cached = await off.waitForFunction(() => document.documentElement.dataset.offline === 'ready', null,
    { timeout: 60_000 }).then(() => true, () => false);
  await online.setOffline(true);
  const reloadedOffline = await off.reload({ waitUntil: 'load', timeout: 60_000 }).then(() => true, (e) => String(e));
  const offlineRun = reloadedOffline === true && (await ranTo(off, RUN_KINDS));
  const offlineAnswer = offlineRun ? await off.getAttribute('#run', 'data-answer') : '';
  check(firstVisit && cached && offlineRun && offlineAnswer === RUN_SOLUTION,
    'offline after the first visit: a reload still runs the 4×4 sample to its solution',
    `first run ${firstVisit}, cached ${cached}, reload ${reloadedOffline}, answer ${offlineAnswer}`);
  await online.close();

  // The capability check: without WebAssembly, WebAssembly SIMD or Workers the page says what is
  // missing instead of staying blank.
  const lacking = async (init) => {
    const context = await browser.newContext();
    const p = await context.newPage();
    await p.addInitScript(init);
    await p.goto(url, { waitUntil: 'load', timeout: 60_000 });
    const text = await p.waitForSelector('#unsupported', { timeout: 30_000 }).then((e) => e.innerText(), () => '');
    const visible = await p.isVisible('#unsupported').catch(() => false);
    await context.close();
    return visible ? text : '';
  };
  const noWasm = await lacking(() => { delete window.WebAssembly; });
  check(/lacks WebAssembly\b/.test(noWasm) && !/SIMD/.test(noWasm), 'without WebAssembly the page says so', noWasm);
  const noSimd = await lacking(() => { WebAssembly.validate = () => false; });
  check(/lacks WebAssembly SIMD/.test(noSimd), 'without WebAssembly SIMD the page says so', noSimd);
  const noWorker = await lacking(() => { delete window.Worker; });
  check(/lacks Web Workers/.test(noWorker), 'without Web Workers the page says so', noWorker);
} finally {
  await browser.close();
  server.close();
}

console.log(`e2e: ${checks - failures} passed, ${failures} failed`);
process.exit(failures === 0 ? 0 : 1);
