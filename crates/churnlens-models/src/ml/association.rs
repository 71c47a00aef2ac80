//! Frequent itemsets by FP-growth (Han, Pei and Yin, SIGMOD 2000) and the
//! association rules between them, as mlxtend's `fpgrowth` and
//! `association_rules` compute them.
//!
//! Transactions are slices of item indices (an item repeated within one
//! transaction counts once). Over n transactions the support of an itemset
//! is the share containing all its items; an itemset is frequent when its
//! count is at least ⌈min_support · n⌉ (mlxtend's rule, computed in the same
//! floating point). FP-growth builds a prefix tree of the transactions with
//! items in decreasing frequency and mines it recursively through
//! conditional trees, so it never enumerates infrequent candidates.
//!
//! A rule A → C splits a frequent itemset A ∪ C into two non-empty parts.
//! With supports s(A), s(C), s(AC), its metrics (mlxtend's definitions):
//! * confidence = s(AC)/s(A); lift = confidence/s(C);
//! * leverage = s(AC) − s(A)s(C);
//! * conviction = (1 − s(C))/(1 − confidence), +∞ when confidence is 1;
//! * Zhang's metric = leverage / max(s(AC)(1 − s(A)), s(A)(s(C) − s(AC))), 0 when that is 0;
//! * Jaccard = s(AC)/(s(A) + s(C) − s(AC));
//! * certainty = (confidence − s(C))/(1 − s(C)), 0 when s(C) = 1;
//! * Kulczynski = (s(AC)/s(A) + s(AC)/s(C))/2.
//!
//! A rule is kept when the chosen metric is at least the threshold.

use std::collections::{BTreeMap, HashMap};

use super::MlError;

/// A frequent itemset: its items (ascending), count and support.
#[derive(Debug, Clone, PartialEq)]
pub struct FrequentItemset {
    /// The item indices, ascending.
    pub items: Vec<usize>,
    /// The number of transactions containing all of them.
    pub count: usize,
    /// count / the number of transactions.
    pub support: f64,
}

/// All frequent itemsets of a set of transactions.
#[derive(Debug, Clone, PartialEq)]
pub struct FrequentItemsets {
    itemsets: Vec<FrequentItemset>,
    n_transactions: usize,
}

impl FrequentItemsets {
    /// The itemsets, by size and then by items.
    pub fn itemsets(&self) -> &[FrequentItemset] {
        &self.itemsets
    }

    /// The number of transactions mined.
    pub fn n_transactions(&self) -> usize {
        self.n_transactions
    }
}

/// The frequent itemsets of `transactions` with support at least
/// `min_support` (0 < min_support ≤ 1) and at most `max_len` items (all
/// sizes when None).
pub fn fpgrowth<T: AsRef<[usize]>>(transactions: &[T], min_support: f64, max_len: Option<usize>) -> Result<FrequentItemsets, MlError> {
    if transactions.is_empty() {
        return Err(MlError::NoTransactions);
    }
    if !(min_support > 0.0 && min_support <= 1.0) {
        return Err(MlError::InvalidParameter { name: "min_support", reason: "must be above 0 and at most 1" });
    }
    if max_len == Some(0) {
        return Err(MlError::InvalidParameter { name: "max_len", reason: "must be at least 1" });
    }
    let n = transactions.len();
    let min_count = (min_support * n as f64).ceil() as usize;
    let paths: Vec<(Vec<usize>, usize)> = transactions
        .iter()
        .map(|t| {
            let mut items = t.as_ref().to_vec();
            items.sort_unstable();
            items.dedup();
            (items, 1)
        })
        .collect();
    let mut found = Vec::new();
    mine(&paths, min_count, &mut Vec::new(), max_len.unwrap_or(usize::MAX), &mut found);
    let mut itemsets: Vec<FrequentItemset> = found
        .into_iter()
        .map(|(mut items, count)| {
            items.sort_unstable();
            FrequentItemset { items, count, support: count as f64 / n as f64 }
        })
        .collect();
    itemsets.sort_by(|a, b| a.items.len().cmp(&b.items.len()).then_with(|| a.items.cmp(&b.items)));
    Ok(FrequentItemsets { itemsets, n_transactions: n })
}

/// An FP-tree node: an item, the count of transactions through it, its parent.
struct Node {
    item: usize,
    count: usize,
    parent: usize,
}

