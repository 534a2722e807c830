//! Where time comes from. The engine never reads the wall clock: the real clock in production,
//! a simulated one (settable, with a speed factor) for exercises and tests.

use std::sync::Mutex;
use std::time::Instant;

use chrono::{DateTime, FixedOffset, Offset as _, TimeDelta, Utc};

/// Japan Standard Time, UTC+9. Asia/Tokyo has had no daylight saving time since 1951, so a
/// fixed offset is exact for every date hikeshi deals with.
pub fn jst() -> FixedOffset {
    // 9 hours is within ±24 h, so this always exists; the fallback is never taken.
    FixedOffset::east_opt(9 * 3600).unwrap_or_else(|| Utc.fix())
}

/// A source of the current time.
pub trait Clock: Send + Sync {
    /// The current time, in JST.
    fn now(&self) -> DateTime<FixedOffset>;
}

/// The computer's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<FixedOffset> {
        Utc::now().with_timezone(&jst())
    }
}

#[derive(Debug)]
struct Simulated {
    /// Simulated time at `anchor`.
    at_anchor: DateTime<FixedOffset>,
    /// Real time when `at_anchor` was set.
    anchor: Instant,
    /// Simulated seconds per real second; 0 = stands still until set or advanced.
    speed: f64,
    paused: bool,
}

impl Simulated {
    fn now(&self) -> DateTime<FixedOffset> {
        if self.paused || self.speed == 0.0 {
            return self.at_anchor;
        }
        let real = self.anchor.elapsed().as_secs_f64() * self.speed;
        // Saturate rather than overflow on absurd speeds or uptimes.
        let millis = (real * 1000.0).min(i64::MAX as f64 / 2.0) as i64;
        self.at_anchor + TimeDelta::milliseconds(millis)
    }

    fn re_anchor(&mut self) {
        self.at_anchor = self.now();
        self.anchor = Instant::now();
    }
}

/// A clock for exercises and tests: starts at a given time, runs at a speed factor (e.g. 10×
/// for a tabletop exercise, 0 to stand still), and can be set, advanced and paused.
#[derive(Debug)]
pub struct SimulatedClock {
    inner: Mutex<Simulated>,
}

impl SimulatedClock {
    /// A clock at `start` running at `speed` simulated seconds per real second.
    pub fn new(start: DateTime<FixedOffset>, speed: f64) -> Self {
        Self {
            inner: Mutex::new(Simulated {
                at_anchor: start.with_timezone(&jst()),
                anchor: Instant::now(),
                speed: if speed.is_finite() {
                    speed.max(0.0)
                } else {
                    0.0
                },
                paused: false,
            }),
        }
    }

    /// A clock that stands still at `start` until set or advanced.
    pub fn fixed(start: DateTime<FixedOffset>) -> Self {
        Self::new(start, 0.0)
    }

    fn with<T>(&self, f: impl FnOnce(&mut Simulated) -> T) -> T {
        // A panic elsewhere while holding the lock leaves valid data behind; keep using it.
        let mut guard = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut guard)
    }

    /// Sets the simulated time.
    pub fn set(&self, time: DateTime<FixedOffset>) {
        self.with(|s| {
            s.at_anchor = time.with_timezone(&jst());
            s.anchor = Instant::now();
        });
    }

    /// Moves the simulated time forward (or back, for a negative delta).
    pub fn advance(&self, by: TimeDelta) {
        self.with(|s| {
            s.re_anchor();
            s.at_anchor += by;
        });
    }

    /// Stops the clock until [`SimulatedClock::resume`].
    pub fn pause(&self) {
        self.with(|s| {
            s.re_anchor();
            s.paused = true;
        });
    }

    /// Restarts a paused clock.
    pub fn resume(&self) {
        self.with(|s| {
            s.anchor = Instant::now();
            s.paused = false;
        });
    }

    /// Whether the clock is paused.
    pub fn is_paused(&self) -> bool {
        self.with(|s| s.paused)
    }

    /// Simulated seconds per real second.
    pub fn speed(&self) -> f64 {
        self.with(|s| s.speed)
    }
}

impl Clock for SimulatedClock {
    fn now(&self) -> DateTime<FixedOffset> {
        self.with(|s| s.now())
    }
}

/// Formats a time for people, in JST: `2026-11-22 14:03` (with seconds when `seconds`).
pub fn format_jst(time: DateTime<FixedOffset>, seconds: bool) -> String {
    let t = time.with_timezone(&jst());
    if seconds {
        t.format("%Y-%m-%d %H:%M:%S").to_string()
    } else {
        t.format("%Y-%m-%d %H:%M").to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    #[test]
    fn system_clock_is_in_jst() {
        assert_eq!(SystemClock.now().offset().local_minus_utc(), 9 * 3600);
    }

    #[test]
    fn simulated_clock_is_settable_and_advances() {
        let clock = SimulatedClock::fixed(at("2026-11-22T05:03:00Z"));
        assert_eq!(clock.now(), at("2026-11-22T14:03:00+09:00"));
        assert_eq!(clock.now().offset().local_minus_utc(), 9 * 3600);
        clock.advance(TimeDelta::minutes(15));
        assert_eq!(clock.now(), at("2026-11-22T14:18:00+09:00"));
        clock.set(at("2026-12-01T00:00:00+09:00"));
        assert_eq!(clock.now(), at("2026-12-01T00:00:00+09:00"));
    }

    #[test]
    fn simulated_clock_runs_at_its_speed_and_pauses() {
        let clock = SimulatedClock::new(at("2026-11-22T14:00:00+09:00"), 3600.0);
        std::thread::sleep(std::time::Duration::from_millis(20));
        let t = clock.now();
        // 20 ms at 3600x is at least 72 simulated seconds.
        assert!(t >= at("2026-11-22T14:01:12+09:00"), "{t}");
        clock.pause();
        let paused = clock.now();
        std::thread::sleep(std::time::Duration::from_millis(10));
        assert_eq!(clock.now(), paused);
        assert!(clock.is_paused());
        clock.resume();
        std::thread::sleep(std::time::Duration::from_millis(10));
        assert!(clock.now() > paused);
    }

    #[test]
    fn formats_in_jst() {
        assert_eq!(
            format_jst(at("2026-11-22T05:03:09Z"), false),
            "2026-11-22 14:03"
        );
        assert_eq!(
            format_jst(at("2026-11-22T05:03:09Z"), true),
            "2026-11-22 14:03:09"
        );
    }
}
