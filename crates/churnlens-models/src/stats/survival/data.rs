//! Durations input: validation, the event table every estimator walks, and
//! the split of customers into groups.
//!
//! A customer is a duration (time from start to churn or to the end of
//! observation, any unit, zero allowed) and an event flag: `true` when the
//! customer churned at that duration, `false` when still active then
//! (right-censored). Customers with duration 0 are kept, as lifelines keeps
//! them; being censored at 0 they are in no risk set of a churn time after 0.

use super::SurvivalError;

/// Checks that there are customers, one event flag each, and that every
/// duration is a finite number of zero or more.
pub fn check_durations(durations: &[f64], events: &[bool]) -> Result<(), SurvivalError> {
    if durations.is_empty() {
        return Err(SurvivalError::Empty);
    }
    check_length("events", durations.len(), events.len())?;
    match durations.iter().position(|d| !(d.is_finite() && *d >= 0.0)) {
        Some(index) => Err(SurvivalError::InvalidDuration { index, value: durations[index] }),
        None => Ok(()),
    }
}

pub(crate) fn check_length(what: &'static str, expected: usize, found: usize) -> Result<(), SurvivalError> {
    if expected == found { Ok(()) } else { Err(SurvivalError::LengthMismatch { what, expected, found }) }
}

/// The positions of the customers ordered by duration and, among equal
/// durations, censored before churned, otherwise in input order (a stable
/// sort): the order lifelines' Cox fitter sorts its data into, which the
/// rank time transform of the proportional-hazards test depends on.
pub(crate) fn sorted_order(durations: &[f64], events: &[bool]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..durations.len()).collect();
    order.sort_by(|&a, &b| durations[a].total_cmp(&durations[b]).then(events[a].cmp(&events[b])));
    order
}

/// One row per distinct duration: how many customers were at risk just
/// before it, how many churned at it and how many were censored at it.
#[derive(Debug, Clone, PartialEq)]
pub struct EventTable {
    /// The distinct durations, ascending.
    pub times: Vec<f64>,
    /// Customers with a duration of at least `times[i]`.
    pub at_risk: Vec<usize>,
    /// Customers who churned at `times[i]`.
    pub observed: Vec<usize>,
    /// Customers censored at `times[i]`.
    pub censored: Vec<usize>,
}

impl EventTable {
    /// The event table of these customers.
    pub fn new(durations: &[f64], events: &[bool]) -> Result<Self, SurvivalError> {
        check_durations(durations, events)?;
        let order = sorted_order(durations, events);
        let mut table = EventTable { times: Vec::new(), at_risk: Vec::new(), observed: Vec::new(), censored: Vec::new() };
        let mut remaining = durations.len();
        let mut start = 0;
        while start < order.len() {
            let time = durations[order[start]];
            let end = start + order[start..].iter().take_while(|&&i| durations[i] == time).count();
            let observed = order[start..end].iter().filter(|&&i| events[i]).count();
            table.times.push(time);
            table.at_risk.push(remaining);
            table.observed.push(observed);
            table.censored.push(end - start - observed);
            remaining -= end - start;
            start = end;
        }
        Ok(table)
    }

    /// The index of the last time at or before `t`, if any.
    pub fn index_at(&self, t: f64) -> Option<usize> {
        self.times.partition_point(|&time| time <= t).checked_sub(1)
    }
}

/// The customers of one group.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupSample<G> {
    /// The group's label.
    pub label: G,
    /// Its customers' durations.
    pub durations: Vec<f64>,
    /// Its customers' churn flags.
    pub events: Vec<bool>,
}

/// The customers split by group label, the labels in ascending order.
pub fn split_by_group<G: Ord + Clone>(durations: &[f64], events: &[bool], groups: &[G]) -> Result<Vec<GroupSample<G>>, SurvivalError> {
    check_durations(durations, events)?;
    check_length("groups", durations.len(), groups.len())?;
    let (index, labels) = group_indices(groups);
    let mut split: Vec<GroupSample<G>> = labels.into_iter().map(|label| GroupSample { label, durations: Vec::new(), events: Vec::new() }).collect();
    for ((d, e), &i) in durations.iter().zip(events).zip(&index) {
        split[i].durations.push(*d);
        split[i].events.push(*e);
    }
    Ok(split)
}

/// The group index (into the ascending distinct labels) of every customer,
/// and those labels.
pub(crate) fn group_indices<G: Ord + Clone>(groups: &[G]) -> (Vec<usize>, Vec<G>) {
    let mut labels: Vec<G> = groups.to_vec();
    labels.sort();
    labels.dedup();
    let indices = groups.iter().map(|g| labels.binary_search(g).expect("every label was collected")).collect();
    (indices, labels)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_table_counts_ties_and_censoring() {
        // Durations 0 (censored), 2, 2 (churned), 2 (censored), 5 (churned):
        // at risk 5 at 0, 4 at 2, 1 at 5.
        let table = EventTable::new(&[2.0, 5.0, 0.0, 2.0, 2.0], &[true, true, false, false, true]).unwrap();
        assert_eq!(table.times, vec![0.0, 2.0, 5.0]);
        assert_eq!(table.at_risk, vec![5, 4, 1]);
        assert_eq!(table.observed, vec![0, 2, 1]);
        assert_eq!(table.censored, vec![1, 1, 0]);
        assert_eq!(table.index_at(-1.0), None);
        assert_eq!(table.index_at(3.0), Some(1));
    }

    #[test]
    fn refuses_bad_durations() {
        assert_eq!(EventTable::new(&[], &[]), Err(SurvivalError::Empty));
        assert_eq!(EventTable::new(&[1.0, -1.0], &[true, true]), Err(SurvivalError::InvalidDuration { index: 1, value: -1.0 }));
        assert!(matches!(EventTable::new(&[1.0, f64::NAN], &[true, true]), Err(SurvivalError::InvalidDuration { index: 1, .. })));
        assert_eq!(EventTable::new(&[1.0], &[true, false]), Err(SurvivalError::LengthMismatch { what: "events", expected: 1, found: 2 }));
    }

    #[test]
    fn sorts_censored_before_churned_and_keeps_input_order() {
        assert_eq!(sorted_order(&[3.0, 1.0, 3.0, 3.0, 1.0], &[true, true, false, true, true]), vec![1, 4, 2, 0, 3]);
    }
}