/// Mines the (conditional) database `paths` of weighted transactions: every
/// frequent item extends `suffix` into a frequent itemset, and its
/// conditional pattern base (the tree paths above its nodes) is mined in turn.
fn mine(paths: &[(Vec<usize>, usize)], min_count: usize, suffix: &mut Vec<usize>, max_len: usize, out: &mut Vec<(Vec<usize>, usize)>) {
    let mut counts: BTreeMap<usize, usize> = BTreeMap::new();
    for (items, weight) in paths {
        items.iter().for_each(|&item| *counts.entry(item).or_default() += weight);
    }
    // Tree order: decreasing count, then ascending item; rank 0 is the most frequent.
    let mut frequent: Vec<(usize, usize)> = counts.into_iter().filter(|&(_, c)| c >= min_count).collect();
    frequent.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    if frequent.is_empty() {
        return;
    }
    let rank: HashMap<usize, usize> = frequent.iter().enumerate().map(|(r, &(item, _))| (item, r)).collect();
    // The tree: node 0 is the root; children keyed by item; a node list per rank.
    let mut nodes = vec![Node { item: usize::MAX, count: 0, parent: 0 }];
    let mut children: HashMap<(usize, usize), usize> = HashMap::new();
    let mut header: Vec<Vec<usize>> = vec![Vec::new(); frequent.len()];
    for (items, weight) in paths {
        let mut ordered: Vec<usize> = items.iter().copied().filter(|item| rank.contains_key(item)).collect();
        ordered.sort_by_key(|item| rank[item]);
        let mut at = 0;
        for item in ordered {
            at = *children.entry((at, item)).or_insert_with(|| {
                nodes.push(Node { item, count: 0, parent: at });
                header[rank[&item]].push(nodes.len() - 1);
                nodes.len() - 1
            });
            nodes[at].count += weight;
        }
    }
    // Least frequent first, as in the paper; the order changes nothing found.
    for (r, &(item, count)) in frequent.iter().enumerate().rev() {
        suffix.push(item);
        out.push((suffix.clone(), count));
        if suffix.len() < max_len {
            let base: Vec<(Vec<usize>, usize)> = header[r]
                .iter()
                .filter_map(|&node| {
                    let mut path = Vec::new();
                    let mut at = nodes[node].parent;
                    while at != 0 {
                        path.push(nodes[at].item);
                        at = nodes[at].parent;
                    }
                    (!path.is_empty()).then(|| (path, nodes[node].count))
                })
                .collect();
            if !base.is_empty() {
                mine(&base, min_count, suffix, max_len, out);
            }
        }
        suffix.pop();
    }
}

/// The metric that filters rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleMetric {
    /// s(AC).
    Support,
    /// s(AC)/s(A).
    Confidence,
    /// confidence/s(C).
    Lift,
    /// s(AC) − s(A)s(C).
    Leverage,
    /// (1 − s(C))/(1 − confidence).
    Conviction,
    /// Zhang's metric.
    ZhangsMetric,
    /// The Jaccard index of A and C.
    Jaccard,
    /// The certainty factor.
    Certainty,
    /// The Kulczynski measure.
    Kulczynski,
}

/// An association rule A → C with its metrics.
#[derive(Debug, Clone, PartialEq)]
pub struct AssociationRule {
    /// The items A, ascending.
    pub antecedent: Vec<usize>,
    /// The items C, ascending.
    pub consequent: Vec<usize>,
    /// s(A).
    pub antecedent_support: f64,
    /// s(C).
    pub consequent_support: f64,
    /// s(AC).
    pub support: f64,
    /// s(AC)/s(A).
    pub confidence: f64,
    /// confidence/s(C).
    pub lift: f64,
    /// s(AC) − s(A)s(C).
    pub leverage: f64,
    /// (1 − s(C))/(1 − confidence); +∞ when the confidence is 1.
    pub conviction: f64,
    /// Zhang's metric, −1 to 1.
    pub zhangs_metric: f64,
    /// s(AC)/(s(A) + s(C) − s(AC)).
    pub jaccard: f64,
    /// (confidence − s(C))/(1 − s(C)).
    pub certainty: f64,
    /// (s(AC)/s(A) + s(AC)/s(C))/2.
    pub kulczynski: f64,
}

