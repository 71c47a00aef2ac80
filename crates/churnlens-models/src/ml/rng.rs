//! SplitMix64 (Steele, Lea and Flood, OOPSLA 2014, as in Java's
//! `SplittableRandom`): a tiny, fast generator whose output is fixed by the
//! seed on every platform, which is all k-means++ and silhouette sampling
//! need; it is not for cryptography.

/// A seeded SplitMix64 generator.
#[derive(Debug, Clone)]
pub(crate) struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    pub(crate) fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform on [0, 1) with 53 random bits.
    pub(crate) fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform on 0..n (n > 0), by Lemire's multiply-shift; the bias is below
    /// n / 2⁶⁴, far under anything k-means could notice.
    pub(crate) fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// `count` distinct indices of 0..n in random order (a partial Fisher–Yates shuffle).
    pub(crate) fn sample_indices(&mut self, n: usize, count: usize) -> Vec<usize> {
        let mut indices: Vec<usize> = (0..n).collect();
        for i in 0..count.min(n) {
            let j = i + self.below(n - i);
            indices.swap(i, j);
        }
        indices.truncate(count.min(n));
        indices
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_published_splitmix64_sequence() {
        // The first outputs for seed 1234567, from the reference C code
        // (Vigna, prng.di.unimi.it/splitmix64.c), compiled and run.
        let mut rng = SplitMix64::new(1234567);
        assert_eq!(rng.next_u64(), 6457827717110365317);
        assert_eq!(rng.next_u64(), 3203168211198807973);
    }

    #[test]
    fn samples_are_distinct_and_in_range() {
        let mut rng = SplitMix64::new(7);
        let mut sample = rng.sample_indices(50, 20);
        sample.sort_unstable();
        sample.dedup();
        assert_eq!(sample.len(), 20);
        assert!(sample.iter().all(|&i| i < 50));
        assert!((0..1000).map(|_| rng.next_f64()).all(|u| (0.0..1.0).contains(&u)));
    }
}
