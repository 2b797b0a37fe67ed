// The HTML report's public surface.
export { renderPage, renderReport, CLIENT_SCRIPT, DATA_ELEMENT_ID, contentSecurityPolicy } from './render.ts';
export { buildReportData, focusWindow, linView } from './model.ts';
export type { LinKeyView, LinOperationView, LinView, ReportChoices, ReportData, WitnessMark } from './model.ts';
export { escapeHtml, jsonForScript, scriptHashSource } from './escape.ts';
export { checkEvents, REPORT_LIN_BUDGET_STEPS } from './checks.ts';
export type { TraceChecks } from './checks.ts';
