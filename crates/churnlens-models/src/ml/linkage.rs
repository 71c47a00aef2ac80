//! Complete-linkage agglomerative clustering cut at a distance: the flat
//! groups of scipy's `fcluster(linkage(d, "complete"), t, "distance")`,
//! with an optional rule that only items of the same kind may share a group.

/// Groups of `0..p` under the row-major `p × p` `distance` matrix, such that
/// every two members of a group are at most `threshold` apart (complete
/// linkage: two groups merge, closest first, while their farthest members
/// are within `threshold`). Items of different `kinds` never share a group,
/// as if infinitely apart. Each group is sorted; groups are ordered by
/// their first member.
pub fn complete_linkage_groups(distance: &[f64], kinds: &[usize], threshold: f64) -> Vec<Vec<usize>> {
    let p = kinds.len();
    assert_eq!(distance.len(), p * p, "a p × p distance matrix");
    let mut groups: Vec<Option<Vec<usize>>> = (0..p).map(|i| Some(vec![i])).collect();
    // Group-to-group distances; complete linkage updates them by the
    // maximum (Lance–Williams), so each merge costs O(p).
    let mut between: Vec<f64> = (0..p * p).map(|k| if kinds[k / p] == kinds[k % p] { distance[k] } else { f64::INFINITY }).collect();
    loop {
        let mut closest: Option<(f64, usize, usize)> = None;
        for a in 0..p {
            if groups[a].is_none() {
                continue;
            }
            for b in a + 1..p {
                if groups[b].is_some() && between[a * p + b] <= threshold && closest.is_none_or(|(d, _, _)| between[a * p + b] < d) {
                    closest = Some((between[a * p + b], a, b));
                }
            }
        }
        let Some((_, a, b)) = closest else { break };
        let absorbed = groups[b].take().unwrap_or_default();
        if let Some(group) = groups[a].as_mut() {
            group.extend(absorbed);
        }
        for k in 0..p {
            let d = between[a * p + k].max(between[b * p + k]);
            between[a * p + k] = d;
            between[k * p + a] = d;
        }
    }
    let mut out: Vec<Vec<usize>> = groups
        .into_iter()
        .flatten()
        .map(|mut g| {
            g.sort_unstable();
            g
        })
        .collect();
    out.sort_by_key(|g| g[0]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A chain a–b–c whose neighbours are close and whose ends are not:
    /// complete linkage keeps the closest pair and leaves the far end out
    /// (single linkage would join all three).
    #[test]
    fn a_chain_is_cut_where_its_ends_are_too_far_apart() {
        #[rustfmt::skip]
        let distance = [
            0.0, 0.25, 0.4,
            0.25, 0.0, 0.2,
            0.4, 0.2, 0.0,
        ];
        assert_eq!(complete_linkage_groups(&distance, &[0, 0, 0], 0.3), vec![vec![0], vec![1, 2]]);
        assert_eq!(complete_linkage_groups(&distance, &[0, 0, 0], 0.4), vec![vec![0, 1, 2]]);
        assert_eq!(complete_linkage_groups(&distance, &[0, 1, 1], 0.4), vec![vec![0], vec![1, 2]]);
        assert_eq!(complete_linkage_groups(&distance, &[0, 1, 2], 1.0), vec![vec![0], vec![1], vec![2]]);
    }
}
