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
 * Also: the page says "loading…" and, while /v1/stops is held back, keeps a click and answers it (isochrones)
 * once the network arrives; its own street base map is drawn with no tile server and follows the zoom; transit legs
 * are drawn along their line through the stops passed and walk legs along the streets, not as straight lines; the
 * scenario selector (the server has a scenario "buses-only") draws the scenario's isochrones filled and the
 * baseline's outlined, each the API's answer for that network.
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
    /* hold /v1/stops back until a click has been made: the page is then still loading, whatever the machine */
    let releaseStops;
    const stopsHeld = new Promise((resolve) => { releaseStops = resolve; });
    await context.route('**/v1/stops', async (route) => { await stopsHeld; return route.continue(); });
    const page = context.pages()[0] || await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error' && !/ERR_CONNECTION_REFUSED|tiles-absent/.test(m.text())) console.log(`page console: ${m.text()}`); });
    await page.goto(base + '/', { waitUntil: 'load' });
    check(/loading…/.test(await (await page.request.get(base + '/')).text()), 'the page says "loading…" from the start');
    await page.waitForFunction(() => window.tongcheng && window.tongcheng.map && window.tongcheng.map.loaded !== undefined,
                               null, { timeout: 30000 });
    const early = await page.evaluate(() => ({ ready: window.tongcheng.state.ready,
                                               status: document.getElementById('status').textContent }));
    check(!early.ready && /loading/.test(early.status), `before the network arrives: ${JSON.stringify(early)}`);
    const box = await page.locator('#map canvas').boundingBox();
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await page.waitForFunction(() => window.tongcheng.state.queuedClick !== null, null, { timeout: 30000 });
    const queued = await page.evaluate(() => ({ status: document.getElementById('status').textContent,
                                                iso: document.body.dataset.isochrones || null }));
    check(/answered when the map is ready/.test(queued.status) && queued.iso === null,
          `a click while loading is kept, not dropped: ${JSON.stringify(queued)}`);
    releaseStops();
    await page.waitForFunction(() => window.tongcheng && window.tongcheng.state.ready, null, { timeout: 30000 });
    await page.waitForFunction(() => /^\d+$|^error$/.test(document.body.dataset.isochrones || ''), null, { timeout: 60000 });
    const answered = await page.evaluate(() => ({ iso: document.body.dataset.isochrones,
                                                  origin: window.tongcheng.state.origin }));
    check(answered.origin !== null && answered.iso !== 'error', `the queued click was answered: ${JSON.stringify(answered)}`);

    // the page's own base map: streets of the view from the server, with no tile server reachable
    await page.waitForFunction(() => window.tongcheng.state.streetFeatures > 0, null, { timeout: 30000 });

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
    await page.evaluate((c) => window.tongcheng.map.jumpTo({ center: c, zoom: 15 }), best.c);
    await page.waitForFunction(() => window.tongcheng.state.streetZoom === 15, null, { timeout: 30000 });
    await page.waitForFunction(() => window.tongcheng.map.isSourceLoaded('streets') && window.tongcheng.map.areTilesLoaded(),
                               null, { timeout: 30000 });
    const z15 = await page.evaluate(() => {
      const m = window.tongcheng.map;
      const n = (l) => m.queryRenderedFeatures({ layers: [l] }).length;
      return { minor: n('streets-minor'), path: n('streets-path'), features: window.tongcheng.state.streetFeatures };
    });
    check(z15.minor > 20, `streets drawn at zoom 15 without tiles: ${JSON.stringify(z15)}`);
    const zoomedOut = await (await page.request.get(`${base}/streets.geojson?bbox=${best.c[0] - 0.1},${best.c[1] - 0.1},` +
                                                    `${best.c[0] + 0.1},${best.c[1] + 0.1}&zoom=10`)).json();
    check(zoomedOut.features.length > 0 && zoomedOut.features.every((f) => f.properties.class === 'major'),
          `zoom 10 keeps only the major roads (${zoomedOut.features.length} features)`);
    await page.evaluate((c) => window.tongcheng.map.jumpTo({ center: c, zoom: 12 }), best.c);
    await page.waitForFunction(() => window.tongcheng.state.streetZoom === 12, null, { timeout: 30000 });
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
      await page.waitForFunction(() => window.tongcheng.state.walkPathsDrawn, null, { timeout: 30000 });
      const points = await page.evaluate(() => window.tongcheng.state.legPoints);
      const walks = rapi.journeys[0].legs.map((l, i) => (l.mode === 'walk' ? points[i] : null)).filter((n) => n !== null);
      if (walks.length)
        check(walks.some((n) => n > 2), `walk legs follow the streets: ${points}`);
      const transit = rapi.journeys[0].legs.map((l, i) => (l.mode === 'transit' ? points[i] : null)).filter((n) => n !== null);
      if (transit.length)
        check(transit.some((n) => n > 2), `transit legs follow their line through the stops passed: ${points}`);
      // a leg along its line is never a detour round the line's loop: at most 3x the straight distance + 500 m
      const paths = await page.evaluate(() => window.tongcheng.state.legPaths);
      const km = (a, b) => Math.hypot((a[0] - b[0]) * 111.32 * Math.cos(a[1] * Math.PI / 180), (a[1] - b[1]) * 111.32);
      rapi.journeys[0].legs.forEach((l, i) => {
        if (l.mode !== 'transit') return;
        const p = paths[i];
        const along = p.slice(1).reduce((s, c, k) => s + km(p[k], c), 0);
        const direct = km([l.from.lon, l.from.lat], [l.to.lon, l.to.lat]);
        check(along <= 3 * direct + 0.5, `transit leg ${i} drawn ${along.toFixed(2)} km for ${direct.toFixed(2)} km direct`);
      });
    }
    check(dd.error === null || dd.error === undefined, `page reported an error: ${dd.error}`);

    // the scenario selector: the scenario's isochrones filled, the baseline's outlined, each as the API gives them
    const options = await page.$$eval('#scenario option', (os) => os.map((o) => o.value));
    check(JSON.stringify(options) === '["baseline","buses-only"]' && await page.isVisible('#scenario'),
          `scenario selector offers ${options}`);
    await page.selectOption('#scenario', 'buses-only');
    await page.waitForFunction(() => window.tongcheng.state.scenario === 'buses-only' &&
                               /^\d+$|^error$/.test(document.body.dataset.isochrones || ''), null, { timeout: 60000 });
    await page.waitForFunction(() => window.tongcheng.map.isSourceLoaded('isochrones') &&
                               window.tongcheng.map.isSourceLoaded('baseline'), null, { timeout: 30000 });
    const cmp = await page.evaluate(() => {
      const m = window.tongcheng.map;
      const areas = (src) => [...new Map(m.querySourceFeatures(src).map((f) => [f.properties.cutoff_min,
                                                                              f.properties.area_km2])).entries()]
        .sort((a, b) => a[0] - b[0]).map((e) => e[1]);
      return { scenario: areas('isochrones'), baseline: areas('baseline'), state: document.body.dataset.isochrones,
               legend: !document.getElementById('legend-baseline').hidden };
    });
    const sq = new URLSearchParams(q);
    sq.set('scenario', 'buses-only');
    const sapi = await (await page.request.get(`${base}/v1/isochrone?${sq}`)).json();
    const apiAreas = (fc) => fc.features.sort((a, b) => a.properties.cutoff_min - b.properties.cutoff_min)
      .map((f) => f.properties.area_km2);
    check(JSON.stringify(cmp.scenario) === JSON.stringify(apiAreas(sapi)),
          `scenario isochrones drawn ${cmp.scenario} = API ${apiAreas(sapi)}`);
    check(JSON.stringify(cmp.baseline) === JSON.stringify(apiAreas(api)),
          `baseline outlines drawn ${cmp.baseline} = API ${apiAreas(api)}`);
    check(cmp.legend, 'the legend explains the dashed baseline');

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
