#!/usr/bin/env node
/*
 * browser_test.js — the map page in Debian's chromium, headless, driven by playwright-core (from web/node_modules).
 *
 * usage: node browser_test.js BASE_URL SCREENSHOT.png
 *
 * Loads the page from a running `tongcheng serve` (started with --tiles pointing at a port where nothing listens,
 * so the page must cope with no tile server), checks the network's stops and lines are drawn, clicks an origin
 * next to a stop, waits for the isochrone layer, checks the legend (one entry per cutoff, each with its colour) and
 * that the rendered isochrone features are those the API returns for the same query, shift-clicks a destination and
 * checks the journeys listed are the API's; saves a screenshot. Every request that is not to 127.0.0.1 is refused
 * and counted: the page must load nothing from elsewhere except the (unreachable) tiles.
 */
'use strict';
const path = require('path');
const fs = require('fs');
const os = require('os');

const webDir = path.resolve(__dirname, '../../web');
let chromium;
try {
  ({ chromium } = require(path.join(webDir, 'node_modules', 'playwright-core')));
} catch (e) {
  console.log(`FAIL: playwright-core is not installed in ${webDir}/node_modules (npm ci --prefix web): ${e.message}`);
  process.exit(1);
}

const [base, shotPath] = process.argv.slice(2);
let failures = 0;
let checks = 0;
function check(cond, what) {
  checks++;
  if (!cond) {
    failures++;
    console.log(`FAIL: ${what}`);
  }
}

