/** The load smoke gate's public surface (k6 or the local engine, gate, report, stage, command). */
export { parseK6Summary, parseK6SummaryText, normalizeStatKey, SummaryParseError, toHandleSummaryJson } from './summary.js';
export type { NormalizedSummary, NormalizedMetric, MetricType, RecordedThreshold, SummaryFormat } from './summary.js';
export { parseThresholdExpression, evaluateExpression, ThresholdSyntaxError } from './threshold-expression.js';
export type { ThresholdExpression, ThresholdOperator } from './threshold-expression.js';
export { describeK6ExitCode } from './exit-codes.js';
export type { K6Outcome, K6ExitDescription } from './exit-codes.js';
export { evaluateGate, DEFAULT_MAX_ERROR_RATE } from './gate.js';
export type { EvaluateGateOptions, GateInputs, ThresholdMap } from './gate.js';
export {
  buildK6Command,
  findK6,
  scanScriptPercentiles,
  trendStatsFor,
  k6ReleaseAssetUrl,
  k6ArchFor,
  K6_VERSION,
  DEFAULT_TREND_STATS,
} from './k6-command.js';
export type { BuildK6CommandOptions, K6Command, K6Arch, ExecutableProbe } from './k6-command.js';
export { runLocalLoad, localLoadConfigSchema, expandRoutes, routeName } from './local-engine.js';
export type { LocalLoadConfig, LocalLoadConfigInput, LocalRoute, RunLocalLoadOptions, LocalLoadResult } from './local-engine.js';
export { createFileBaselineStore, applyBaseline, figuresFromGate, baselineFileName, BaselineError, DEFAULT_NOISE_FLOOR_MS } from './baseline.js';
export type { BaselineStore, BaselineFigures, RegressionPolicy } from './baseline.js';
export { gateJUnitXml } from './junit.js';
export { formatGateTable } from './table.js';
export { runSmokeStage, defaultSmokeStageDeps } from './stage.js';
export type { SmokeStageOptions, SmokeStageDeps, SmokeStageResult, RunK6Options } from './stage.js';
export { gateCommand, gateSummaryFile, readK6SummaryFile, GATE_USAGE } from './command.js';
