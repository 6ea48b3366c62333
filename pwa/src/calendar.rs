//! Calendar arithmetic without a date library: civil dates (proleptic Gregorian), weeks that
//! start on Monday, and wall-clock times. Converting an instant to a wall-clock time in a zone
//! is the job of a [`ZoneClock`]: the browser implements it with `Intl.DateTimeFormat`
//! (`crate::web::IntlClock`), tests with fixed offsets.

use std::fmt;

/// Milliseconds in a day.
pub const DAY_MS: i64 = 86_400_000;

/// A date on the calendar, without a time or a zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CivilDate {
    /// The year, e.g. 2026.
    pub year: i32,
    /// The month, 1–12.
    pub month: u8,
    /// The day of the month, 1–31.
    pub day: u8,
}

impl CivilDate {
    /// A date; `None` if the month or day is out of range.
    pub fn new(year: i32, month: u8, day: u8) -> Option<Self> {
        let d = Self { year, month, day };
        (d.month >= 1 && d.month <= 12 && d.day >= 1 && d.day <= days_in_month(year, month))
            .then_some(d)
    }

    /// The date `days` days after 1970-01-01 (Howard Hinnant's `civil_from_days`).
    pub fn from_days(days: i64) -> Self {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Self { year, month, day }
    }

    /// Days since 1970-01-01 (negative before).
    pub fn to_days(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y.rem_euclid(400);
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// Day of the week, 0 = Monday … 6 = Sunday.
    pub fn weekday(self) -> u8 {
        // 1970-01-01 was a Thursday (3).
        (self.to_days() + 3).rem_euclid(7) as u8
    }

    /// The date `n` days later (earlier if negative).
    pub fn add_days(self, n: i64) -> Self {
        Self::from_days(self.to_days() + n)
    }

    /// The Monday of this date's week.
    pub fn monday(self) -> Self {
        self.add_days(-i64::from(self.weekday()))
    }

    /// Midnight UTC of this date, in milliseconds since the epoch.
    pub fn utc_midnight_ms(self) -> i64 {
        self.to_days() * DAY_MS
    }
}

impl fmt::Display for CivilDate {
    /// ISO 8601, `2026-11-23`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// A wall-clock date and time in some zone, to the minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LocalDateTime {
    /// The date.
    pub date: CivilDate,
    /// Hour, 0–23.
    pub hour: u8,
    /// Minute, 0–59.
    pub minute: u8,
}

impl LocalDateTime {
    /// `14:05`.
    pub fn hm(&self) -> String {
        format!("{:02}:{:02}", self.hour, self.minute)
    }
}

/// Turns UTC instants into wall-clock times of an IANA zone.
pub trait ZoneClock {
    /// The wall-clock time of `ms` (UTC milliseconds) in `zone`. An unknown zone falls back to
    /// the device's own zone.
    fn local(&self, ms: i64, zone: &str) -> LocalDateTime;
}

/// A clock with one fixed UTC offset for every zone: for tests, and a fallback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FixedOffset {
    /// Offset east of UTC, in minutes.
    pub minutes: i32,
}

impl ZoneClock for FixedOffset {
    fn local(&self, ms: i64, _zone: &str) -> LocalDateTime {
        let t = ms.div_euclid(60_000) + i64::from(self.minutes);
        let days = t.div_euclid(1_440);
        let mins = t.rem_euclid(1_440);
        LocalDateTime {
            date: CivilDate::from_days(days),
            hour: (mins / 60) as u8,
            minute: (mins % 60) as u8,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip_over_four_centuries() {
        for days in (-200_000..200_000).step_by(7) {
            assert_eq!(CivilDate::from_days(days).to_days(), days);
        }
        assert_eq!(CivilDate::from_days(0), CivilDate::new(1970, 1, 1).unwrap());
        assert_eq!(CivilDate::new(2000, 3, 1).unwrap().to_days(), 11_017);
    }

    #[test]
    fn weekdays_and_mondays_are_right() {
        let d = CivilDate::new(2026, 11, 26).unwrap(); // a Thursday
        assert_eq!(d.weekday(), 3);
        assert_eq!(d.monday(), CivilDate::new(2026, 11, 23).unwrap());
        let sunday = CivilDate::new(2026, 11, 29).unwrap();
        assert_eq!(sunday.weekday(), 6);
        assert_eq!(sunday.monday(), CivilDate::new(2026, 11, 23).unwrap());
        // Across a year boundary.
        assert_eq!(
            CivilDate::new(2027, 1, 1).unwrap().monday(),
            CivilDate::new(2026, 12, 28).unwrap()
        );
    }

    #[test]
    fn invalid_dates_are_refused() {
        assert!(CivilDate::new(2026, 2, 29).is_none());
        assert!(CivilDate::new(2024, 2, 29).is_some());
        assert!(CivilDate::new(2026, 13, 1).is_none());
        assert!(CivilDate::new(2026, 4, 31).is_none());
    }

    #[test]
    fn fixed_offset_clock_crosses_midnight() {
        let clock = FixedOffset { minutes: 60 };
        let ms = CivilDate::new(2026, 11, 23).unwrap().utc_midnight_ms() + 23 * 3_600_000;
        let t = clock.local(ms, "Europe/Paris");
        assert_eq!(t.date, CivilDate::new(2026, 11, 24).unwrap());
        assert_eq!(t.hm(), "00:00");
        assert_eq!(CivilDate::new(2026, 11, 3).unwrap().to_string(), "2026-11-03");
    }
}
