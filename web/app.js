/*
 * app.js — the map page: the network (stops, lines) drawn from /v1/stops and /v1/lines; click → isochrones from
 * /v1/isochrone coloured by cutoff with a legend; shift-click → journeys from /v1/route, legs drawn and listed.
 * Its own base map is the streets the network was built with (/streets.geojson for the view, generalised by zoom),
 * so it stays usable offline; raster tiles from the URL in /v1/config, when reachable, lie beneath. Until the
 * network is drawn the page says "loading…" and keeps the first click, answering it once ready. Transit legs follow
 * their line's GTFS shape (or the stops they pass), walk legs the streets (/street-path.geojson). A server started with
 * scenarios offers them in a selector: the scenario's isochrones filled, the baseline's dashed over them. No text labels on the map: those need glyph files from a server, and the
 * page must not depend on one.
 * window.tongcheng.state exposes what the page shows (for the browser test).
 */
'use strict';

const state = { ready: false, origin: null, isochroneFeatures: 0, legend: [], journeys: 0, error: null, requests: 0,
                streetFeatures: 0, streetZoom: null, queuedClick: null, legPoints: [], walkPathsDrawn: false,
                scenario: 'baseline', baselineFeatures: 0 };
window.tongcheng = { state };

const EMPTY = { type: 'FeatureCollection', features: [] };
const PALETTE = ['#1a9850', '#66bd63', '#a6d96a', '#d9ef8b', '#fee08b', '#fdae61', '#f46d43', '#d73027',
                 '#a50026', '#7f0022', '#5e0019', '#40000f'];
const $ = (id) => document.getElementById(id);

function setStatus(text, isError) {
  $('status').textContent = text;
  $('status').classList.toggle('error', !!isError);
  if (isError) state.error = text;
}

/* An API answer, or an Error carrying the server's {"error":{message, param}}. */
async function api(url) {
  state.requests++;
  const res = await fetch(url);
  const body = await res.json().catch(() => null);
  if (!res.ok) {
    const e = body && body.error;
    throw new Error(e ? `${e.message}${e.param ? ` (${e.param})` : ''}` : `HTTP ${res.status}`);
  }
  return body;
}

function colorFor(index, count) {
  if (count <= 1) return PALETTE[0];
  return PALETTE[Math.round(index * (Math.min(count, PALETTE.length) - 1) / (count - 1))];
}

function cutoffList() {
  return $('cutoffs').value.split(',').map((s) => parseInt(s, 10)).filter((n) => n > 0);
}

function timeParams() {
  const start = $('time').value || '08:00';
  const end = $('window-end').value;
  const p = new URLSearchParams({ date: $('date').value });
  if (end) p.set('window', `${start}-${end}`);
  else p.set('time', start);
  return p;
}

function renderLegend(cutoffs) {
  const list = $('legend-items');
  list.replaceChildren();
  state.legend = [];
  cutoffs.forEach((c, i) => {
    const li = document.createElement('li');
    const sw = document.createElement('span');
    sw.className = 'swatch';
    sw.style.background = colorFor(i, cutoffs.length);
    li.append(sw, document.createTextNode(`≤ ${c} min`));
    li.dataset.cutoff = String(c);
    list.append(li);
    state.legend.push(c);
  });
  $('legend').hidden = cutoffs.length === 0;
}

let isochroneSeq = 0; /* only the latest request's answer is drawn, whatever order the answers arrive in */

