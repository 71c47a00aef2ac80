//! The server log: a minimal `tracing` subscriber that writes one line per
//! event to standard error (`2026-11-26T10:00:00Z ERROR request failed error="…"`),
//! so the details the API keeps from its clients reach the operator.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};

/// Writes events at `level` and above to standard error.
#[derive(Debug)]
pub struct StderrLog {
    level: Level,
    next_span: AtomicU64,
}

impl StderrLog {
    /// A log of events at `level` and more severe.
    pub fn new(level: Level) -> StderrLog {
        StderrLog { level, next_span: AtomicU64::new(1) }
    }

    /// Installs it as the process's subscriber (once; later calls are ignored).
    pub fn install(level: Level) {
        // A second install (tests, an embedding program with its own subscriber) keeps the first.
        let _ = tracing::subscriber::set_global_default(StderrLog::new(level));
    }
}

/// Collects an event's fields as `message key=value …`.
#[derive(Default)]
struct Line {
    message: String,
    fields: String,
}

impl Visit for Line {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            let _ = write!(self.fields, " {}={value:?}", field.name());
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            let _ = write!(self.fields, " {}={value:?}", field.name());
        }
    }
}

/// The line an event is written as (without the time stamp).
fn format_event(event: &Event<'_>) -> String {
    let mut line = Line::default();
    event.record(&mut line);
    format!("{} {}{}", event.metadata().level(), line.message, line.fields)
}

impl Subscriber for StderrLog {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        *metadata.level() <= self.level
    }

    fn new_span(&self, _span: &Attributes<'_>) -> Id {
        Id::from_u64(self.next_span.fetch_add(1, Ordering::Relaxed))
    }

    fn record(&self, _span: &Id, _values: &Record<'_>) {}

    fn record_follows_from(&self, _span: &Id, _follows: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        eprintln!("{at} {}", format_event(event));
    }

    fn enter(&self, _span: &Id) {}

    fn exit(&self, _span: &Id) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// Captures formatted lines instead of printing them.
    struct Capture(Arc<Mutex<Vec<String>>>);

    impl Subscriber for Capture {
        fn enabled(&self, metadata: &Metadata<'_>) -> bool {
            *metadata.level() <= Level::WARN
        }
        fn new_span(&self, _span: &Attributes<'_>) -> Id {
            Id::from_u64(1)
        }
        fn record(&self, _span: &Id, _values: &Record<'_>) {}
        fn record_follows_from(&self, _span: &Id, _follows: &Id) {}
        fn event(&self, event: &Event<'_>) {
            self.0.lock().unwrap().push(format_event(event));
        }
        fn enter(&self, _span: &Id) {}
        fn exit(&self, _span: &Id) {}
    }

    #[test]
    fn events_become_one_line_with_their_fields() {
        let lines = Arc::new(Mutex::new(Vec::new()));
        tracing::subscriber::with_default(Capture(Arc::clone(&lines)), || {
            tracing::error!(error = "disk full", rows = 3, "request failed");
            tracing::info!("not at warn level");
        });
        assert_eq!(*lines.lock().unwrap(), ["ERROR request failed error=\"disk full\" rows=3"]);
    }
}
