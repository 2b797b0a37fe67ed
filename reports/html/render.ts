// The HTML report: one self-contained page (inline CSS and script, no network, no external fonts)
// computed from a trace. Trace data travels only as escaped JSON in a non-executable script block;
// the page's own script, allowed by its hash in the Content-Security-Policy, draws from it.
import type { Trace } from '../trace-file.ts';
import { CLIENT_DIAGRAM } from './client-diagram.ts';
import { CLIENT_PAGE } from './client-page.ts';
import { escapeHtml, jsonForScript, scriptHashSource } from './escape.ts';
import { buildReportData } from './model.ts';
import type { ReportChoices, ReportData } from './model.ts';
import { LEGEND_CSS, REPORT_CSS } from './styles.ts';

export const DATA_ELEMENT_ID = 'raftsim-data';

/** The page's script: reads the data block, then draws. One function scope, nothing global. */
export const CLIENT_SCRIPT = `(function () {
'use strict';
var data = JSON.parse(document.getElementById('${DATA_ELEMENT_ID}').textContent);
${CLIENT_DIAGRAM}
${CLIENT_PAGE}
})();`;

/** No network at all: no fetches, frames, fonts, images or scripts but this page's own. */
export function contentSecurityPolicy(script: string): string {
  return `default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src ${scriptHashSource(script)}; base-uri 'none'; form-action 'none'`;
}

function swatch(kind: string, label: string): string {
  return `<span><span class="swatch s-${kind}"></span>${label}</span>`;
}

const LEGEND = [
  swatch('follower', 'follower'), swatch('candidate', 'candidate'), swatch('leader', 'leader'),
  swatch('down', 'crashed'), swatch('pause', 'paused'), swatch('partition', 'cut off by a partition'),
  swatch('message', 'message (send to delivery)'), swatch('vote', 'vote request or reply'),
  swatch('dropped', 'dropped (ends in a cross)'), swatch('duplicate', 'duplicate copy'),
  swatch('commit', 'commit'), swatch('witness', 'witness event'),
].join('');

const LIN_LEGEND = [
  swatch('prefix', 'in the longest linearizable prefix (numbered)'), swatch('blocked', 'cannot be placed'),
  swatch('other', 'other operation (dashed: open, outcome unknown)'),
].join('');

/** The page around the data: every string in it is a constant or escaped. */
export function renderPage(data: ReportData): string {
  const title = `raftsim report: seed ${data.seed} ${data.verdict === 'fail' ? 'FAIL' : data.verdict}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(contentSecurityPolicy(CLIENT_SCRIPT))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style>${REPORT_CSS}${LEGEND_CSS}</style>
</head>
<body>
<header>
<h1>raftsim report</h1>
<p id="summary"></p>
<div id="verdict" class="verdict"></div>
<noscript><p>This report draws with JavaScript; the data is in the raftsim-data block of this file.</p></noscript>
</header>
<section id="diagram-section">
<h2>Space-time diagram</h2>
<div class="toolbar">
<button id="to-violation" type="button">${data.violation === null ? 'Start' : 'Violation'}</button>
<button id="whole-run" type="button">Whole run</button>
<button id="zoom-in" type="button">Zoom in</button>
<button id="zoom-out" type="button">Zoom out</button>
<span id="window-readout"></span>
</div>
<svg id="overview" class="overview" viewBox="0 0 1200 24" role="img" aria-label="the whole run; click to move the window"></svg>
<svg id="diagram" class="timeline" tabindex="0" role="img" aria-label="space-time diagram: one lane per node"></svg>
<p class="hint">Scroll to zoom, drag (or arrow keys) to pan. Hover a shape for details. Only the window is drawn.</p>
<div class="legend">${LEGEND}</div>
<div id="witnesses"></div>
</section>
<section id="lin-section">
<h2>Linearizability</h2>
<p id="lin-summary"></p>
<div class="toolbar"><label>Key <select id="lin-key"></select></label></div>
<svg id="lin-view" class="timeline" tabindex="0" role="img" aria-label="client operations per key"></svg>
<div class="legend">${LIN_LEGEND}</div>
<div id="lin-explanation"></div>
</section>
<section id="run-section">
<h2>Run</h2>
<div class="columns">
<div><h3>Verdicts</h3><table id="verdicts"></table></div>
<div><h3>Sometimes (the run really did this)</h3><table id="sometimes"></table></div>
</div>
<h3>Options</h3><div id="options"></div>
<h3>Reproduce</h3><ul id="commands"></ul>
</section>
<script type="application/json" id="${DATA_ELEMENT_ID}">${jsonForScript(data)}</script>
<script>${CLIENT_SCRIPT}</script>
</body>
</html>
`;
}

/** The report of a trace as one HTML string. */
export function renderReport(trace: Trace, choices: ReportChoices): string {
  return renderPage(buildReportData(trace, choices));
}
