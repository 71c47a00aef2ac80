// Every label the front end shows, in English and Chinese; the data's `lang` picks one.

import REPORT_LABELS from './report-labels.json';

// The report's labels live in report-labels.json, which the Rust report's
// static charts (crates/churnlens-report/src/charts.rs) read too.
export const LABELS = REPORT_LABELS;

export type Labels = typeof LABELS.en;

/** The dashboard's own labels (login, header, filters, drill-down, admin); the report's sections keep `LABELS`. */
export const DASHBOARD_LABELS = {
  en: {
    app: 'churnlens dashboard', signIn: 'Sign in', username: 'User name', password: 'Password', signingIn: 'Signing in…',
    tooMany: (wait: string) => `Too many failed sign-ins. Try again in ${wait}.`, seconds: (n: number) => `${n} s`, minutes: (n: number) => `${n} min`,
    signOut: 'Sign out', roles: { admin: 'admin', analyst: 'analyst', viewer: 'viewer' } as Record<string, string>, language: 'Language',
    overview: 'Overview', admin: 'Administration', filters: 'Filters', period: 'Month', latest: 'Latest', segment: 'RFM segment', all: 'All',
    attribute: 'Attribute', value: 'Value', none: '—', apply: 'Apply', reset: 'Reset', loading: 'Loading…', exportCsv: 'Export CSV',
    tables: { segments: 'Segments', drivers: 'Drivers', trend: 'By month', cohorts: 'Cohort retention table' } as Record<string, string>,
    segmentTable: { name: 'Segment', customers: 'Customers', churn_rate: 'Churn rate %', revenue_share: 'Revenue share %', average_clv: 'Average CLV' },
    driverTable: { attribute: 'Attribute', cramers_v: "Cramér's V", p_value: 'p-value', sentence: 'What stands out' },
    trendTable: { period: 'Month', churn_rate: 'Churn rate %', retention_rate: 'Retention rate %', active: 'Active', new: 'New', churned: 'Churned' },
    openSegment: 'Click a segment (bar or row) to see its customers.',
    customersOf: (segment: string) => `Customers in ${segment}`, allCustomers: 'Customers', search: 'Search name, phone, e-mail or id', searchMasked: 'Search by customer id', find: 'Search',
    shown: (from: number, to: number, total: number) => `${from}–${to} of ${total}`, previous: 'Previous', next: 'Next', back: 'Back',
    noRows: 'No customers match.', customer: 'Customer', timeline: 'Timeline', risk: 'Churn risk', probability: 'Probability', tier: 'Tier',
    reasons: 'Reasons', noRisk: 'No churn model has been saved for this workspace, so there is no risk score.',
    kinds: { orders: 'Orders', events: 'Events', feedback: 'Feedback', subscriptions: 'Subscriptions' } as Record<string, string>, empty: 'None',
    users: 'Users', addUser: 'Add user', role: 'Role', created: 'Created', remove: 'Remove', confirmRemove: (name: string) => `Remove user ${name}?`,
    audit: 'Audit log', at: 'Time', user: 'User', action: 'Action', detail: 'Detail', client: 'Client', forbidden: 'This page is for administrators.',
    notFound: 'Not found.', failed: 'The request failed', added: (name: string) => `User ${name} added.`, removed: (name: string) => `User ${name} removed.`,
  },
  zh: {
    app: 'churnlens 客户流失看板', signIn: '登录', username: '用户名', password: '密码', signingIn: '正在登录…',
    tooMany: (wait: string) => `登录失败次数过多，请 ${wait}后再试。`, seconds: (n: number) => `${n} 秒`, minutes: (n: number) => `${n} 分钟`,
    signOut: '退出登录', roles: { admin: '管理员', analyst: '分析师', viewer: '只读用户' } as Record<string, string>, language: '语言',
    overview: '总览', admin: '系统管理', filters: '筛选', period: '月份', latest: '最近一月', segment: 'RFM 分群', all: '全部',
    attribute: '客户属性', value: '取值', none: '—', apply: '应用', reset: '重置', loading: '加载中…', exportCsv: '导出 CSV',
    tables: { segments: '分群明细', drivers: '流失因素明细', trend: '按月明细', cohorts: '同期群留存明细' } as Record<string, string>,
    segmentTable: { name: '分群', customers: '客户数', churn_rate: '流失率 %', revenue_share: '收入占比 %', average_clv: '平均客户价值' },
    driverTable: { attribute: '属性', cramers_v: "Cramér's V", p_value: 'p 值', sentence: '要点' },
    trendTable: { period: '月份', churn_rate: '流失率 %', retention_rate: '留存率 %', active: '活跃', new: '新增', churned: '流失' },
    openSegment: '点击分群（柱形或表格行）查看其中的客户。',
    customersOf: (segment: string) => `${segment}的客户`, allCustomers: '客户', search: '搜索姓名、手机、邮箱或编号', searchMasked: '按客户编号搜索', find: '搜索',
    shown: (from: number, to: number, total: number) => `第 ${from}–${to} 条，共 ${total} 条`, previous: '上一页', next: '下一页', back: '返回',
    noRows: '没有符合条件的客户。', customer: '客户', timeline: '时间线', risk: '流失风险', probability: '概率', tier: '风险等级',
    reasons: '原因', noRisk: '此工作区尚未保存流失预测模型，因此没有风险评分。',
    kinds: { orders: '订单', events: '行为事件', feedback: '反馈', subscriptions: '订阅' } as Record<string, string>, empty: '无',
    users: '用户', addUser: '添加用户', role: '角色', created: '创建时间', remove: '删除', confirmRemove: (name: string) => `确定删除用户 ${name}？`,
    audit: '审计日志', at: '时间', user: '用户', action: '操作', detail: '详情', client: '客户端', forbidden: '此页面仅限管理员访问。',
    notFound: '未找到。', failed: '请求失败', added: (name: string) => `已添加用户 ${name}。`, removed: (name: string) => `已删除用户 ${name}。`,
  },
};

/** The dashboard's labels in one language. */
export type DashboardLabels = typeof DASHBOARD_LABELS.en;
