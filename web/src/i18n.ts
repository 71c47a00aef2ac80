// Every label the front end shows, in English and Chinese; the data's `lang` picks one.

export const LABELS = {
  en: {
    title: 'Churn report', workspace: 'Workspace', period: 'Month', asOf: 'Data up to', vsPrevious: 'vs', notes: 'Not in this report',
    kpi: { churn_rate: 'Churn rate', retention_rate: 'Retention rate', active_customers: 'Active customers', average_clv: 'Average CLV (to date)', nps: 'NPS', revenue_lost: 'Revenue lost to churn' },
    points: 'pts',
    sections: {
      trend: 'Churn and retention', revenue_lost: 'Revenue lost to churn', cohorts: 'Cohort retention', lifecycle: 'Lifecycle stages',
      flows: 'Lifecycle flows into the last month', nps: 'Net Promoter Score', segments: 'RFM segments', drivers: 'Top churn drivers', survival: 'Survival curves',
      forecast: 'Active customers forecast', clv: 'Predicted CLV distribution', churn_model: 'Churn prediction', roc: 'ROC curve', lift: 'Lift by decile', at_risk: 'Customers at risk',
      importance: 'What the model relies on',
    },
    series: {
      churn: 'Churn rate %', retention: 'Retention rate %', active: 'Active customers', revenueLost: 'Revenue lost', churned: 'Churned customers',
      monthsSince: 'Months since first purchase', cohort: 'Cohort', retentionCell: 'Retention %', customers: 'Customers', churnRate: 'Churn rate %',
      cramersV: "Cramér's V", survival: 'Not churned %', history: 'Observed', forecast: 'Forecast', i80: '80% interval', i95: '95% interval',
      clv: 'CLV', nps: 'NPS', responses: 'Answers', auc: 'ROC AUC', fpr: 'False positive rate', tpr: 'True positive rate', lift: 'Lift',
      customer: 'Customer', probability: 'Churn probability %', reasons: 'Reasons', previous: 'previous month', last: 'last month',
      baseline: 'Recency only', model: 'Model', algorithm: 'Algorithm', prAuc: 'PR AUC', logLoss: 'Log loss', brier: 'Brier', f1: 'F1',
      rows: 'Training rows', chance: 'Chance', decile: 'Decile of predicted risk', gain: 'Cumulative gain %', cumulativeLift: 'Cumulative lift',
      aucDrop: 'ROC AUC drop', tier: 'Tier',
    },
  },
  zh: {
    title: '客户流失分析报告', workspace: '工作区', period: '月份', asOf: '数据截至', vsPrevious: '对比', notes: '本报告未包含',
    kpi: { churn_rate: '流失率', retention_rate: '留存率', active_customers: '活跃客户', average_clv: '平均客户价值（累计）', nps: '净推荐值', revenue_lost: '流失带走的收入' },
    points: '个百分点',
    sections: {
      trend: '流失与留存趋势', revenue_lost: '流失造成的收入损失', cohorts: '同期群留存', lifecycle: '生命周期阶段',
      flows: '进入最近一个月的生命周期流转', nps: '净推荐值', segments: 'RFM 客户分群', drivers: '主要流失因素', survival: '生存曲线',
      forecast: '活跃客户预测', clv: '预测客户价值分布', churn_model: '流失预测', roc: 'ROC 曲线', lift: '各十分位提升度', at_risk: '高风险客户',
      importance: '模型最依赖的特征',
    },
    series: {
      churn: '流失率 %', retention: '留存率 %', active: '活跃客户', revenueLost: '损失收入', churned: '流失客户',
      monthsSince: '首购后月数', cohort: '首购月份', retentionCell: '留存率 %', customers: '客户数', churnRate: '流失率 %',
      cramersV: "Cramér's V", survival: '未流失 %', history: '实际', forecast: '预测', i80: '80% 区间', i95: '95% 区间',
      clv: '客户价值', nps: '净推荐值', responses: '答卷数', auc: 'ROC AUC', fpr: '假阳性率', tpr: '真阳性率', lift: '提升度',
      customer: '客户', probability: '流失概率 %', reasons: '原因', previous: '上月', last: '本月',
      baseline: '仅按最近购买', model: '模型', algorithm: '算法', prAuc: 'PR AUC', logLoss: '对数损失', brier: 'Brier', f1: 'F1',
      rows: '训练行数', chance: '随机', decile: '预测风险十分位', gain: '累计增益 %', cumulativeLift: '累计提升度',
      aucDrop: 'ROC AUC 下降', tier: '风险等级',
    },
  },
};

export type Labels = typeof LABELS.en;