impl AssociationRule {
    fn new(antecedent: Vec<usize>, consequent: Vec<usize>, s_a: f64, s_c: f64, s_ac: f64) -> Self {
        let confidence = s_ac / s_a;
        let leverage = s_ac - s_a * s_c;
        let zhang_denominator = (s_ac * (1.0 - s_a)).max(s_a * (s_c - s_ac));
        AssociationRule {
            antecedent,
            consequent,
            antecedent_support: s_a,
            consequent_support: s_c,
            support: s_ac,
            confidence,
            lift: confidence / s_c,
            leverage,
            conviction: if confidence < 1.0 { (1.0 - s_c) / (1.0 - confidence) } else { f64::INFINITY },
            zhangs_metric: if zhang_denominator == 0.0 { 0.0 } else { leverage / zhang_denominator },
            jaccard: s_ac / (s_a + s_c - s_ac),
            certainty: if s_c == 1.0 { 0.0 } else { (confidence - s_c) / (1.0 - s_c) },
            kulczynski: (s_ac / s_a + s_ac / s_c) / 2.0,
        }
    }

    /// The value of `metric` for this rule.
    pub fn metric(&self, metric: RuleMetric) -> f64 {
        match metric {
            RuleMetric::Support => self.support,
            RuleMetric::Confidence => self.confidence,
            RuleMetric::Lift => self.lift,
            RuleMetric::Leverage => self.leverage,
            RuleMetric::Conviction => self.conviction,
            RuleMetric::ZhangsMetric => self.zhangs_metric,
            RuleMetric::Jaccard => self.jaccard,
            RuleMetric::Certainty => self.certainty,
            RuleMetric::Kulczynski => self.kulczynski,
        }
    }
}

