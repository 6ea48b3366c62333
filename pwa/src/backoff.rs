//! Reconnection delays of the engine: exponential from 1 s to 30 s, with jitter so that a
//! whole school's phones do not reconnect in the same second after a server restart.

/// First delay, milliseconds.
pub const FIRST_MS: u32 = 1_000;
/// Largest delay, milliseconds.
pub const MAX_MS: u32 = 30_000;

/// Counts failed attempts and gives the delay before the next one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Backoff {
    attempt: u32,
}

impl Backoff {
    /// A backoff with no failure yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The delay before the next attempt, and counts one more failure. `random` is uniform in
    /// `[0, 1)`: the delay is drawn in `[base / 2, base]` where `base` doubles from
    /// [`FIRST_MS`] up to [`MAX_MS`].
    pub fn next_delay_ms(&mut self, random: f64) -> u32 {
        let base = FIRST_MS.saturating_mul(1 << self.attempt.min(5)).min(MAX_MS);
        self.attempt = self.attempt.saturating_add(1);
        let r = random.clamp(0.0, 1.0);
        let half = f64::from(base) / 2.0;
        (half + half * r).round() as u32
    }

    /// A connection succeeded: start again from the first delay.
    pub fn reset(&mut self) {
        self.attempt = 0;
    }

    /// Failed attempts since the last success.
    pub fn attempts(&self) -> u32 {
        self.attempt
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_up_to_thirty_seconds() {
        let mut b = Backoff::new();
        let max: Vec<u32> = (0..8).map(|_| b.next_delay_ms(1.0)).collect();
        assert_eq!(max, [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
        assert_eq!(b.attempts(), 8);
        b.reset();
        assert_eq!(b.next_delay_ms(1.0), 1_000);
    }

    #[test]
    fn jitter_stays_between_half_and_full_delay() {
        let bases = [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000];
        for r in [0.0, 0.3, 0.999] {
            let mut b = Backoff::new();
            for base in bases {
                let d = b.next_delay_ms(r);
                assert!((base / 2..=base).contains(&d), "{d} outside [{}, {base}]", base / 2);
            }
        }
        assert_eq!(Backoff::new().next_delay_ms(0.0), 500);
        assert_eq!(Backoff::new().next_delay_ms(7.0), 1_000, "out-of-range randomness is clamped");
    }
}