async function loadIsochrones(map) {
  if (!state.origin) return;
  const seq = ++isochroneSeq;
  const cutoffs = cutoffList();
  const p = timeParams();
  p.set('from', `${state.origin[1].toFixed(6)},${state.origin[0].toFixed(6)}`);
  p.set('cutoffs', cutoffs.join(','));
  p.set('modes', $('modes').value);
  const scenario = $('scenario').value || 'baseline';
  setStatus('computing isochrones…');
  document.body.dataset.isochrones = 'loading';
  try {
    const t0 = performance.now();
    /* a scenario: its isochrones filled, the baseline's for the same query outlined beneath */
    const sp = new URLSearchParams(p);
    sp.set('scenario', scenario);
    const [fc, base] = await Promise.all([api(`/v1/isochrone?${scenario === 'baseline' ? p : sp}`),
                                          scenario === 'baseline' ? EMPTY : api(`/v1/isochrone?${p}`)]);
    if (seq !== isochroneSeq) return;
    /* largest cutoff first, so smaller (nearer) areas are drawn on top */
    const onePercentile = (c) => {
      const first = c.features.length ? c.features[0].properties.percentile : undefined;
      return c.features.filter((f) => f.properties.percentile === first)
        .sort((a, b) => b.properties.cutoff_min - a.properties.cutoff_min);
    };
    const features = onePercentile(fc);
    const baseline = onePercentile(base);
    map.getSource('baseline').setData({ type: 'FeatureCollection', features: baseline });
    state.baselineFeatures = baseline.length;
    state.scenario = scenario;
    $('legend-baseline').hidden = scenario === 'baseline';
    const colours = ['match', ['get', 'cutoff_min']];
    cutoffs.forEach((c, i) => colours.push(c, colorFor(i, cutoffs.length)));
    colours.push('#888888');
    map.setPaintProperty('isochrones', 'fill-color', colours);
    map.getSource('isochrones').setData({ type: 'FeatureCollection', features });
    state.isochroneFeatures = features.length;
    renderLegend(cutoffs);
    setStatus(`${features.length} isochrone${features.length === 1 ? '' : 's'}` +
              `${scenario === 'baseline' ? '' : ` (${scenario}; baseline dashed)`} in ${Math.round(performance.now() - t0)} ms`);
    document.body.dataset.isochrones = String(features.length);
  } catch (e) {
    if (seq !== isochroneSeq) return;
    state.isochroneFeatures = 0;
    state.baselineFeatures = 0;
    map.getSource('isochrones').setData(EMPTY);
    map.getSource('baseline').setData(EMPTY);
    setStatus(e.message, true);
    document.body.dataset.isochrones = 'error';
  }
}

function hhmm(iso) { return iso.slice(11, 16); }

function legLine(leg) {
  const li = document.createElement('li');
  if (leg.mode === 'transit') {
    li.textContent = `${hhmm(leg.departure)} ${leg.route_name || leg.route} ${leg.from.name} → ${leg.to.name} ${hhmm(leg.arrival)}`;
  } else {
    li.className = 'leg-walk';
    const min = Math.round((Date.parse(leg.arrival) - Date.parse(leg.departure)) / 60000);
    li.textContent = `${hhmm(leg.departure)} walk ${min} min to ${leg.to.name}`;
  }
  return li;
}

let networkLines = null; /* /v1/lines, kept to draw transit legs along their line */

/* A transit leg's path: the stretch of one of its route's lines (its GTFS shape, or its stops in order) between a
 * point near the boarding stop and a later point near the alighting stop (within ~200 m), the shortest such stretch
 * over the route's lines — a line that passes a stop twice (a loop) must not send the leg round the loop; a
 * straight line when no line of the route passes both stops in that order. */
function legPath(leg) {
  const straight = [[leg.from.lon, leg.from.lat], [leg.to.lon, leg.to.lat]];
  if (leg.mode !== 'transit' || !networkLines) return straight;
  const kx = Math.cos(leg.from.lat * Math.PI / 180);
  const dist = (a, b) => Math.hypot((a[0] - b[0]) * kx, a[1] - b[1]);
  const limit = 200 / 111320;
  const from = straight[0], to = straight[1];
  let best = null;
  for (const f of networkLines.features) {
    if (f.properties.route !== leg.route) continue;
    const cs = f.geometry.coordinates;
    const along = [0];
    for (let k = 1; k < cs.length; k++) along.push(along[k - 1] + dist(cs[k - 1], cs[k]));
    const near = (p) => cs.map((c, k) => k).filter((k) => dist(cs[k], p) <= limit);
    const js = near(to);
    for (const i of near(from))
      for (const j of js) {
        if (j <= i) continue;
        const cost = along[j] - along[i] + dist(cs[i], from) + dist(cs[j], to);
        if (!best || cost < best.cost) best = { cost, path: cs.slice(i, j + 1) };
      }
  }
  if (!best) return straight;
  /* from the stop itself, along the line, to the stop itself */
  return [from, ...best.path, to];
}

