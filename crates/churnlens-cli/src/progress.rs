//! Progress bars on standard error for work that can take over a second.
//! indicatif draws nothing when standard error is not a terminal, so logs
//! and pipes stay clean.

use indicatif::{ProgressBar, ProgressStyle};

/// A byte- or count-based bar with a message.
pub fn bar(message: impl Into<String>, bytes: bool) -> ProgressBar {
    let bar = ProgressBar::new(0);
    let template = if bytes { "{msg:24} [{bar:30}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta})" } else { "{msg:24} [{bar:30}] {pos}/{len} ({eta})" };
    bar.set_style(ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar()).progress_chars("=> "));
    bar.set_message(message.into());
    bar
}