/// Every rule from the frequent itemsets whose `metric` is at least
/// `min_threshold`, ordered by antecedent and then consequent.
pub fn association_rules(frequent: &FrequentItemsets, metric: RuleMetric, min_threshold: f64) -> Vec<AssociationRule> {
    let support: HashMap<&[usize], f64> = frequent.itemsets.iter().map(|s| (s.items.as_slice(), s.support)).collect();
    let mut rules = Vec::new();
    for itemset in frequent.itemsets.iter().filter(|s| s.items.len() >= 2) {
        let size = itemset.items.len();
        // Every non-empty proper subset as the antecedent, by bit mask.
        for mask in 1..(1u64 << size) - 1 {
            let (antecedent, consequent): (Vec<usize>, Vec<usize>) = {
                let (a, c): (Vec<_>, Vec<_>) = itemset.items.iter().enumerate().partition(|(i, _)| mask & (1 << i) != 0);
                (a.into_iter().map(|(_, &item)| item).collect(), c.into_iter().map(|(_, &item)| item).collect())
            };
            // Subsets of a frequent itemset are frequent, so both are present.
            let s_a = support[antecedent.as_slice()];
            let s_c = support[consequent.as_slice()];
            let rule = AssociationRule::new(antecedent, consequent, s_a, s_c, itemset.support);
            if rule.metric(metric) >= min_threshold {
                rules.push(rule);
            }
        }
    }
    rules.sort_by(|a, b| a.antecedent.cmp(&b.antecedent).then_with(|| a.consequent.cmp(&b.consequent)));
    rules
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    /// The five transactions of Han, Pei and Yin's FP-growth example (their
    /// Table 1, items f c a m p b … renamed to indices).
    fn paper_transactions() -> Vec<Vec<usize>> {
        // f=0 c=1 a=2 b=3 m=4 p=5 and the infrequent rest from 10 up.
        vec![vec![0, 2, 1, 10, 11, 12, 4, 5], vec![2, 3, 1, 0, 13, 4, 14], vec![3, 0, 15, 16, 17], vec![3, 1, 18, 19, 20, 5], vec![2, 0, 1, 21, 22, 5, 4, 23]]
    }

    #[test]
    fn finds_the_frequent_patterns_of_the_paper() {
        // Minimum count 3 of 5 (support 0.6). The paper's patterns with p and m:
        // {c p}: 3 and {f c a m}: 3 with all its subsets.
        let frequent = fpgrowth(&paper_transactions(), 0.6, None).unwrap();
        let find = |items: &[usize]| frequent.itemsets().iter().find(|s| s.items == items).map(|s| s.count);
        assert_eq!(find(&[0]), Some(4));
        assert_eq!(find(&[1, 5]), Some(3));
        assert_eq!(find(&[0, 1, 2, 4]), Some(3));
        assert_eq!(find(&[0, 5]), None);
        // Single items f c a b m p (6), the 15 subsets of {f c a m} of size ≥ 2 (11), and {c p}: 18.
        assert_eq!(frequent.itemsets().len(), 18);
        let short = fpgrowth(&paper_transactions(), 0.6, Some(2)).unwrap();
        assert!(short.itemsets().iter().all(|s| s.items.len() <= 2));
        assert_eq!(short.itemsets().len(), 6 + 6 + 1);
    }

    #[test]
    fn rule_metrics_by_hand_arithmetic() {
        // {a} → {m}: s(a) = s(m) = s(am) = 3/5, so confidence 1, lift 5/3, conviction ∞.
        let frequent = fpgrowth(&paper_transactions(), 0.6, None).unwrap();
        let rules = association_rules(&frequent, RuleMetric::Confidence, 0.9);
        let rule = rules.iter().find(|r| r.antecedent == [2] && r.consequent == [4]).unwrap();
        assert_abs_diff_eq!(rule.confidence, 1.0, epsilon = 1e-15);
        assert_abs_diff_eq!(rule.lift, 5.0 / 3.0, epsilon = 1e-15);
        assert_abs_diff_eq!(rule.leverage, 0.6 - 0.36, epsilon = 1e-15);
        assert_eq!(rule.conviction, f64::INFINITY);
        assert!(rules.iter().all(|r| r.confidence >= 0.9));
        // {f} → {c}: s(f) = s(c) = 4/5, s(fc) = 3/5: confidence 3/4, conviction (1/5)/(1/4) = 4/5.
        let all = association_rules(&frequent, RuleMetric::Support, 0.0);
        let rule = all.iter().find(|r| r.antecedent == [0] && r.consequent == [1]).unwrap();
        assert_abs_diff_eq!(rule.confidence, 0.75, epsilon = 1e-15);
        assert_abs_diff_eq!(rule.conviction, 0.8, epsilon = 1e-14);
        assert_abs_diff_eq!(rule.jaccard, 0.6 / 1.0, epsilon = 1e-15);
    }

    #[test]
    fn agrees_with_counting_every_itemset_by_brute_force() {
        // Random baskets over 9 items with uneven popularity; the reference
        // counts all 2⁹ − 1 itemsets directly.
        let mut rng = crate::ml::rng::SplitMix64::new(99);
        let popularity = [0.6, 0.5, 0.45, 0.4, 0.3, 0.25, 0.2, 0.1, 0.05];
        let transactions: Vec<Vec<usize>> = (0..200).map(|_| (0..9).filter(|&i| rng.next_f64() < popularity[i]).collect()).collect();
        for (min_support, max_len) in [(0.02, None), (0.1, None), (0.25, Some(2)), (0.5, None)] {
            let min_count = (min_support * 200.0f64).ceil() as usize;
            let mut expected: Vec<(Vec<usize>, usize)> = (1u32..1 << 9)
                .map(|mask| (0..9).filter(|i| mask & (1 << i) != 0).collect::<Vec<usize>>())
                .filter(|items| max_len.is_none_or(|m| items.len() <= m))
                .map(|items| {
                    let count = transactions.iter().filter(|t| items.iter().all(|i| t.contains(i))).count();
                    (items, count)
                })
                .filter(|(_, count)| *count >= min_count)
                .collect();
            expected.sort_by(|a, b| a.0.len().cmp(&b.0.len()).then_with(|| a.0.cmp(&b.0)));
            let found = fpgrowth(&transactions, min_support, max_len).unwrap();
            let found: Vec<(Vec<usize>, usize)> = found.itemsets().iter().map(|s| (s.items.clone(), s.count)).collect();
            assert_eq!(found, expected, "min_support {min_support}, max_len {max_len:?}");
        }
    }

    #[test]
    fn rejects_what_cannot_be_mined() {
        let none: Vec<Vec<usize>> = Vec::new();
        assert_eq!(fpgrowth(&none, 0.5, None), Err(MlError::NoTransactions));
        assert!(fpgrowth(&paper_transactions(), 0.0, None).is_err());
        assert!(fpgrowth(&paper_transactions(), 0.5, Some(0)).is_err());
    }
}