let journeySeq = 0; /* only the journey selected last is drawn */

/* Walk legs along the streets (/street-path.geojson), transit legs along their line; drawn at once with straight
 * walk legs, then again as the street paths arrive. */
async function drawJourney(map, journey) {
  const seq = ++journeySeq;
  const features = journey.legs.map((leg) => ({
    type: 'Feature',
    properties: { mode: leg.mode, name: leg.route_name || '' },
    geometry: { type: 'LineString', coordinates: legPath(leg) },
  }));
  const show = () => {
    state.legPoints = features.map((f) => f.geometry.coordinates.length);
    state.legPaths = features.map((f) => f.geometry.coordinates);
    map.getSource('route').setData({ type: 'FeatureCollection', features: features.slice() });
  };
  show();
  await Promise.all(journey.legs.map(async (leg, i) => {
    if (leg.mode !== 'walk') return;
    const p = new URLSearchParams({ from: `${leg.from.lat},${leg.from.lon}`, to: `${leg.to.lat},${leg.to.lon}` });
    try {
      const f = await api(`/street-path.geojson?${p}`);
      features[i] = { ...features[i], geometry: f.geometry };
    } catch (e) {
      console.warn(`walk leg ${i}: ${e.message}`); /* keep the straight line */
    }
  }));
  if (seq !== journeySeq) return;
  show();
  state.walkPathsDrawn = true;
}

async function loadRoute(map, dest) {
  if (!state.origin) { setStatus('click an origin first, then shift-click a destination'); return; }
  const p = new URLSearchParams({
    from: `${state.origin[1].toFixed(6)},${state.origin[0].toFixed(6)}`,
    to: `${dest[1].toFixed(6)},${dest[0].toFixed(6)}`,
    date: $('date').value, time: $('time').value || '08:00',
  });
  setPoint(map, 'destination', dest);
  setStatus('planning journeys…');
  document.body.dataset.journeys = 'loading';
  try {
    const doc = await api(`/v1/route?${p}`);
    const list = $('journey-list');
    list.replaceChildren();
    doc.journeys.forEach((j, i) => {
      const li = document.createElement('li');
      li.textContent = `${hhmm(j.departure)} → ${hhmm(j.arrival)}, ${Math.round(j.duration_s / 60)} min, ` +
        `${j.transfers} transfer${j.transfers === 1 ? '' : 's'}`;
      const legs = document.createElement('ul');
      j.legs.forEach((leg) => legs.append(legLine(leg)));
      li.append(legs);
      li.addEventListener('click', () => {
        list.querySelectorAll('li.selected').forEach((x) => x.classList.remove('selected'));
        li.classList.add('selected');
        state.walkPathsDrawn = false;
        drawJourney(map, j);
      });
      if (i === 0) li.classList.add('selected');
      list.append(li);
    });
    $('journeys').hidden = false;
    state.journeys = doc.journeys.length;
    state.walkPathsDrawn = false;
    if (doc.journeys.length) drawJourney(map, doc.journeys[0]);
    else map.getSource('route').setData(EMPTY);
    setStatus(doc.journeys.length ? `${doc.journeys.length} journey(s)` : 'no journey found');
    document.body.dataset.journeys = String(doc.journeys.length);
  } catch (e) {
    setStatus(e.message, true);
    document.body.dataset.journeys = 'error';
  }
}

function setPoint(map, kind, lngLat) {
  const src = map.getSource('points');
  const others = (src._data && src._data.features ? src._data.features : []).filter((f) => f.properties.kind !== kind);
  const keep = kind === 'origin' ? [] : others; /* a new origin clears the old destination */
  keep.push({ type: 'Feature', properties: { kind }, geometry: { type: 'Point', coordinates: lngLat } });
  src.setData({ type: 'FeatureCollection', features: keep });
}

