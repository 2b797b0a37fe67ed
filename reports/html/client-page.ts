// The page's script, part 2: the summary, verdicts, witness list, run details and the
// linearizability view (per key, each client's operations as intervals, like Porcupine's).
export const CLIENT_PAGE = String.raw`
var MAX_OPERATIONS = 800;
var OPERATION_ROW = 28;
var OPERATION_TOP = 26;

function fillSummary() {
  var summary = document.getElementById('summary');
  var parts = ['seed ' + data.seed];
  if (data.scenario !== null) parts.push('scenario ' + data.scenario);
  if (data.bugs.length > 0) parts.push('bugs ' + data.bugs.join(', '));
  parts.push(data.diagram.nodes + ' nodes', data.eventCount + ' events', seconds(data.diagram.endMs) + ' simulated', 'trace hash ' + data.hash, 'raftsim ' + data.raftsim);
  summary.textContent = parts.join(' \u00b7 ');
  document.title = 'raftsim report: seed ' + data.seed + ' ' + (data.verdict === 'fail' ? 'FAIL' : data.verdict);
  var banner = document.getElementById('verdict');
  banner.className = 'verdict verdict-' + data.verdict;
  if (data.violation !== null) {
    html('strong', null, 'FAIL: ' + data.violation.checker, banner);
    html('span', null, ' at ' + seconds(data.violation.time) + ': ' + data.violation.message, banner);
    if (data.others.length > 0) {
      var others = html('ul', 'other-failures', null, banner);
      data.others.forEach(function (other) {
        html('li', null, 'also FAIL: ' + other.checker + ' at ' + seconds(other.time) + ': ' + other.message, others);
      });
    }
  } else {
    html('strong', null, data.verdict === 'pass' ? 'pass: every check held' : 'unknown: a check ran out of budget, nothing failed', banner);
  }
  var witnesses = document.getElementById('witnesses');
  if (data.violation !== null && data.violation.witnesses.length > 0) {
    html('h3', null, 'Witness events (ringed in red on the diagram)', witnesses);
    var list = html('ol', 'witness-list', null, witnesses);
    data.violation.witnesses.forEach(function (mark) { html('li', null, mark.text, list); });
  }
}

function fillRunDetails() {
  var verdicts = document.getElementById('verdicts');
  data.verdicts.forEach(function (entry) {
    var row = html('tr', null, null, verdicts);
    html('td', null, entry.checker, row);
    html('td', 'cell-' + entry.verdict, entry.verdict + (entry.note === undefined ? '' : ' (' + entry.note + ')'), row);
  });
  var sometimes = document.getElementById('sometimes');
  Object.keys(data.sometimes).sort().forEach(function (name) {
    var row = html('tr', null, null, sometimes);
    html('td', null, name, row);
    html('td', 'number', data.sometimes[name], row);
  });
  html('pre', null, data.options.join('\n'), document.getElementById('options'));
  var commands = document.getElementById('commands');
  data.commands.forEach(function (command) { html('code', null, command, html('li', null, null, commands)); });
}

/** Frames the blocked operation with the end of the prefix before it, or the first operations of the key. */
function linFocus(operations, endMs) {
  var chosen = operations.filter(function (operation) { return operation.blocked; });
  if (chosen.length > 0) {
    var prefix = operations.filter(function (operation) { return operation.order !== null; })
      .sort(function (a, b) { return b.order - a.order; }).slice(0, 6);
    chosen = chosen.concat(prefix);
  } else {
    chosen = operations.slice(0, 24);
  }
  if (chosen.length === 0) return { from: 0, to: Math.max(endMs, 1) };
  var from = Math.min.apply(null, chosen.map(function (operation) { return operation.call; }));
  var to = Math.max.apply(null, chosen.map(function (operation) { return operation.return === null ? operation.call + 500 : operation.return; }));
  var pad = Math.max((to - from) * 0.08, 20);
  return { from: Math.max(0, from - pad), to: Math.min(endMs, to + pad) };
}

function drawOperations(element, keyView, timeline, endMs) {
  clear(element);
  var clients = [];
  keyView.operations.forEach(function (operation) { if (clients.indexOf(operation.client) < 0) clients.push(operation.client); });
  clients.sort(function (a, b) { return a - b; });
  var height = OPERATION_TOP + clients.length * OPERATION_ROW + 8;
  element.setAttribute('viewBox', '0 0 ' + VIEW_WIDTH + ' ' + height);
  drawAxis(element, timeline, OPERATION_TOP, clients.length * OPERATION_ROW);
  clients.forEach(function (client, row) {
    svg('text', { x: 6, y: OPERATION_TOP + row * OPERATION_ROW + 18, 'class': 'client-label' }, element).textContent = 'client ' + client;
  });
  var view = timeline.view;
  var drawn = 0;
  keyView.operations.forEach(function (operation) {
    var end = operation.return === null ? endMs : operation.return;
    if (end < view.from || operation.call > view.to || drawn >= MAX_OPERATIONS) return;
    drawn++;
    var row = clients.indexOf(operation.client);
    var x1 = Math.max(timeline.x(operation.call), LABEL_WIDTH);
    var x2 = Math.min(timeline.x(end), LABEL_WIDTH + PLOT_WIDTH);
    var y = OPERATION_TOP + row * OPERATION_ROW + 4;
    var kind = operation.blocked ? 'op-blocked' : operation.order !== null ? 'op-prefix' : 'op-other';
    var group = svg('g', { 'class': 'op ' + kind + (operation.return === null ? ' op-open' : '') }, element);
    svg('rect', { x: x1, y: y, width: Math.max(x2 - x1, 2), height: OPERATION_ROW - 8, rx: 3 }, group);
    var label = (operation.order !== null ? (operation.order + 1) + '. ' : operation.blocked ? 'cannot place: ' : '') + operation.text;
    if (x2 - x1 > 40) {
      var characters = Math.floor((x2 - x1 - 6) / 6.2);
      svg('text', { x: x1 + 3, y: y + 14, 'class': 'op-label' }, group).textContent = label.length > characters ? label.slice(0, Math.max(characters - 1, 1)) + '\u2026' : label;
    }
    tooltip(group, '#' + operation.id + ' client ' + operation.client + ' [' + seconds(operation.call) + ', ' + (operation.return === null ? 'open' : seconds(operation.return)) + '] ' + label);
  });
  element.setAttribute('data-operations', String(drawn));
}

function explainKey(container, keyView) {
  clear(container);
  if (data.lin.failingKey !== keyView.key) return;
  var prefix = keyView.operations.filter(function (operation) { return operation.order !== null; })
    .sort(function (a, b) { return a.order - b.order; });
  html('p', null, 'Longest linearizable prefix: ' + prefix.length + ' operations (numbered in the diagram in linearization order), leaving the value ' + data.lin.state + '.', container);
  var list = html('ol', 'prefix-list', null, container);
  list.start = Math.max(prefix.length - 8, 0) + 1;
  prefix.slice(-8).forEach(function (operation) { html('li', null, 'client ' + operation.client + ': ' + operation.text, list); });
  keyView.operations.forEach(function (operation) {
    if (operation.blocked) html('p', 'blocked-text', 'Cannot place #' + operation.id + ' (client ' + operation.client + '): ' + operation.text + ': neither it nor any operation concurrent with it is legal after the prefix.', container);
  });
}

function setupLinearizability(endMs) {
  var lin = data.lin;
  document.getElementById('lin-summary').textContent = lin.summary;
  var select = document.getElementById('lin-key');
  var element = document.getElementById('lin-view');
  var explanation = document.getElementById('lin-explanation');
  if (lin.keys.length === 0) {
    select.disabled = true;
    return;
  }
  lin.keys.forEach(function (keyView, index) {
    var option = html('option', null, 'key ' + keyView.key + ' (' + keyView.operations.length + ' operations, ' + keyView.outcome + ')', select);
    option.value = String(index);
  });
  var selected = Math.max(0, lin.keys.findIndex(function (keyView) { return keyView.key === lin.failingKey; }));
  select.value = String(selected);
  var timeline = new Timeline(element, endMs, linFocus(lin.keys[selected].operations, endMs), function () {
    drawOperations(element, lin.keys[selected], timeline, endMs);
  });
  select.addEventListener('change', function () {
    selected = Number(select.value);
    explainKey(explanation, lin.keys[selected]);
    var focus = linFocus(lin.keys[selected].operations, endMs);
    timeline.set(focus.from, focus.to);
  });
  explainKey(explanation, lin.keys[selected]);
  timeline.draw(timeline.view);
}

fillSummary();
fillRunDetails();
setupDiagram();
setupLinearizability(data.diagram.endMs);
`;
