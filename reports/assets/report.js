/* report.js: the script of wsspec's HTML report (reports/render/html.c pastes
 * it into the page; cmake/embed_asset.cmake embeds it into the binary and
 * fails the build on anything that could end the <script> element or fetch
 * from the network). It parses <script id="report-data">, renders the verdict
 * tiles, the group x verdict table, the duration charts (inline SVG), the
 * filters and the case list; a case's details (events, close, handshake, hex
 * wire log with the frame headers each record carries) are built on first
 * expand, the wire log 256 lines at a time. Data reaches the DOM only through
 * textContent or setAttribute, never innerHTML. */
(function () {
  'use strict';
  var VERDICTS = ['pass', 'non-strict', 'informational', 'unimplemented', 'fail', 'error', 'not-run'];
  var TITLES = {'pass': 'Pass', 'non-strict': 'Non-strict', 'informational': 'Informational',
    'unimplemented': 'Unimplemented', 'fail': 'Fail', 'error': 'Error', 'not-run': 'Not run'};
  var COLORS = {'pass': '#1a7f37', 'non-strict': '#9a6700', 'informational': '#0969da',
    'unimplemented': '#8250df', 'fail': '#cf222e', 'error': '#bc4c00', 'not-run': '#6e7781'};
  var OPCODES = {0: 'continuation', 1: 'text', 2: 'binary', 8: 'close', 9: 'ping', 10: 'pong'};
  var WIRE_LINES = 256;  /* hex dump lines built per "show more" */
  var TOP_SLOWEST = 30;

  var app = document.getElementById('app');

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function add(parent, tag, cls, text) { return parent.appendChild(el(tag, cls, text)); }
  function svg(tag, attrs, text) {
    var e = document.createElementNS('http://www.w3.org/2000/svg', tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = String(text);
    return e;
  }
  /* A saved report may have been edited by hand: every list is read through these. */
  function arr(v) { return Array.isArray(v) ? v : []; }
  function objects(v) { return arr(v).filter(function (x) { return x !== null && typeof x === 'object'; }); }
  function str(v) { return v === null || v === undefined ? '' : String(v); }
  function num(v) { return typeof v === 'number' && isFinite(v) ? v : null; }
  function fmtDur(s) {
    s = num(s);
    if (s === null) return '';
    if (s < 0.01) return (s * 1000).toFixed(2) + ' ms';
    if (s < 1) return (s * 1000).toFixed(1) + ' ms';
    return s.toFixed(2) + ' s';
  }
  function fmtMs(t) { t = num(t); return t === null ? '' : t.toFixed(t < 100 ? 2 : 1); }
  function badge(v) { return el('span', 'badge v-' + v, TITLES[v] || v); }

  var data;
  try {
    data = JSON.parse(document.getElementById('report-data').textContent);
  } catch (e) {
    add(app, 'p', 'error-box', 'The embedded report could not be read: ' + e.message);
    return;
  }
  var cases = objects(data && data.cases);
  var items = cases.map(function (c, i) {
    var v = VERDICTS.indexOf(c.verdict) >= 0 ? c.verdict : 'error';
    var group = str(c.group) || str(c.id).split('.')[0] || '(none)';
    var hay = [c.id, c.title, c.autobahn, group, v].concat(arr(c.rfc), arr(c.tags))
      .map(str).join('\n').toLowerCase();
    return {c: c, i: i, v: v, group: group, hay: hay, row: null, det: null, open: false};
  });
  var counts = {};
  VERDICTS.forEach(function (v) { counts[v] = 0; });
  var groups = [], byGroup = {};
  items.forEach(function (it) {
    counts[it.v]++;
    if (!byGroup[it.group]) {
      byGroup[it.group] = {};
      VERDICTS.forEach(function (v) { byGroup[it.group][v] = 0; });
      groups.push(it.group);
    }
    byGroup[it.group][it.v]++;
  });
  var usedVerdicts = VERDICTS.filter(function (v) { return counts[v] > 0; });
  var state = {verdicts: {}, group: '', query: '', regressions: false};
  VERDICTS.forEach(function (v) { state.verdicts[v] = true; });
  var ui = {};

  /* ---- summary tiles and the group x verdict table ---- */
  function renderTiles() {
    var box = add(app, 'section', 'tiles');
    box.id = 'tiles';
    VERDICTS.forEach(function (v) {
      if (!counts[v] && (v === 'not-run' || v === 'error' || v === 'unimplemented')) return;
      var t = add(box, 'button', 'tile v-' + v + (counts[v] ? '' : ' zero'));
      t.type = 'button';
      t.dataset.verdict = v;
      t.title = 'Show only ' + TITLES[v].toLowerCase() + ' cases (click again for all)';
      add(t, 'span', 'n', counts[v]);
      add(t, 'span', 'l', TITLES[v]);
      t.addEventListener('click', function () { onlyVerdict(v); });
    });
    var t = add(box, 'button', 'tile');
    t.type = 'button';
    t.style.setProperty('--c', '#24292f');
    t.title = 'Show every case';
    add(t, 'span', 'n', items.length);
    add(t, 'span', 'l', 'Total cases');
    t.addEventListener('click', function () { resetFilters(); });
  }

  function renderBaseline() {
    var b = data.baseline;
    if (!b || typeof b !== 'object') return;
    var p = add(app, 'section', 'panel baseline-note');
    add(p, 'h2', null, 'Baseline');
    var line = add(p, 'p');
    line.appendChild(document.createTextNode('Compared with '));
    add(line, 'code', null, str(b.file));
    line.appendChild(document.createTextNode(': ' + arr(b.regressions).length + ' regressions, ' +
      arr(b.fixes).length + ' fixed, ' + arr(b.known).length + ' known failures.'));
  }

  function renderGroups(parent) {
    var p = add(parent, 'section', 'panel');
    add(p, 'h2', null, 'Summary by group');
    var table = add(p, 'table', 'grid groups');
    table.id = 'group-summary';
    var hr = add(add(table, 'thead'), 'tr');
    add(hr, 'th', null, 'Group');
    usedVerdicts.forEach(function (v) { add(hr, 'th', 'num', TITLES[v]); });
    add(hr, 'th', 'num', 'Total');
    var body = add(table, 'tbody');
    function row(name, cells, total, isTotal) {
      var tr = add(body, 'tr', isTotal ? 'total' : null);
      var th = add(tr, 'td');
      if (isTotal) {
        th.textContent = name;
      } else {
        var a = add(th, 'a', 'group', name);
        a.href = '#filters';
        a.title = 'Show only this group';
        a.addEventListener('click', function (ev) { ev.preventDefault(); setGroup(name); });
      }
      usedVerdicts.forEach(function (v) {
        var n = cells[v] || 0;
        var td = add(tr, 'td', 'cell v-' + v + (n ? ' has' : ' nil'), n ? n : '\u00b7');
        td.dataset.verdict = v;
      });
      add(tr, 'td', 'num', total);
    }
    groups.forEach(function (g) {
      var total = 0;
      usedVerdicts.forEach(function (v) { total += byGroup[g][v]; });
      row(g, byGroup[g], total, false);
    });
    row('All groups', counts, items.length, true);
    renderSections(p);
  }

  /* The RFC sections the failing cases cite, most cited first. */
  function renderSections(p) {
    var bySection = {}, order = [];
    items.forEach(function (it) {
      if (it.v !== 'fail' && it.v !== 'error') return;
      arr(it.c.rfc).forEach(function (r) {
        r = str(r);
        if (!bySection[r]) { bySection[r] = {fail: 0, error: 0}; order.push(r); }
        bySection[r][it.v]++;
      });
    });
    if (!order.length) return;
    order.sort(function (a, b) {
      var d = bySection[b].fail + bySection[b].error - bySection[a].fail - bySection[a].error;
      return d || (a < b ? -1 : a > b ? 1 : 0);
    });
    add(p, 'h3', null, 'RFC sections of the failing cases');
    var table = add(p, 'table', 'grid groups');
    table.id = 'section-summary';
    var hr = add(add(table, 'thead'), 'tr');
    add(hr, 'th', null, 'Section');
    add(hr, 'th', null, 'RFC text');
    var kinds = counts.error ? ['fail', 'error'] : ['fail'];
    kinds.forEach(function (v) { add(hr, 'th', 'num', TITLES[v]); });
    var body = add(table, 'tbody');
    order.slice(0, 12).forEach(function (r) {
      var tr = add(body, 'tr');
      var a = add(add(tr, 'td'), 'a', 'group', r);
      a.href = '#filters';
      a.title = 'Show the cases citing this section';
      a.addEventListener('click', function (ev) {
        ev.preventDefault();
        resetFilters();
        ui.query.value = r;
        state.query = r;
        apply();
        ui.filters.scrollIntoView({block: 'start'});
      });
      add(tr, 'td').appendChild(rfcLink(r));
      kinds.forEach(function (v) {
        var n = bySection[r][v];
        add(tr, 'td', 'cell v-' + v + (n ? ' has' : ' nil'), n ? n : '\u00b7');
      });
    });
    if (order.length > 12) add(p, 'p', 'facts', (order.length - 12) + ' more sections.');
  }

  /* ---- duration charts ---- */
  function renderDurations(parent) {
    var p = add(parent, 'section', 'panel');
    p.id = 'durations';
    add(p, 'h2', null, 'Case durations');
    var timed = items.filter(function (it) { return it.c.ran !== false && num(it.c.duration_s) !== null; });
    if (!timed.length) { add(p, 'p', 'empty', 'No case ran.'); return; }
    var sorted = timed.slice().sort(function (a, b) { return b.c.duration_s - a.c.duration_s; });
    var asc = sorted.map(function (it) { return it.c.duration_s; }).reverse();
    function pct(q) { return asc[Math.min(asc.length - 1, Math.floor(q * asc.length))]; }
    var sum = asc.reduce(function (a, b) { return a + b; }, 0);
    add(p, 'p', 'facts', timed.length + ' cases: median ' + fmtDur(pct(0.5)) + ', 95th percentile ' +
      fmtDur(pct(0.95)) + ', slowest ' + fmtDur(asc[asc.length - 1]) + ', sum ' + fmtDur(sum) + '.');
    add(p, 'h3', null, 'Distribution (cases per duration bucket)');
    p.appendChild(histogram(timed));
    add(p, 'h3', null, 'The ' + Math.min(TOP_SLOWEST, sorted.length) + ' slowest cases');
    p.appendChild(slowest(sorted.slice(0, TOP_SLOWEST)));
    var legend = add(p, 'div', 'legend');
    usedVerdicts.forEach(function (v) {
      var s = add(legend, 'span', 'v-' + v);
      add(s, 'i');
      s.appendChild(document.createTextNode(TITLES[v]));
    });
  }

  function slowest(top) {
    var W = 640, rowH = 17, labelW = 250, barW = W - labelW - 70;
    var max = top.length ? top[0].c.duration_s || 1e-9 : 1;
    var s = svg('svg', {'class': 'chart', viewBox: '0 0 ' + W + ' ' + (top.length * rowH + 4), role: 'img'});
    s.id = 'chart-slowest';
    s.appendChild(svg('title', {}, 'The slowest cases, longest first'));
    top.forEach(function (it, k) {
      var y = k * rowH + 2, w = Math.max(1, barW * it.c.duration_s / max);
      var g = svg('g', {'class': 'bar'});
      g.appendChild(svg('title', {}, it.c.id + ' (' + TITLES[it.v] + '): ' + fmtDur(it.c.duration_s)));
      var id = str(it.c.id);
      g.appendChild(svg('text', {'class': 'lab', x: labelW - 6, y: y + 12, 'text-anchor': 'end'},
        id.length > 35 ? id.slice(0, 34) + '\u2026' : id));
      g.appendChild(svg('rect', {x: labelW, y: y + 2, width: w, height: rowH - 5, rx: 2, fill: COLORS[it.v]}));
      g.appendChild(svg('text', {x: labelW + w + 5, y: y + 12}, fmtDur(it.c.duration_s)));
      g.addEventListener('click', function () { reveal(it); });
      s.appendChild(g);
    });
    return s;
  }

  function histogram(timed) {
    var edges = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50];  /* s */
    function lab(x) { return x < 1 ? Math.round(x * 1000) + ' ms' : x + ' s'; }
    var bins = [];
    for (var b = 0; b <= edges.length; b++) {
      var c = {};
      VERDICTS.forEach(function (v) { c[v] = 0; });
      bins.push({lo: b ? edges[b - 1] : 0, hi: b < edges.length ? edges[b] : null, counts: c, total: 0});
    }
    timed.forEach(function (it) {
      var d = it.c.duration_s, k = 0;
      while (k < edges.length && d >= edges[k]) k++;
      bins[k].counts[it.v]++;
      bins[k].total++;
    });
    var first = 0, last = bins.length - 1;
    while (first < last && !bins[first].total) first++;
    while (last > first && !bins[last].total) last--;
    bins = bins.slice(first, last + 1);
    var W = 640, H = 150, padL = 34, padB = 22, bw = (W - padL - 10) / bins.length;
    var max = Math.max.apply(null, bins.map(function (x) { return x.total; }).concat([1]));
    var s = svg('svg', {'class': 'chart', viewBox: '0 0 ' + W + ' ' + (H + padB), role: 'img'});
    s.id = 'chart-histogram';
    s.appendChild(svg('title', {}, 'Number of cases per duration bucket'));
    s.appendChild(svg('line', {'class': 'axis', x1: padL, y1: H, x2: W - 10, y2: H}));
    s.appendChild(svg('text', {x: padL - 6, y: 18, 'text-anchor': 'end'}, max));
    s.appendChild(svg('text', {x: padL - 6, y: H, 'text-anchor': 'end'}, 0));
    bins.forEach(function (bin, k) {
      var x = padL + k * bw + 2, y = H, range = bin.hi === null ? '\u2265 ' + lab(bin.lo) :
        bin.lo ? lab(bin.lo) + ' \u2013 ' + lab(bin.hi) : '< ' + lab(bin.hi);
      var g = svg('g');
      g.appendChild(svg('title', {}, range + ': ' + bin.total + ' cases'));
      VERDICTS.forEach(function (v) {
        if (!bin.counts[v]) return;
        var h = Math.max(1, (H - 18) * bin.counts[v] / max);
        y -= h;
        g.appendChild(svg('rect', {x: x, y: y, width: bw - 4, height: h, fill: COLORS[v]}));
      });
      if (bin.total) g.appendChild(svg('text', {x: x + (bw - 4) / 2, y: y - 3, 'text-anchor': 'middle'}, bin.total));
      s.appendChild(g);
      /* Every boundary when there is room, else the powers of ten only. */
      var decade = !bin.lo || Math.abs(Math.log10(bin.lo) - Math.round(Math.log10(bin.lo))) < 1e-9;
      if (bw >= 44 || decade || !k)
        s.appendChild(svg('text', {x: padL + k * bw, y: H + 14, 'text-anchor': k ? 'middle' : 'start'},
          bin.lo ? lab(bin.lo) : '0'));
    });
    var tail = bins[bins.length - 1];
    if (tail.hi !== null)
      s.appendChild(svg('text', {x: W - 10, y: H + 14, 'text-anchor': 'end'}, lab(tail.hi)));
    return s;
  }

  /* ---- filters ---- */
  function renderFilters() {
    var f = add(app, 'section', 'filters');
    f.id = 'filters';
    usedVerdicts.forEach(function (v) {
      var l = add(f, 'label', 'vf');
      var cb = add(l, 'input');
      cb.type = 'checkbox';
      cb.checked = true;
      cb.id = 'f-' + v;
      cb.dataset.verdict = v;
      cb.addEventListener('change', function () { state.verdicts[v] = cb.checked; apply(); });
      l.appendChild(badge(v));
      add(l, 'span', 'count', counts[v]);
      ui['cb-' + v] = cb;
    });
    var sel = add(f, 'select');
    sel.id = 'f-group';
    sel.title = 'Group';
    add(sel, 'option', null, 'All groups').value = '';
    groups.forEach(function (g) { add(sel, 'option', null, g + ' (' + items.filter(function (it) {
      return it.group === g; }).length + ')').value = g; });
    sel.addEventListener('change', function () { state.group = sel.value; apply(); });
    ui.group = sel;
    if (data.baseline) {
      var l = add(f, 'label', 'vf');
      var cb = add(l, 'input');
      cb.type = 'checkbox';
      cb.id = 'f-regressions';
      cb.addEventListener('change', function () { state.regressions = cb.checked; apply(); });
      l.appendChild(document.createTextNode('regressions only'));
      ui.regressions = cb;
    }
    var q = add(f, 'input');
    q.type = 'search';
    q.id = 'search';
    q.placeholder = 'Search id, title, RFC section (6455:5.5), Autobahn id, tag\u2026';
    q.addEventListener('input', function () { state.query = q.value; apply(); });
    ui.query = q;
    var fo = add(f, 'button', null, 'Failures only');
    fo.type = 'button';
    fo.addEventListener('click', function () {
      VERDICTS.forEach(function (v) { setVerdict(v, v === 'fail' || v === 'error' || v === 'not-run'); });
      apply();
    });
    var reset = add(f, 'button', null, 'Reset');
    reset.type = 'button';
    reset.addEventListener('click', resetFilters);
    ui.shown = add(f, 'span', 'shown');
    ui.shown.id = 'shown';
  }

  function setVerdict(v, on) {
    state.verdicts[v] = on;
    if (ui['cb-' + v]) ui['cb-' + v].checked = on;
  }
  function onlyVerdict(v) {
    var already = VERDICTS.every(function (w) { return state.verdicts[w] === (w === v); });
    VERDICTS.forEach(function (w) { setVerdict(w, already || w === v); });
    apply();
    ui.filters.scrollIntoView({block: 'start'});
  }
  function setGroup(g) {
    state.group = g;
    ui.group.value = g;
    apply();
    ui.filters.scrollIntoView({block: 'start'});
  }
  function resetFilters() {
    VERDICTS.forEach(function (v) { setVerdict(v, true); });
    state.group = ''; ui.group.value = '';
    state.query = ''; ui.query.value = '';
    state.regressions = false;
    if (ui.regressions) ui.regressions.checked = false;
    apply();
  }
  function matches(it) {
    if (!state.verdicts[it.v]) return false;
    if (state.group && it.group !== state.group) return false;
    if (state.regressions && it.c.baseline !== 'regression') return false;
    var words = state.query.toLowerCase().split(/\s+/).filter(Boolean);
    return words.every(function (w) { return it.hay.indexOf(w) >= 0; });
  }
  function apply() {
    var shown = 0;
    items.forEach(function (it) {
      var ok = matches(it);
      if (ok) shown++;
      it.row.hidden = !ok;
      if (it.det) it.det.hidden = !ok || !it.open;
    });
    ui.shown.textContent = 'Showing ' + shown + ' of ' + items.length + ' cases';
    ui.empty.hidden = shown > 0;
  }

  /* ---- the case list ---- */
  function renderCases() {
    var table = add(app, 'table', 'cases');
    table.id = 'cases';
    var hr = add(add(table, 'thead'), 'tr');
    ['Verdict', 'Case', 'Autobahn', 'Title', 'RFC', 'Duration'].forEach(function (h) { add(hr, 'th', null, h); });
    var body = add(table, 'tbody');
    var frag = document.createDocumentFragment();
    items.forEach(function (it) {
      var c = it.c, tr = el('tr', 'case');
      tr.id = 'case-' + str(c.id);
      tr.tabIndex = 0;
      tr.dataset.verdict = it.v;
      tr.setAttribute('aria-expanded', 'false');
      add(tr, 'td').appendChild(badge(it.v));
      var id = add(tr, 'td', 'id', c.id);
      if (c.baseline) add(id, 'span', 'mark ' + c.baseline, c.baseline);
      if (c.degraded) add(id, 'span', 'mark degraded', 'degraded');
      if (c.flaky) add(id, 'span', 'mark flaky', 'flaky');
      if (c.accepted) add(id, 'span', 'mark accepted', 'accepted');
      add(tr, 'td', 'ab', c.autobahn || '');
      add(tr, 'td', 'title', c.title);
      add(tr, 'td', 'rfcs', arr(c.rfc).map(function (r) { return str(r).replace(/^6455:/, ''); }).join(' '));
      add(tr, 'td', 'dur', c.ran === false ? '' : fmtDur(c.duration_s));
      tr.addEventListener('click', function () { toggle(it); });
      tr.addEventListener('keydown', function (ev) {
        if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); toggle(it); }
      });
      it.row = tr;
      frag.appendChild(tr);
    });
    body.appendChild(frag);
    ui.empty = add(app, 'p', 'empty', 'No case matches the filters.');
  }

  function toggle(it, open) {
    it.open = open === undefined ? !it.open : open;
    if (it.open && !it.det) {
      it.det = el('tr', 'details');
      var td = add(it.det, 'td');
      td.colSpan = 6;
      renderDetails(td, it.c);
      it.row.parentNode.insertBefore(it.det, it.row.nextSibling);
    }
    it.row.classList.toggle('open', it.open);
    it.row.setAttribute('aria-expanded', String(it.open));
    if (it.det) it.det.hidden = !it.open || it.row.hidden;
  }

  function reveal(it) {
    if (!matches(it)) resetFilters();
    toggle(it, true);
    it.row.scrollIntoView({block: 'start'});
  }

  function rfcLink(ref) {
    var m = /^(\d+):([0-9A-Za-z.\-]+)$/.exec(str(ref));
    var a = el('a', 'rfc', m ? 'RFC ' + m[1] + ' \u00a7' + m[2] : str(ref));
    if (m) {
      a.href = 'https://www.rfc-editor.org/rfc/rfc' + m[1] + '#section-' + m[2];
      a.target = '_blank';
      a.rel = 'noopener noreferrer';
    }
    return a;
  }

  function fact(parent, label, value) {
    if (value === null || value === undefined || value === '') return;
    var s = add(parent, 'span', null, label + ' ');
    add(s, 'code', null, value);
  }

  function renderDetails(td, c) {
    var facts = add(td, 'div', 'facts');
    fact(facts, 'file', c.file ? c.file + (c.line ? ':' + c.line : '') : null);
    fact(facts, 'tags', arr(c.tags).join(', '));
    fact(facts, 'started', c.started);
    fact(facts, 'outcome', c.outcome === null || c.outcome === undefined ? null : '#' + c.outcome);
    fact(facts, 'seed', data.options && data.options.seed);
    var perm = add(facts, 'a', null, 'link to this case');
    perm.href = '#case-' + encodeURIComponent(str(c.id));
    add(td, 'h3', null, 'Requirement');
    var refs = add(td, 'div');
    arr(c.rfc).forEach(function (r) { refs.appendChild(rfcLink(r)); });
    if (c.requirement) add(td, 'blockquote', 'req', c.requirement);
    if (c.description) add(td, 'p', 'desc', c.description);
    if (c.reason || c.error) {
      add(td, 'h3', null, 'Verdict');
      if (c.error) add(td, 'div', 'error-box', c.error);
      if (c.reason) add(td, 'p', 'reason', c.reason);
    }
    if (c.accepted) {
      add(td, 'h3', null, 'Accepted by the policy');
      add(td, 'p', 'reason', str(c.accepted.verdict) + ': ' + str(c.accepted.reason) +
          (c.accepted.entry ? ' (' + str(c.accepted.entry) + ')' : '') +
          (c.accepted.expires ? ', until ' + str(c.accepted.expires) : ''));
    }
    if (arr(c.attempts).length) {
      add(td, 'h3', null, c.flaky ? 'Attempts (flaky: the verdicts differ)' : 'Attempts');
      var ol = add(td, 'ol', 'attempts');
      arr(c.attempts).forEach(function (a) {
        add(ol, 'li', null, str(a.verdict) + ' in ' + fmtDur(a.duration_s) +
            (a.retried ? ' (rerun after a timeout)' : '') + (a.reason ? ': ' + str(a.reason) : ''));
      });
    }
    if (c.expected || c.actual) {
      var cmp = add(td, 'div', 'cmp');
      var e = add(cmp, 'div', 'exp');
      add(e, 'h4', null, 'Expected (any of)');
      add(e, 'pre', null, c.expected || '\u2013');
      var a = add(cmp, 'div', 'act');
      add(a, 'h4', null, 'Actual');
      add(a, 'pre', null, c.actual || '\u2013');
    }
    if (c.ran === false) { add(td, 'p', 'facts', 'This case did not run.'); return; }
    renderEvents(td, c);
    renderClose(td, c.close);
    renderHandshake(td, c.handshake);
    renderWire(td, c);
  }

  function bytesOf(hex) {
    var b = new Uint8Array(hex.length >> 1);
    for (var i = 0; i < b.length; i++) b[i] = parseInt(hex.substr(2 * i, 2), 16);
    return b;
  }
  /* A payload's first octets: as a quoted string when they are text, else hex. */
  function preview(hex, isText, length) {
    var cut = num(length) !== null && length > hex.length / 2;
    if (isText && typeof TextDecoder === 'function') {
      try {
        var t = new TextDecoder('utf-8', {fatal: !cut}).decode(bytesOf(hex));
        return JSON.stringify(t.length > 40 ? t.slice(0, 40) : t) + (cut || t.length > 40 ? '\u2026' : '');
      } catch (e) { /* not UTF-8: hex below */ }
    }
    return '[' + (hex.length > 48 ? hex.slice(0, 48) + '\u2026' : hex) + (cut && hex.length <= 48 ? '\u2026' : '') + ']';
  }

  function eventDetail(ev) {
    var parts = [];
    if (ev.opcode !== null && ev.opcode !== undefined && (ev.kind === 'message' || ev.kind === 'violation'))
      parts.push(OPCODES[ev.opcode] || 'opcode ' + ev.opcode);
    if (num(ev.length) !== null) parts.push(ev.length + ' octets');
    if (ev.code !== null && ev.code !== undefined) parts.push('code ' + ev.code);
    if (ev.detail) parts.push(ev.detail);
    if (ev.head_hex && ev.kind !== 'close') parts.push(preview(str(ev.head_hex), ev.opcode === 1, ev.length));
    return parts.join(' \u00b7 ');
  }

  /* What the report left out of the case's transcript (version 1 reports have no "elided"). */
  function elidedOf(c) { return c.elided && typeof c.elided === 'object' ? c.elided : {}; }
  function plural(n, one, many) { return n + ' ' + (n === 1 ? one : many); }

  function eventGapRow(body, g) {
    var first = num(g.first), n = num(g.count) || 0;
    var td = add(add(body, 'tr', 'gap'), 'td', 'det');
    td.colSpan = 5;
    var kinds = g.kinds && typeof g.kinds === 'object' ? Object.keys(g.kinds).map(function (k) {
      return g.kinds[k] + ' ' + k; }).join(', ') : '';
    var text = '\u2026 ' + plural(n, 'event', 'events') + ' not kept in this report' +
      (first === null ? '' : ' (#' + first + (n > 1 ? '\u2013' + (first + n - 1) : '') + ')') +
      (kinds ? ': ' + kinds : '');
    if (num(g.payload_octets)) text += '; ' + g.payload_octets + ' payload octets';
    td.textContent = text;
    if (g.sha256) td.title = 'SHA-256 of their payload digests ' + g.sha256;
  }

  function renderEvents(td, c) {
    var evs = objects(c.events), gaps = objects(elidedOf(c).event_gaps);
    var left = num(elidedOf(c).events) || 0;
    add(td, 'h3', null, 'Events (' + (left ? evs.length + ' of ' + (evs.length + left) + ' kept' :
      evs.length) + ')');
    if (!evs.length && !gaps.length) { add(td, 'p', 'facts', 'No events recorded.'); return; }
    var t = add(td, 'table', 'events');
    var hr = add(add(t, 'thead'), 'tr');
    ['#', 't (ms)', 'Kind', 'Details', 'RFC'].forEach(function (h) { add(hr, 'th', null, h); });
    var body = add(t, 'tbody'), g = 0;
    /* The gaps that start before transcript index `before` (all of them for null). */
    function gapsBefore(before) {
      while (g < gaps.length && (before === null || num(gaps[g].first) === null || gaps[g].first < before))
        eventGapRow(body, gaps[g++]);
    }
    evs.forEach(function (ev, k) {
      var index = num(ev.index) === null ? k : ev.index;
      gapsBefore(index);
      var cls = ev.kind === 'mark' || ev.kind === 'sent-close' ? 'ours' :
        /violation|reset|timeout|write-failed/.test(str(ev.kind)) ? 'bad' : '';
      if (k === c.first_unexpected) cls += ' unexpected';
      var tr = add(body, 'tr', cls);
      add(tr, 'td', 't', index);
      add(tr, 'td', 't', fmtMs(ev.t_ms));
      add(tr, 'td', 'kind', ev.kind);
      var d = add(tr, 'td', 'det', eventDetail(ev));
      if (ev.sha256) d.title = 'SHA-256 ' + ev.sha256;
      if (k === c.first_unexpected) add(d, 'strong', null, '  \u25c0 first unexpected');
      var r = add(tr, 'td');
      if (ev.rfc) r.appendChild(rfcLink(ev.rfc));
    });
    gapsBefore(null);
  }

  function renderClose(td, cl) {
    if (!cl || typeof cl !== 'object') return;
    add(td, 'h3', null, 'Close');
    var dl = add(td, 'dl', 'kv');
    [['peer_closed_first', 'peer closed first'], ['we_sent_close', 'we sent close'],
      ['peer_sent_close', 'peer sent close'], ['clean', 'clean close'],
      ['we_dropped_tcp', 'we dropped TCP'], ['peer_code', 'peer code'], ['peer_reason', 'peer reason']
    ].forEach(function (kv) {
      var v = cl[kv[0]];
      add(dl, 'dt', null, kv[1]);
      var dd = add(dl, 'dd', typeof v === 'boolean' ? (v ? 'yes' : 'no') : null,
        typeof v === 'boolean' ? (v ? 'yes' : 'no') : v === null || v === undefined ? '\u2013' : JSON.stringify(v));
      if (kv[0] === 'peer_code' && typeof v === 'number') dd.textContent = String(v);
    });
  }

  function renderHandshake(td, hs) {
    if (!hs || typeof hs !== 'object') return;
    add(td, 'h3', null, 'Handshake' + (hs.status ? ' (HTTP ' + hs.status + ')' : ' (no response)'));
    var cmp = add(td, 'div', 'cmp');
    var a = add(cmp, 'div');
    add(a, 'h4', null, 'Request (sent)');
    add(a, 'pre', 'block', str(hs.request) || '\u2013');
    var b = add(cmp, 'div');
    add(b, 'h4', null, 'Response (received)');
    add(b, 'pre', 'block', str(hs.response) || '\u2013');
  }

  function hexLine(hex, off) {
    var line = el('div', 'hl');
    var end = Math.min(hex.length, off * 2 + 32), h = '', asc = '';
    for (var p = off * 2, k = 0; k < 16; k++, p += 2) {
      if (p < end) {
        var b = parseInt(hex.substr(p, 2), 16);
        h += hex.substr(p, 2) + ' ';
        asc += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
      } else {
        h += '   ';
      }
      if (k === 7) h += ' ';
    }
    add(line, 'span', 'off', ('0000' + off.toString(16)).slice(-Math.max(4, off.toString(16).length)) + '  ');
    line.appendChild(document.createTextNode(h + ' '));
    add(line, 'span', 'asc', asc);
    return line;
  }

  /* The octets each record shows, as hex: its own, or for a record of HTTP head octets
   * (head: true, hex empty) the same octets from the handshake text, which the report
   * keeps this way only when it is printable ASCII with CRLF line ends, so text and octets
   * are one. A record's place in its direction comes from the lengths before it, the
   * gaps' octets included. */
  function shownHex(recs, gaps, hs) {
    var heads = {out: str(hs && hs.request), 'in': str(hs && hs.response)};
    var at = {out: 0, 'in': 0}, g = 0;
    return recs.map(function (r) {
      var dir = r.dir === 'in' ? 'in' : 'out', hex = str(r.hex), len = num(r.length);
      for (; g < gaps.length && num(gaps[g].first) !== null && gaps[g].first < num(r.index); g++) {
        at.out += num(gaps[g].octets_out) || 0;
        at['in'] += num(gaps[g].octets_in) || 0;
      }
      if (r.head === true && len !== null && at[dir] + len <= heads[dir].length) {
        hex = '';
        for (var i = at[dir]; i < at[dir] + len; i++)
          hex += ('0' + (heads[dir].charCodeAt(i) & 0xff).toString(16)).slice(-2);
      }
      at[dir] += len !== null ? len : hex.length >> 1;
      return hex;
    });
  }

  /* What each record carries, read the way a peer parses it: the HTTP head
   * first, then frame headers, across records, one parser per direction. Where
   * the report left out or cut octets of a direction, the next record of it
   * says where its first frame header starts (frame_at), and the parse starts
   * again there. */
  function frameNotes(recs, shown) {
    var notes = recs.map(function () { return []; });
    function fresh(inHead) { return {head: '', inHead: inHead, hdr: [], skip: 0, dead: false, lost: false}; }
    var dirs = {out: fresh(true), 'in': fresh(true)};
    recs.forEach(function (r, i) {
      var key = r.dir === 'in' ? 'in' : 'out', d = dirs[key], bytes = bytesOf(shown[i]), p = 0;
      if (Object.prototype.hasOwnProperty.call(r, 'frame_at')) {
        d = dirs[key] = fresh(false);
        if (num(r.frame_at) === null) d.lost = true; else p = r.frame_at;
      }
      if (d.lost) return;
      while (p < bytes.length && !d.dead) {
        if (d.inHead) {
          d.head += String.fromCharCode(bytes[p++]);
          if (d.head.slice(-4) === '\r\n\r\n') {
            d.inHead = false;
            notes[i].push('HTTP ' + (key === 'in' ? 'response' : 'request') + ' head');
            if (key === 'in' && !/^HTTP\/1\.1 101 /.test(d.head)) d.dead = true;
          } else if (d.head.length > 65536) {
            d.dead = true;
          }
        } else if (d.skip > 0) {
          var k = Math.min(d.skip, bytes.length - p);
          d.skip -= k;
          p += k;
        } else {
          d.hdr.push(bytes[p++]);
          var h = d.hdr, l7 = h.length > 1 ? h[1] & 0x7f : 0;
          var need = h.length < 2 ? 2 : 2 + (l7 === 126 ? 2 : l7 === 127 ? 8 : 0) + (h[1] & 0x80 ? 4 : 0);
          if (h.length < need) continue;
          var len = l7;
          if (l7 >= 126) {
            len = 0;
            for (var j = 2; j < (l7 === 126 ? 4 : 10); j++) len = len * 256 + h[j];
          }
          var op = h[0] & 15, rsv = (h[0] >> 4) & 7;
          notes[i].push((OPCODES[op] || 'opcode ' + op) + (h[0] & 0x80 ? '' : ' (not final)') +
            (rsv ? ' RSV' + rsv.toString(2).padStart(3, '0') : '') + (h[1] & 0x80 ? ' masked' : '') + ' ' + len);
          d.skip = len;
          d.hdr = [];
        }
      }
      /* A record cut to a head: what follows its head is not in the report. */
      if (num(r.length) !== null && r.length > bytes.length) d.lost = true;
    });
    return notes;
  }

  function wireGap(g) {
    return el('div', 'gap', '\u2026 ' + plural(num(g.count) || 0, 'record', 'records') + ' not kept in this report: ' +
      str(num(g.octets_out) || 0) + ' octets out, ' + str(num(g.octets_in) || 0) + ' in \u2026');
  }

  function renderWire(td, c) {
    var w = c.wire;
    if (!w || typeof w !== 'object') return;
    var el2 = elidedOf(c), recs = objects(w.records), gaps = objects(el2.record_gaps);
    var left = num(el2.records) || 0;
    add(td, 'h3', null, 'Wire log (' + (left ? recs.length + ' of ' + (recs.length + left) + ' records kept' :
      plural(recs.length, 'record', 'records')) + ')');
    var note = str(w.octets_out) + ' octets out, ' + str(w.octets_in) + ' octets in';
    if (w.dropped_out || w.dropped_in)
      note += '; not kept (over the cap): ' + str(w.dropped_out || 0) + ' out, ' + str(w.dropped_in || 0) + ' in';
    if (el2.octets_out || el2.octets_in)
      note += '; left out of this report: ' + str(el2.octets_out || 0) + ' out, ' + str(el2.octets_in || 0) +
        ' in (' + plural(left, 'record', 'records') + ' left out, ' + str(el2.records_cut || 0) + ' cut to a head)';
    add(td, 'div', 'wire-note', note + '. Blue: sent by wsspec, green: received from the peer.');
    if (!recs.length && !gaps.length) return;
    var box = add(td, 'div', 'wire');
    var shown = shownHex(recs, gaps, c.handshake), notes = frameNotes(recs, shown);
    var cur = {rec: 0, off: 0, div: null, gap: 0};
    var more = null;
    function gapsBefore(index) {
      while (cur.gap < gaps.length && (index === null || num(gaps[cur.gap].first) === null ||
          gaps[cur.gap].first < index))
        box.insertBefore(wireGap(gaps[cur.gap++]), more);
    }
    function step() {
      var budget = WIRE_LINES;
      while (budget > 0 && cur.rec < recs.length) {
        var r = recs[cur.rec], hex = shown[cur.rec], n = hex.length >> 1;
        if (!cur.div) {
          gapsBefore(num(r.index));
          var dir = r.dir === 'in' ? 'in' : 'out', whole = num(r.length);
          cur.div = el('div', 'rec ' + dir + (n <= 16 ? ' short' : ''));
          var head = (dir === 'out' ? '\u2192 out' : '\u2190 in') + '  t ' + fmtMs(r.t_ms) + ' ms  \u00b7  ';
          if (r.head === true)
            head += plural(whole, 'octet', 'octets') + ' of the HTTP ' + (dir === 'in' ? 'response' : 'request') +
              ' head (from Handshake)';
          else if (whole !== null && whole > n)
            head += 'the first ' + n + ' of ' + whole + ' octets';
          else
            head += plural(n, 'octet', 'octets');
          var rh = add(cur.div, 'span', 'rh', head);
          if (r.sha256) rh.title = 'SHA-256 of all ' + whole + ' octets: ' + r.sha256;
          var fn = notes[cur.rec];
          if (fn.length)
            add(cur.div, 'span', 'frames', fn.slice(0, 4).join(' \u00b7 ') + (fn.length > 4 ? ' \u00b7 \u2026 ' +
              (fn.length - 4) + ' more frames' : ''));
          box.insertBefore(cur.div, more);
        }
        while (budget > 0 && cur.off < n) {
          cur.div.appendChild(hexLine(hex, cur.off));
          cur.off += 16;
          budget--;
        }
        if (cur.off >= n) { cur.rec++; cur.off = 0; cur.div = null; }
      }
      if (cur.rec >= recs.length) { gapsBefore(null); if (more) more.remove(); more = null; return; }
      if (!more) {
        more = add(box, 'div', 'more');
        var btn = add(more, 'button', 'link', 'show more');
        btn.type = 'button';
        btn.addEventListener('click', function (ev) { ev.stopPropagation(); step(); });
        add(more, 'span', null, '');
      }
      more.lastChild.textContent = '  (' + (recs.length - cur.rec) + ' records left)';
    }
    step();
  }

  /* ---- page ---- */
  renderTiles();
  renderBaseline();
  var row = add(app, 'div', 'row');
  renderGroups(row);
  renderDurations(row);
  renderFilters();
  ui.filters = document.getElementById('filters');
  renderCases();
  apply();
  function fromHash() {
    var h;
    try { h = decodeURIComponent(location.hash.replace(/^#/, '')); } catch (e) { return; }
    if (h.indexOf('case-') !== 0) return;
    var id = h.slice(5);
    items.forEach(function (it) { if (str(it.c.id) === id) reveal(it); });
  }
  window.addEventListener('hashchange', fromHash);
  fromHash();
  document.body.dataset.ready = 'true';
})();