/* The whole style, network layers included, is given at construction: MapLibre's 'load' event waits for every
 * base tile to arrive or fail, which without a tile server can take long, and the page must not wait for it. */
function mapStyle(config) {
  const sources = {
    streets: { type: 'geojson', data: EMPTY },
    isochrones: { type: 'geojson', data: EMPTY },
    baseline: { type: 'geojson', data: EMPTY },
    lines: { type: 'geojson', data: '/v1/lines' },
    stops: { type: 'geojson', data: '/v1/stops' },
    route: { type: 'geojson', data: EMPTY },
    points: { type: 'geojson', data: EMPTY },
  };
  const layers = [{ id: 'background', type: 'background', paint: { 'background-color': '#f2efe9' } }];
  if (config.tiles) {
    sources.base = { type: 'raster', tiles: [config.tiles], tileSize: 256, maxzoom: 19 };
    layers.push({ id: 'base', type: 'raster', source: 'base', paint: { 'raster-opacity': 0.8 } });
  }
  /* the page's own base map: streets by class, wider and lighter as they are faster */
  const width = (z10, z16) => ['interpolate', ['exponential', 1.6], ['zoom'], 10, z10, 16, z16];
  layers.push(
    { id: 'streets-path', type: 'line', source: 'streets', filter: ['==', ['get', 'class'], 'path'],
      paint: { 'line-color': '#b9b1a3', 'line-width': width(0.3, 1), 'line-dasharray': [2, 1.5] } },
    { id: 'streets-minor', type: 'line', source: 'streets', filter: ['==', ['get', 'class'], 'minor'],
      paint: { 'line-color': '#ffffff', 'line-width': width(0.4, 4) } },
    { id: 'streets-medium', type: 'line', source: 'streets', filter: ['==', ['get', 'class'], 'medium'],
      paint: { 'line-color': '#f1d488', 'line-width': width(0.8, 6) } },
    { id: 'streets-major', type: 'line', source: 'streets', filter: ['==', ['get', 'class'], 'major'],
      paint: { 'line-color': '#e3a94a', 'line-width': width(1.4, 8) } });
  layers.push(
    { id: 'isochrones', type: 'fill', source: 'isochrones', paint: { 'fill-color': PALETTE[0], 'fill-opacity': 0.45 } },
    { id: 'isochrone-edges', type: 'line', source: 'isochrones', paint: { 'line-color': '#3336', 'line-width': 0.8 } },
    { id: 'baseline-edges', type: 'line', source: 'baseline',
      paint: { 'line-color': '#222', 'line-width': 1.6, 'line-dasharray': [3, 2] } },
    { id: 'lines', type: 'line', source: 'lines',
      paint: { 'line-color': ['coalesce', ['get', 'color'], '#3b6ea5'], 'line-width': 1.2, 'line-opacity': 0.55 } },
    { id: 'stops', type: 'circle', source: 'stops',
      paint: { 'circle-radius': ['interpolate', ['linear'], ['zoom'], 10, 1.2, 15, 4],
               'circle-color': '#fff', 'circle-stroke-color': '#34495e', 'circle-stroke-width': 0.8 } },
    /* two route layers: line-dasharray cannot depend on a feature's properties */
    { id: 'route-walk', type: 'line', source: 'route', filter: ['==', ['get', 'mode'], 'walk'],
      paint: { 'line-color': '#222', 'line-width': 3, 'line-dasharray': [1, 1.2] } },
    { id: 'route-transit', type: 'line', source: 'route', filter: ['==', ['get', 'mode'], 'transit'],
      paint: { 'line-color': '#6a1b9a', 'line-width': 5 } },
    { id: 'points', type: 'circle', source: 'points',
      paint: { 'circle-radius': 7, 'circle-stroke-width': 2, 'circle-stroke-color': '#fff',
               'circle-color': ['match', ['get', 'kind'], 'origin', '#111', '#c0392b'] } });
  return { version: 8, sources, layers };
}