async function main() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'tc-chromium-'));
  /* a fresh profile: launchPersistentContext is how playwright passes --user-data-dir */
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
           '--disable-component-update', '--disable-sync', '--no-first-run',
           '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
  });
  const foreign = [];
  const pageErrors = [];
  try {
    await context.route('**/*', (route) => {
      const u = new URL(route.request().url());
      if (u.hostname === '127.0.0.1' || u.protocol === 'blob:' || u.protocol === 'data:') return route.continue();
      foreign.push(u.href);
      return route.abort();
    });
    const page = context.pages()[0] || await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error' && !/ERR_CONNECTION_REFUSED|tiles-absent/.test(m.text())) console.log(`page console: ${m.text()}`); });
    await page.goto(base + '/', { waitUntil: 'load' });
    await page.waitForFunction(() => window.tongcheng && window.tongcheng.state.ready, null, { timeout: 30000 });

    // the network drawn from the network itself
    await page.waitForFunction(() => {
      const m = window.tongcheng.map;
      return m.isSourceLoaded('stops') && m.isSourceLoaded('lines') && m.areTilesLoaded();
    }, null, { timeout: 30000 });
    const drawn = await page.evaluate(() => {
      const m = window.tongcheng.map;
      return { stops: m.queryRenderedFeatures({ layers: ['stops'] }).length,
               lines: m.queryRenderedFeatures({ layers: ['lines'] }).length,
               tilesLayer: !!m.getLayer('base') };
    });
    check(drawn.stops > 50, `stops drawn: ${drawn.stops}`);
    check(drawn.lines > 10, `lines drawn: ${drawn.lines}`);
    check(drawn.tilesLayer, 'the base tile layer is configured (and its server is absent)');

    // choose an origin: the stop nearest the median stop (the densest part of the network, inside the streets),
    // and a destination: the stop nearest 3 km east-south-east of it
    const stops = await (await page.request.get(base + '/v1/stops')).json();
    const coords = stops.features.map((f) => f.geometry.coordinates);
    const median = (a) => a.slice().sort((x, y) => x - y)[a.length >> 1];
    const nearest = (c) => coords.reduce((best, p) => {
      const d = (p[0] - c[0]) ** 2 + (p[1] - c[1]) ** 2;
      return !best || d < best.d ? { d, c: p } : best;
    }, null);
    const best = nearest([median(coords.map((p) => p[0])), median(coords.map((p) => p[1]))]);
    const destStop = nearest([best.c[0] + 0.028, best.c[1] - 0.01]).c;
    await page.evaluate((c) => window.tongcheng.map.jumpTo({ center: c, zoom: 12 }), best.c);
    await page.fill('#cutoffs', '10,20,30,40');
    await page.fill('#window-end', '');
    const point = await page.evaluate((c) => {
      const p = window.tongcheng.map.project(c);
      const r = window.tongcheng.map.getCanvas().getBoundingClientRect();
      return { x: r.left + p.x, y: r.top + p.y };
    }, best.c);
    await page.mouse.click(point.x, point.y);
    await page.waitForFunction(() => /^\d+$|^error$/.test(document.body.dataset.isochrones || ''), null, { timeout: 60000 });
    const iso = await page.evaluate(() => ({
      state: document.body.dataset.isochrones,
      count: window.tongcheng.state.isochroneFeatures,
      origin: window.tongcheng.state.origin,
      date: document.getElementById('date').value,
      time: document.getElementById('time').value,
      status: document.getElementById('status').textContent,
    }));
    check(iso.state !== 'error', `isochrones loaded: ${iso.status}`);
    // the same query through the API: the page shows what the server computes
    const q = new URLSearchParams({ from: `${iso.origin[1].toFixed(6)},${iso.origin[0].toFixed(6)}`, date: iso.date,
                                    time: iso.time, cutoffs: '10,20,30,40', modes: 'transit' });
    const api = await (await page.request.get(`${base}/v1/isochrone?${q}`)).json();
    check(iso.count === 4 && api.features.length === 4, `isochrone features: page ${iso.count}, API ${api.features.length}`);
    await page.waitForFunction(() => window.tongcheng.map.isSourceLoaded('isochrones') &&
                               window.tongcheng.map.areTilesLoaded(), null, { timeout: 30000 });
    // the layer is drawn once the map is idle with every cutoff's features in it (waited for, not assumed after a pause)
    const renderedCutoffs = () => {
      const fs = window.tongcheng.map.querySourceFeatures('isochrones');
      return [...new Set(fs.map((f) => f.properties.cutoff_min))].sort((a, b) => a - b);
    };
    await page.waitForFunction(() => window.tongcheng.map.loaded() && new Set(window.tongcheng.map
      .querySourceFeatures('isochrones').map((f) => f.properties.cutoff_min)).size >= 4, null, { timeout: 30000 })
      .catch(() => {}); // a timeout is reported by the check below, with what was drawn
    const rendered = await page.evaluate(renderedCutoffs);
    check(JSON.stringify(rendered) === '[10,20,30,40]', `isochrone layer holds cutoffs ${rendered}`);
    const legend = await page.$$eval('#legend-items li', (lis) => lis.map((li) => ({
      cutoff: li.dataset.cutoff, text: li.textContent, colour: getComputedStyle(li.querySelector('.swatch')).backgroundColor })));
    check(await page.isVisible('#legend'), 'the legend is shown');
    check(legend.map((l) => l.cutoff).join(',') === '10,20,30,40', `legend entries: ${JSON.stringify(legend)}`);
    check(new Set(legend.map((l) => l.colour)).size === 4, 'each legend entry has its own colour');
    check(legend.every((l) => /≤ \d+ min/.test(l.text)), 'legend labels read "≤ N min"');

    // shift-click a destination ~3 km east: journeys drawn and listed as the API gives them
    const dest = destStop;
    const dp = await page.evaluate((c) => {
      const p = window.tongcheng.map.project(c);
      const r = window.tongcheng.map.getCanvas().getBoundingClientRect();
      return { x: r.left + p.x, y: r.top + p.y };
    }, dest);
    await page.keyboard.down('Shift');
    await page.mouse.click(dp.x, dp.y);
    await page.keyboard.up('Shift');
    await page.waitForFunction(() => /^\d+$|^error$/.test(document.body.dataset.journeys || ''), null, { timeout: 60000 });
    const jstate = await page.evaluate(() => document.body.dataset.journeys);
    const listed = await page.$$eval('#journey-list > li', (lis) => lis.length);
    const dd = await page.evaluate(() => window.tongcheng.state);
    check(jstate !== 'error' && Number(jstate) === listed, `journeys listed: ${listed} (state ${jstate})`);
    const rq = new URLSearchParams({ from: `${iso.origin[1].toFixed(6)},${iso.origin[0].toFixed(6)}`,
                                     to: `${dest[1].toFixed(6)},${dest[0].toFixed(6)}`, date: iso.date, time: iso.time });
    const rapi = await (await page.request.get(`${base}/v1/route?${rq}`)).json();
    check(rapi.journeys && rapi.journeys.length === listed, `API journeys ${rapi.journeys && rapi.journeys.length} vs listed ${listed}`);
    if (listed > 0) {
      const legs = await page.evaluate(() => window.tongcheng.map.querySourceFeatures('route').length);
      check(legs >= rapi.journeys[0].legs.length, `route legs drawn: ${legs} of ${rapi.journeys[0].legs.length}`);
    }
    check(dd.error === null || dd.error === undefined, `page reported an error: ${dd.error}`);

    await page.screenshot({ path: shotPath });
    check(fs.statSync(shotPath).size > 10000, 'screenshot written');
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  check(pageErrors.length === 0, `no page errors: ${pageErrors.join('; ')}`);
  const notTiles = foreign.filter((u) => !u.includes('/tiles-absent/'));
  check(notTiles.length === 0, `requests outside 127.0.0.1: ${notTiles.slice(0, 3)}`);
  console.log(`${checks} checks, ${failures} failed; screenshot ${shotPath}`);
  process.exit(failures ? 1 : 0);
}

main().catch((e) => {
  console.log(`FAIL: ${e.stack || e}`);
  process.exit(1);
});
