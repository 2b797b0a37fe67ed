// The report's stylesheet: system fonts only (nothing to fetch), colours that print and that
// keep roles apart for the common forms of colour blindness (blue/orange, not red/green alone).
export const REPORT_CSS = `
:root { --ink: #1d2330; --muted: #5b6473; --line: #d6dae1; --paper: #ffffff; --wash: #f4f6f9;
  --fail: #c62828; --pass: #2e7d32; --unknown: #b26a00; --leader: #1565c0; --candidate: #ef8a17;
  --follower: #cfd6df; --down: #6d6d6d; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--wash); }
header, section { max-width: 1280px; margin: 0 auto; padding: 12px 20px; }
section { background: var(--paper); border: 1px solid var(--line); border-radius: 6px; margin-top: 12px; }
h1 { font-size: 20px; margin: 8px 0 2px; }
h2 { font-size: 16px; margin: 4px 0 8px; }
h3 { font-size: 14px; margin: 10px 0 4px; }
#summary { color: var(--muted); margin: 0; }
.verdict { padding: 10px 14px; border-radius: 6px; margin-top: 10px; border-left: 6px solid; background: var(--paper); }
.verdict-fail { border-color: var(--fail); background: #fdecea; }
.verdict-pass { border-color: var(--pass); background: #edf7ee; }
.verdict-unknown { border-color: var(--unknown); background: #fff4e5; }
.cell-fail { color: var(--fail); font-weight: 600; }
.cell-pass { color: var(--pass); }
.cell-unknown { color: var(--unknown); }
.toolbar { display: flex; gap: 6px; align-items: center; flex-wrap: wrap; margin-bottom: 6px; }
button, select { font: inherit; padding: 3px 10px; border: 1px solid var(--line); border-radius: 4px; background: var(--wash); cursor: pointer; }
#window-readout { color: var(--muted); margin-left: 8px; }
svg.timeline { width: 100%; height: auto; display: block; touch-action: none; user-select: none; cursor: grab; background: var(--paper); }
svg.timeline:focus { outline: 2px solid #90caf9; }
svg.overview { width: 100%; height: auto; display: block; cursor: pointer; }
.lane { fill: var(--wash); }
.lane-label { font-size: 13px; font-weight: 600; fill: var(--ink); }
.client-label { font-size: 11px; font-weight: 600; fill: var(--ink); }
.axis-label { font-size: 10px; fill: var(--muted); }
.grid { stroke: var(--line); stroke-width: 0.6; }
.band { stroke: none; }
.role-0 { fill: var(--follower); }
.role-1 { fill: #f6c48f; }
.role-2 { fill: var(--candidate); }
.role-3 { fill: var(--leader); }
.role-4 { fill: var(--down); }
.band-label { font-size: 10px; fill: #111; pointer-events: none; }
.role-3 + .term + .band-label { fill: #fff; }
.span { fill-opacity: 0.28; }
.span-crash { fill: #424242; }
.span-pause { fill: #7e57c2; }
.span-partition { fill: #ad1457; fill-opacity: 0.16; }
.overview-run { fill: var(--wash); stroke: var(--line); }
.overview-span { fill-opacity: 0.45; }
.overview-window { fill: #1565c0; fill-opacity: 0.18; stroke: #1565c0; }
.partition-label { font-size: 10px; fill: #ad1457; }
.arrow { stroke-width: 1.1; }
.arrow.delivered { stroke: #37474f; }
.arrow.type-0, .arrow.type-1 { stroke: #ef6c00; }
.arrow.type-4, .arrow.type-5 { stroke: #6a1b9a; }
.arrow.dropped { stroke: var(--fail); stroke-dasharray: 4 3; }
.arrow.in-flight { stroke: #90a4ae; stroke-dasharray: 1 3; }
.arrow.duplicate { stroke: #0277bd; stroke-dasharray: 8 2 2 2; }
.arrow.witness { stroke: var(--fail); stroke-width: 3; }
.arrow-head { fill: #37474f; }
.cross { stroke: var(--fail); stroke-width: 2; fill: none; }
.commit { fill: var(--pass); }
.witness-mark { fill: none; stroke: var(--fail); stroke-width: 3; }
.violation-line { stroke: var(--fail); stroke-width: 2; stroke-dasharray: 6 3; }
.legend { display: flex; flex-wrap: wrap; gap: 14px; color: var(--muted); font-size: 12px; margin-top: 6px; }
.swatch { display: inline-block; width: 14px; height: 10px; margin-right: 4px; vertical-align: middle; border-radius: 2px; }
.op rect { stroke: #455a64; stroke-width: 1; }
.op-other rect { fill: #eceff1; }
.op-prefix rect { fill: #c8e6c9; stroke: var(--pass); }
.op-blocked rect { fill: #ffcdd2; stroke: var(--fail); stroke-width: 2.5; }
.op-open rect { stroke-dasharray: 5 3; }
.op-label { font-size: 11px; fill: var(--ink); pointer-events: none; font-family: ui-monospace, Menlo, Consolas, monospace; }
.blocked-text { color: var(--fail); font-weight: 600; }
.witness-list li, .prefix-list li { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; word-break: break-all; }
table { border-collapse: collapse; }
td { padding: 2px 14px 2px 0; vertical-align: top; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
.columns { display: flex; flex-wrap: wrap; gap: 32px; }
pre, code { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; }
pre { background: var(--wash); padding: 8px; border-radius: 4px; overflow-x: auto; }
.hint { color: var(--muted); font-size: 12px; }
`;

/** Swatches of the legend (HTML boxes, so they use background, not SVG fill). */
export const LEGEND_CSS = `
.swatch.s-follower { background: var(--follower); }
.swatch.s-candidate { background: var(--candidate); }
.swatch.s-leader { background: var(--leader); }
.swatch.s-down { background: #424242; opacity: 0.6; }
.swatch.s-pause { background: #7e57c2; opacity: 0.5; }
.swatch.s-partition { background: #ad1457; opacity: 0.3; }
.swatch.s-message { height: 2px; background: #37474f; }
.swatch.s-vote { height: 2px; background: #ef6c00; }
.swatch.s-dropped { height: 0; border-top: 2px dashed var(--fail); }
.swatch.s-duplicate { height: 0; border-top: 2px dashed #0277bd; }
.swatch.s-commit { width: 0; height: 0; border-left: 5px solid transparent; border-right: 5px solid transparent; border-bottom: 8px solid var(--pass); background: none; }
.swatch.s-witness { width: 12px; height: 12px; border: 3px solid var(--fail); border-radius: 50%; background: none; }
.swatch.s-prefix { background: #c8e6c9; border: 1px solid var(--pass); }
.swatch.s-blocked { background: #ffcdd2; border: 2px solid var(--fail); }
.swatch.s-other { background: #eceff1; border: 1px solid #455a64; }
`;