let streetSeq = 0; /* only the latest view's streets are drawn */

/* The streets of the current view, from the server, generalised for its zoom. */
async function loadStreets(map) {
  if (!map.getSource('streets')) { map.once('styledata', () => loadStreets(map)); return; }
  const seq = ++streetSeq;
  const b = map.getBounds();
  const zoom = Math.max(0, Math.min(22, Math.floor(map.getZoom())));
  const bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => v.toFixed(5)).join(',');
  try {
    const fc = await api(`/streets.geojson?bbox=${bbox}&zoom=${zoom}`);
    if (seq !== streetSeq) return;
    map.getSource('streets').setData(fc);
    state.streetFeatures = fc.features.length;
    state.streetZoom = zoom;
    document.body.dataset.streets = String(fc.features.length);
  } catch (e) {
    console.warn(`streets: ${e.message}`);
  }
}

/* A map click: an origin (isochrones) or, with shift, a destination (journeys). */
function handleClick(map, lngLat, shift) {
  const p = [lngLat.lng, lngLat.lat];
  if (shift) { loadRoute(map, p); return; }
  state.origin = p;
  setPoint(map, 'origin', p);
  map.getSource('route').setData(EMPTY);
  $('journeys').hidden = true;
  loadIsochrones(map);
}

async function main() {
  setStatus('loading…');
  document.body.dataset.ready = 'false';
  let config;
  try {
    config = await api('/v1/config');
  } catch (e) {
    setStatus(`cannot reach the server: ${e.message}`, true);
    return;
  }
  $('date').value = config.default_date;
  if (config.default_time) $('time').value = config.default_time;
  $('date').min = config.service_start;
  $('date').max = config.service_end;
  $('attribution').textContent = config.attribution || '';
  const scenarios = config.scenarios || ['baseline'];
  for (const name of scenarios) $('scenario').append(new Option(name, name));
  $('scenario-label').hidden = scenarios.length < 2;
  const b = config.bbox;
  const map = new maplibregl.Map({
    container: 'map', style: mapStyle(config), bounds: [[b[0], b[1]], [b[2], b[3]]],
    fitBoundsOptions: { padding: 20 }, boxZoom: false, attributionControl: false,
  });
  window.tongcheng.map = map;
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }));
  /* a missing tile server is expected offline: note it once, keep drawing the network */
  let tileErrorShown = false;
  map.on('error', (e) => {
    if (e.sourceId === 'base' || (e.source && e.source.type === 'raster')) {
      if (!tileErrorShown) console.warn('base tiles unavailable; drawing the network alone');
      tileErrorShown = true;
      return;
    }
    console.error(e.error || e);
  });
  map.on('click', (e) => {
    if (!state.ready) { /* keep the first click and answer it once the network is drawn */
      if (!state.queuedClick) state.queuedClick = { lngLat: e.lngLat, shift: e.originalEvent.shiftKey };
      setStatus('loading… (your click will be answered when the map is ready)');
      return;
    }
    handleClick(map, e.lngLat, e.originalEvent.shiftKey);
  });
  map.on('moveend', () => loadStreets(map));
  fetch('/v1/lines').then((r) => r.json()).then((fc) => { networkLines = fc; }).catch(() => {});
  for (const id of ['date', 'time', 'window-end', 'cutoffs', 'modes', 'scenario'])
    $(id).addEventListener('change', () => loadIsochrones(map));
  /* ready: the style is in and the stops and lines are drawn (not the base tiles, which may never come) */
  const markReady = () => {
    if (state.ready || !map.getSource('stops') || !map.isSourceLoaded('stops') || !map.isSourceLoaded('lines')) return;
    state.ready = true;
    document.body.dataset.ready = 'true';
    const q = state.queuedClick;
    state.queuedClick = null;
    if (q) handleClick(map, q.lngLat, q.shift);
    else setStatus('');
  };
  map.on('styledata', markReady);
  map.on('sourcedata', markReady);
  loadStreets(map);
  markReady();
}

main();
