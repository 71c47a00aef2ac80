//! Where the shared reference data sets live, found at run time.

use std::path::PathBuf;

/// The crate's directory: at run time when cargo sets it, else as compiled.
pub fn manifest_dir() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from)
}

/// ../shared/data, or None (said loudly) when absent; CHURNLENS_SHARED_DATA names it explicitly (CI sets it) and then it must exist.
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
