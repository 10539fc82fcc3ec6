/**
 * The text renderers the command line prints (src/reports returns strings; the CLI writes them), re-exported so
 * that src/cli reads everything through the pipeline.
 */
export { profileSummary, textTable } from '../reports/summary.js';
export { chipCompareSummary } from '../reports/chip-compare.js';
export { fmtNum, fmtPct } from '../reports/html-page.js';
export { totalText, unitFor } from '../reports/format.js';
export { parseProfileReport } from '../reports/schema.js';
export type { ProfileReport } from '../reports/schema.js';
export type { CompareReport, CompareVariant } from '../reports/compare.js';
