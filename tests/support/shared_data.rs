//! Where the shared reference data sets (`../shared/data`: Telco, CDNOW)
//! live, found at run time. One file for every crate's integration tests,
//! each of which includes it with `#[path = "…/tests/support/shared_data.rs"]`
//! (a test-support crate would change cargo's feature unification).

use std::path::PathBuf;

/// The crate's directory, as cargo gives it to the running test (not as
/// compiled in: a test binary reused from another checkout through a shared
/// target directory must not look in that checkout).
pub fn manifest_dir() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from)
}

/// `../shared/data`, or `None` — said loudly — when this checkout has none.
/// `CHURNLENS_SHARED_DATA` names the directory explicitly (`.ci/run` sets it),
/// and then it must exist.
pub fn shared_data() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("CHURNLENS_SHARED_DATA") {
        let dir = PathBuf::from(dir);
        assert!(dir.join("telco").is_dir() && dir.join("cdnow").is_dir(), "CHURNLENS_SHARED_DATA={} holds no telco/ and cdnow/", dir.display());
        return Some(dir);
    }
    let dir = manifest_dir().join("../../../shared/data");
    if dir.exists() {
        Some(dir)
    } else {
        eprintln!("SKIPPED: {} is absent; set CHURNLENS_SHARED_DATA to run the reference-data tests", dir.display());
        None
    }
}
