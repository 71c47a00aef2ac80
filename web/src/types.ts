// The report's data as the Rust crate churnlens-report serialises it
// (crates/churnlens-report/src/data.rs): one shape for the HTML report and the
// dashboard. Rates are percent.

export type KpiKey = 'churn_rate' | 'retention_rate' | 'active_customers' | 'average_clv' | 'nps' | 'revenue_lost';

export interface Kpi { key: KpiKey; value: number | null; previous: number | null; change: number | null; higher_is_better: boolean }
export interface Note { section: string; text: string }
export interface Mover { group: string; previous: number; value: number }
export interface TrendSection {
  periods: string[]; churn_rate: (number | null)[]; retention_rate: (number | null)[]; active: number[]; new: number[]; churned: number[];
  breakdown: string | null; biggest_mover: Mover | null; summary: string;
}
export interface RevenueLostSection { periods: string[]; revenue_lost: number[]; churned: number[]; summary: string }
export interface CohortSection { cohorts: string[]; sizes: number[]; max_offset: number; cells: [number, number, number][]; summary: string }
export interface LifecycleSection { periods: string[]; stages: string[]; counts: number[][]; flows: [number, number, number][]; summary: string }
export interface NpsSection { periods: string[]; nps: (number | null)[]; responses: number[]; summary: string }
export interface Segment { name: string; customers: number; churn_rate: number; revenue_share: number | null; average_clv: number }
export interface SegmentSection { segments: Segment[]; summary: string }
export interface Driver { attribute: string; cramers_v: number | null; p_value: number | null; sentence: string | null }
export interface DriverSection { drivers: Driver[]; customers: number; churned: number; summary: string }
export interface SurvivalCurve { group: string; customers: number; survival: number[]; lower: number[]; upper: number[]; median_months: number | null }
export interface SurvivalSection { by: string; months: number[]; curves: SurvivalCurve[]; summary: string }
export interface ForecastSection {
  model: string; history_periods: string[]; history: number[]; periods: string[]; point: number[];
  lower_80: number[]; upper_80: number[]; lower_95: number[]; upper_95: number[]; summary: string;
}
export interface ClvBin { lower: number; upper: number; customers: number }
export interface ClvSection {
  model: string; saved_model: boolean; horizon_months: number; discount_rate: number; customers: number; mean_clv: number;
  top20_share: number; mean_p_alive: number; bins: ClvBin[]; summary: string;
}
export interface ModelScore {
  name: string; algorithm: string; auc: number; pr_auc: number | null; log_loss: number | null; brier: number | null; f1: number | null;
  baseline_auc: number | null; rows: number; default: boolean;
}
export interface GainsDecile { decile: number; cumulative_gain: number; lift: number; cumulative_lift: number }
export interface FeatureImportance { feature: string; correlated: string[]; auc_drop: number; gain_share: number | null; kind: string; driver: boolean }
export interface AtRiskCustomer { customer_id: string; probability: number; tier: string; reasons: string[]; drivers: string[] }
export interface ChurnModelSection {
  model: string; algorithm: string; trained_at: string | null; models: ModelScore[]; curves_held_out: boolean; curve_rows: number; curve_auc: number;
  roc: [number, number][]; gains: GainsDecile[]; importance: FeatureImportance[]; scored: number; high_risk: number; medium_risk: number;
  at_risk: AtRiskCustomer[]; summary: string; curves_summary: string; importance_summary: string; at_risk_summary: string;
}

export interface ReportData {
  format_version: number; lang: 'en' | 'zh'; workspace: string; period: string | null; previous_period: string | null; as_of: string | null;
  kpis: Kpi[];
  trend: TrendSection | null; revenue_lost: RevenueLostSection | null; cohorts: CohortSection | null; lifecycle: LifecycleSection | null;
  nps: NpsSection | null; segments: SegmentSection | null; drivers: DriverSection | null; survival: SurvivalSection | null;
  forecast: ForecastSection | null; clv: ClvSection | null; churn_model: ChurnModelSection | null; notes: Note[];
}
