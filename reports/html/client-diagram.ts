// The page's script, part 1: helpers, zoom and pan, and the space-time diagram. Plain browser
// JavaScript kept as text (the project's TypeScript has no DOM types); the report inlines it and
// allows exactly it by hash in its Content-Security-Policy. It builds the page with createElement
// and textContent only: trace data never reaches an HTML parser.
export const CLIENT_DIAGRAM = String.raw`
var SVG_NS = 'http://www.w3.org/2000/svg';
var VIEW_WIDTH = 1200;
var LABEL_WIDTH = 56;
var PLOT_WIDTH = VIEW_WIDTH - LABEL_WIDTH - 12;
var MAX_ARROWS = 1500;
var MAX_MARKS = 1500;

function html(tag, className, text, parent) {
  var element = document.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined && text !== null) element.textContent = String(text);
  if (parent) parent.appendChild(element);
  return element;
}

function svg(tag, attributes, parent) {
  var element = document.createElementNS(SVG_NS, tag);
  for (var name in attributes) element.setAttribute(name, String(attributes[name]));
  if (parent) parent.appendChild(element);
  return element;
}

function tooltip(element, text) {
  svg('title', {}, element).textContent = text;
}

function seconds(ms) {
  return (ms / 1000).toFixed(3) + ' s';
}

function clear(element) {
  while (element.firstChild) element.removeChild(element.firstChild);
}

/** The first index whose value (by key) is >= target, in an array sorted by key. */
function lowerBound(items, target, key) {
  var low = 0;
  var high = items.length;
  while (low < high) {
    var middle = (low + high) >> 1;
    if (key(items[middle]) < target) low = middle + 1; else high = middle;
  }
  return low;
}

function niceStep(span) {
  var raw = span / 8;
  var power = Math.pow(10, Math.floor(Math.log10(Math.max(raw, 1e-9))));
  var steps = [1, 2, 5, 10];
  for (var i = 0; i < steps.length; i++) if (raw <= steps[i] * power) return steps[i] * power;
  return 10 * power;
}

/** Zoom (wheel, buttons) and pan (drag, keys) over [0, endMs] for one SVG; calls draw(view) once per frame. */
function Timeline(element, endMs, initial, draw) {
  var self = this;
  self.endMs = Math.max(endMs, 1);
  self.view = { from: initial.from, to: initial.to };
  self.draw = draw;
  self.pending = false;
  function viewX(event) {
    var box = element.getBoundingClientRect();
    return (event.clientX - box.left) * VIEW_WIDTH / Math.max(box.width, 1);
  }
  element.addEventListener('wheel', function (event) {
    event.preventDefault();
    var anchor = self.timeAt(viewX(event));
    self.zoom(event.deltaY > 0 ? 1.25 : 0.8, anchor);
  }, { passive: false });
  var drag = null;
  element.addEventListener('pointerdown', function (event) {
    drag = { x: viewX(event), from: self.view.from, to: self.view.to };
    element.setPointerCapture(event.pointerId);
  });
  element.addEventListener('pointermove', function (event) {
    if (drag === null) return;
    var shift = (viewX(event) - drag.x) / PLOT_WIDTH * (drag.to - drag.from);
    self.set(drag.from - shift, drag.to - shift);
  });
  element.addEventListener('pointerup', function () { drag = null; });
  element.addEventListener('keydown', function (event) {
    var span = self.view.to - self.view.from;
    if (event.key === 'ArrowLeft') self.set(self.view.from - span / 4, self.view.to - span / 4);
    else if (event.key === 'ArrowRight') self.set(self.view.from + span / 4, self.view.to + span / 4);
    else if (event.key === '+' || event.key === '=') self.zoom(0.8, (self.view.from + self.view.to) / 2);
    else if (event.key === '-') self.zoom(1.25, (self.view.from + self.view.to) / 2);
    else return;
    event.preventDefault();
  });
}

Timeline.prototype.timeAt = function (x) {
  return this.view.from + (x - LABEL_WIDTH) / PLOT_WIDTH * (this.view.to - this.view.from);
};

Timeline.prototype.x = function (time) {
  return LABEL_WIDTH + (time - this.view.from) / (this.view.to - this.view.from) * PLOT_WIDTH;
};

Timeline.prototype.zoom = function (factor, anchor) {
  this.set(anchor - (anchor - this.view.from) * factor, anchor + (this.view.to - anchor) * factor);
};

/** Keeps the window inside the run and at least 2 ms wide, then redraws on the next frame. */
Timeline.prototype.set = function (from, to) {
  var span = Math.min(Math.max(to - from, 2), this.endMs);
  var start = Math.min(Math.max(from, 0), this.endMs - span);
  this.view = { from: start, to: start + span };
  this.request();
};

Timeline.prototype.request = function () {
  var self = this;
  if (self.pending) return;
  self.pending = true;
  window.requestAnimationFrame(function () { self.pending = false; self.draw(self.view); });
};

function drawAxis(group, timeline, top, height) {
  var view = timeline.view;
  var step = niceStep(view.to - view.from);
  var first = Math.ceil(view.from / step) * step;
  for (var tick = first, count = 0; tick <= view.to && count < 40; tick += step, count++) {
    var x = timeline.x(tick);
    svg('line', { x1: x, x2: x, y1: top, y2: top + height, 'class': 'grid' }, group);
    svg('text', { x: x + 2, y: top - 4, 'class': 'axis-label' }, group).textContent = (tick / 1000).toFixed(step < 1000 ? 3 : 1) + ' s';
  }
}

var LANE_TOP = 34;
var LANE_HEIGHT = 58;

function laneY(node) {
  return LANE_TOP + (node - 1) * LANE_HEIGHT + LANE_HEIGHT / 2;
}

function drawLanes(group, diagram, timeline) {
  for (var node = 1; node <= diagram.nodes; node++) {
    var top = LANE_TOP + (node - 1) * LANE_HEIGHT;
    svg('rect', { x: LABEL_WIDTH, y: top + 4, width: PLOT_WIDTH, height: LANE_HEIGHT - 8, 'class': 'lane', 'data-node': node }, group);
    svg('text', { x: 8, y: top + LANE_HEIGHT / 2 + 4, 'class': 'lane-label' }, group).textContent = 'n' + node;
  }
  var view = timeline.view;
  diagram.bands.forEach(function (band) {
    if (band[2] < view.from || band[1] > view.to) return;
    var x1 = Math.max(timeline.x(band[1]), LABEL_WIDTH);
    var x2 = Math.min(timeline.x(band[2]), LABEL_WIDTH + PLOT_WIDTH);
    var y = laneY(band[0]);
    var role = data.legend.roles[band[3]];
    var rect = svg('rect', { x: x1, y: y - 9, width: Math.max(x2 - x1, 0.5), height: 18, 'class': 'band role-' + band[3] }, group);
    tooltip(rect, 'n' + band[0] + ' ' + role + ' in term ' + band[4] + ' from ' + seconds(band[1]) + ' to ' + seconds(band[2]));
    svg('rect', { x: x1, y: y - 15, width: Math.max(x2 - x1, 0.5), height: 5, fill: 'hsl(' + ((band[4] * 67) % 360) + ',65%,50%)', 'class': 'term' }, group);
    if (x2 - x1 > 30) svg('text', { x: x1 + 3, y: y + 4, 'class': 'band-label' }, group).textContent = 't' + band[4] + (role === 'leader' ? ' leader' : '');
  });
}

function drawSpans(group, diagram, timeline) {
  var view = timeline.view;
  diagram.spans.forEach(function (span) {
    if (span[2] < view.from || span[1] > view.to) return;
    var x1 = Math.max(timeline.x(span[1]), LABEL_WIDTH);
    var x2 = Math.min(timeline.x(span[2]), LABEL_WIDTH + PLOT_WIDTH);
    var top = LANE_TOP + (span[0] - 1) * LANE_HEIGHT;
    var kind = data.legend.spanKinds[span[3]];
    var rect = svg('rect', { x: x1, y: top + 4, width: Math.max(x2 - x1, 1), height: LANE_HEIGHT - 8, 'class': 'span span-' + kind }, group);
    tooltip(rect, 'n' + span[0] + ' ' + (kind === 'crash' ? 'down (crashed)' : kind === 'pause' ? 'paused' : 'cut off by a partition') + ' from ' + seconds(span[1]) + ' to ' + seconds(span[2]));
  });
  diagram.partitions.forEach(function (partition) {
    if (partition.to < view.from || partition.from > view.to) return;
    var x = Math.max(timeline.x(partition.from), LABEL_WIDTH);
    var label = svg('text', { x: x + 2, y: LANE_TOP - 18, 'class': 'partition-label' }, group);
    label.textContent = 'partition: ' + partition.kind;
    tooltip(label, 'partition (' + partition.kind + ') ' + seconds(partition.from) + ' to ' + seconds(partition.to) + ', cuts ' + partition.cut.map(function (link) { return link[0] + '->' + link[1]; }).join(' '));
  });
}

function drawCommits(group, diagram, timeline) {
  var view = timeline.view;
  var start = lowerBound(diagram.commits, view.from, function (commit) { return commit[1]; });
  for (var i = start, drawn = 0; i < diagram.commits.length && drawn < MAX_MARKS; i++, drawn++) {
    var commit = diagram.commits[i];
    if (commit[1] > view.to) break;
    var x = timeline.x(commit[1]);
    var y = laneY(commit[0]);
    var mark = svg('path', { d: 'M' + x + ' ' + (y + 11) + 'l-4 7h8z', 'class': 'commit' }, group);
    tooltip(mark, 'n' + commit[0] + ' commits up to index ' + commit[2] + ' at ' + seconds(commit[1]));
  }
}

/** The arrows that cross the window, by binary search over send times. */
function arrowsInView(diagram, view) {
  var arrows = diagram.arrows;
  var start = lowerBound(arrows, view.from - diagram.longestArrowMs, function (arrow) { return arrow[0]; });
  var found = [];
  for (var i = start; i < arrows.length && arrows[i][0] <= view.to; i++) {
    if (arrows[i][1] >= view.from) found.push(arrows[i]);
  }
  return found;
}

function drawArrows(group, diagram, timeline, witnessMessages) {
  var found = arrowsInView(diagram, timeline.view);
  var shown = found.slice(0, MAX_ARROWS);
  shown.forEach(function (arrow) {
    var outcome = data.legend.outcomes[arrow[4]];
    var dropped = outcome !== 'deliver' && outcome !== 'in-flight';
    var y1 = laneY(arrow[2]);
    var y2 = dropped ? (laneY(arrow[2]) + laneY(arrow[3])) / 2 : laneY(arrow[3]);
    var kind = outcome === 'deliver' ? 'delivered' : dropped ? 'dropped' : 'in-flight';
    var classes = 'arrow ' + kind + ' type-' + arrow[6] + (arrow[5] > 0 ? ' duplicate' : '') + (witnessMessages[arrow[7]] ? ' witness' : '');
    var line = svg('line', { x1: timeline.x(arrow[0]), y1: y1, x2: timeline.x(arrow[1]), y2: y2, 'class': classes,
      'marker-end': dropped ? 'url(#cross)' : 'url(#head)' }, group);
    tooltip(line, data.legend.messageTypes[arrow[6]] + ' n' + arrow[2] + ' -> n' + arrow[3] + ' (message ' + arrow[7] + (arrow[5] > 0 ? ', duplicate copy' : '') + ') sent ' + seconds(arrow[0]) + ', ' + (kind === 'delivered' ? 'delivered ' : kind === 'dropped' ? 'dropped (' + outcome + ') ' : 'still in flight at ') + seconds(arrow[1]));
  });
  return { drawn: shown.length, total: found.length };
}

function drawWitnesses(group, diagram, timeline) {
  var violation = data.violation;
  if (violation === null) return;
  var view = timeline.view;
  var bottom = LANE_TOP + diagram.nodes * LANE_HEIGHT;
  if (violation.time >= view.from && violation.time <= view.to) {
    var x = timeline.x(violation.time);
    var line = svg('line', { x1: x, x2: x, y1: LANE_TOP, y2: bottom, 'class': 'violation-line' }, group);
    tooltip(line, 'violation (' + violation.checker + ') at ' + seconds(violation.time));
  }
  violation.witnesses.forEach(function (mark) {
    if (mark.time < view.from || mark.time > view.to) return;
    var wx = timeline.x(mark.time);
    var shape = mark.node === null
      ? svg('line', { x1: wx, x2: wx, y1: LANE_TOP, y2: bottom, 'class': 'witness-mark' }, group)
      : svg('circle', { cx: wx, cy: laneY(mark.node), r: 8, 'class': 'witness-mark' }, group);
    tooltip(shape, 'witness ' + mark.text);
  });
}

function drawOverview(overview, diagram, timeline) {
  clear(overview);
  var scale = function (time) { return LABEL_WIDTH + time / Math.max(diagram.endMs, 1) * PLOT_WIDTH; };
  svg('rect', { x: LABEL_WIDTH, y: 2, width: PLOT_WIDTH, height: 20, 'class': 'overview-run' }, overview);
  diagram.spans.forEach(function (span) {
    svg('rect', { x: scale(span[1]), y: 2, width: Math.max(scale(span[2]) - scale(span[1]), 1), height: 20, 'class': 'overview-span span-' + data.legend.spanKinds[span[3]] }, overview);
  });
  if (data.violation !== null) data.violation.witnesses.forEach(function (mark) {
    svg('circle', { cx: scale(mark.time), cy: 12, r: 4, 'class': 'witness-mark' }, overview);
  });
  if (data.violation !== null) svg('line', { x1: scale(data.violation.time), x2: scale(data.violation.time), y1: 0, y2: 24, 'class': 'violation-line' }, overview);
  svg('rect', { x: scale(timeline.view.from), y: 1, width: Math.max(scale(timeline.view.to) - scale(timeline.view.from), 2), height: 22, 'class': 'overview-window' }, overview);
  svg('text', { x: 4, y: 16, 'class': 'axis-label' }, overview).textContent = 'whole run';
}

function setupDiagram() {
  var diagram = data.diagram;
  var element = document.getElementById('diagram');
  var overview = document.getElementById('overview');
  var readout = document.getElementById('window-readout');
  var height = LANE_TOP + diagram.nodes * LANE_HEIGHT + 8;
  element.setAttribute('viewBox', '0 0 ' + VIEW_WIDTH + ' ' + height);
  var witnessMessages = {};
  if (data.violation !== null) data.violation.witnesses.forEach(function (mark) { if (mark.message !== null) witnessMessages[mark.message] = true; });
  var timeline = new Timeline(element, diagram.endMs, data.focus, function (view) {
    clear(element);
    var defs = svg('defs', {}, element);
    var head = svg('marker', { id: 'head', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 6, markerHeight: 6, orient: 'auto-start-reverse' }, defs);
    svg('path', { d: 'M0 0L10 5L0 10z', 'class': 'arrow-head' }, head);
    var cross = svg('marker', { id: 'cross', viewBox: '0 0 10 10', refX: 5, refY: 5, markerWidth: 8, markerHeight: 8 }, defs);
    svg('path', { d: 'M1 1L9 9M9 1L1 9', 'class': 'cross' }, cross);
    var clip = svg('clipPath', { id: 'plot-area' }, defs);
    svg('rect', { x: LABEL_WIDTH, y: 0, width: PLOT_WIDTH + 6, height: height }, clip);
    drawLanes(element, diagram, timeline);
    drawSpans(element, diagram, timeline);
    drawAxis(element, timeline, LANE_TOP, diagram.nodes * LANE_HEIGHT);
    // Arrows that cross the window's edges are cut at the plot, not drawn over the lane labels.
    var plot = svg('g', { 'clip-path': 'url(#plot-area)' }, element);
    var counts = drawArrows(plot, diagram, timeline, witnessMessages);
    drawCommits(plot, diagram, timeline);
    drawWitnesses(plot, diagram, timeline);
    drawOverview(overview, diagram, timeline);
    element.setAttribute('data-from', String(view.from));
    element.setAttribute('data-to', String(view.to));
    element.setAttribute('data-arrows', String(counts.drawn));
    readout.textContent = 'window ' + seconds(view.from) + ' to ' + seconds(view.to) + ' of ' + seconds(diagram.endMs) + ': '
      + counts.drawn + ' message arrows' + (counts.total > counts.drawn ? ' drawn of ' + counts.total + ' (zoom in to see all)' : '');
  });
  overview.addEventListener('click', function (event) {
    var box = overview.getBoundingClientRect();
    var time = ((event.clientX - box.left) * VIEW_WIDTH / Math.max(box.width, 1) - LABEL_WIDTH) / PLOT_WIDTH * diagram.endMs;
    var span = timeline.view.to - timeline.view.from;
    timeline.set(time - span / 2, time + span / 2);
  });
  document.getElementById('zoom-in').addEventListener('click', function () { timeline.zoom(0.5, (timeline.view.from + timeline.view.to) / 2); });
  document.getElementById('zoom-out').addEventListener('click', function () { timeline.zoom(2, (timeline.view.from + timeline.view.to) / 2); });
  document.getElementById('to-violation').addEventListener('click', function () { timeline.set(data.focus.from, data.focus.to); });
  document.getElementById('whole-run').addEventListener('click', function () { timeline.set(0, diagram.endMs); });
  timeline.draw(timeline.view);
  return timeline;
}
`;
