//! The settings view's model: theme, notification settings edits, push state, storage and
//! device figures, and the small parsers and formatters it needs. Pure, tested natively; the
//! effects (push subscription, storage, API calls) are in `hooks/settings.rs`.

use cartable_shared::api::{ConnectionInfo, PushSubscriptionInfo};
use cartable_shared::engine::NotificationChange;
use cartable_shared::notify::{Category, Level, NotificationSettings, PushPayload, QuietHours};

use crate::i18n::Lang;

/// Key of the saved theme in `localStorage` (read before the first paint by `theme.js`).
pub const THEME_PREF: &str = "cartable.theme";
/// Key of this device's push subscription id in `localStorage`.
pub const PUSH_ID_PREF: &str = "cartable.push";

/// The colour theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Theme {
    /// Light or dark, as the system says.
    #[default]
    System,
    /// Light.
    Light,
    /// Dark.
    Dark,
    /// High contrast.
    Contrast,
}

impl Theme {
    /// Every theme, in the order the settings show them.
    pub const ALL: [Theme; 4] = [Theme::System, Theme::Light, Theme::Dark, Theme::Contrast];

    /// The saved name (and `data-theme` of `<html>`, except `system`).
    pub fn tag(self) -> &'static str {
        match self {
            Theme::System => "system",
            Theme::Light => "light",
            Theme::Dark => "dark",
            Theme::Contrast => "contrast",
        }
    }

    /// The theme of a saved name; anything else follows the system.
    pub fn from_tag(tag: Option<&str>) -> Theme {
        Theme::ALL.into_iter().find(|t| Some(t.tag()) == tag).unwrap_or_default()
    }
}

/// Whether this device can get notifications, and whether it does.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum PushState {
    /// Not known yet.
    #[default]
    Unknown,
    /// The browser has no Web Push.
    Unsupported,
    /// iPhone or iPad in the browser: only an app added to the Home Screen gets notifications.
    NeedsHomeScreen,
    /// The user refused notifications for this site (only the browser's settings undo it).
    Denied,
    /// Supported, not subscribed.
    Off,
    /// A request is in flight.
    Busy,
    /// Subscribed and registered with the server.
    On,
    /// The last attempt failed.
    Failed,
}

/// Device storage figures (`navigator.storage`).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct StorageInfo {
    /// Bytes used by the app.
    pub usage: f64,
    /// Bytes the browser may give it.
    pub quota: f64,
    /// Whether storage is persistent (not evicted under pressure).
    pub persisted: bool,
}

/// What needs the user's confirmation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirm {
    /// Sign out while local changes are not sent yet (they would be lost).
    SignOut,
    /// Delete the data stored on this device.
    ClearLocal,
    /// End every session of the account.
    SignOutEverywhere,
}

/// The user's private calendar export feed (`/api/calendar/token`).
#[derive(Debug, Clone, PartialEq, Default)]
pub enum CalendarLink {
    /// Not read (offline, or not loaded yet).
    #[default]
    Unknown,
    /// The user has no feed.
    Off,
    /// A feed exists. The server shows its URL only when it is created (it keeps a hash of
    /// the token), so `url` is there only right after "create".
    On {
        /// When it was created, UTC milliseconds.
        created_ms: i64,
        /// When a calendar application last fetched it.
        last_used_ms: Option<i64>,
        /// The feed's address, just created.
        url: Option<String>,
    },
}

/// What the settings view shows besides the user's `me` document.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SettingsData {
    /// Storage figures, once read.
    pub storage: Option<StorageInfo>,
    /// Push on this device.
    pub push: PushState,
    /// The user's subscribed devices (`None`: not loaded, e.g. offline).
    pub devices: Option<Vec<PushSubscriptionInfo>>,
    /// The account's last connections (`None`: not loaded).
    pub connections: Option<Vec<ConnectionInfo>>,
    /// Notifications this device received, newest first (recorded by the service worker).
    pub recent: Vec<PushPayload>,
    /// The calendar export feed.
    pub calendar: CalendarLink,
}

/// A change of [`SettingsData`], from an effect.
#[derive(Debug, Clone, PartialEq)]
pub enum SettingsUpdate {
    /// Storage figures.
    Storage(StorageInfo),
    /// Push on this device.
    Push(PushState),
    /// The subscribed devices (`None`: could not be loaded).
    Devices(Option<Vec<PushSubscriptionInfo>>),
    /// The last connections (`None`: could not be loaded).
    Connections(Option<Vec<ConnectionInfo>>),
    /// The notifications received here.
    Recent(Vec<PushPayload>),
    /// The calendar export feed.
    Calendar(CalendarLink),
}

impl SettingsData {
    /// Applies an update.
    pub fn apply(&mut self, update: SettingsUpdate) {
        match update {
            SettingsUpdate::Storage(s) => self.storage = Some(s),
            SettingsUpdate::Push(p) => self.push = p,
            SettingsUpdate::Devices(d) => self.devices = d,
            SettingsUpdate::Connections(c) => self.connections = c,
            SettingsUpdate::Recent(r) => self.recent = r,
            SettingsUpdate::Calendar(c) => self.calendar = c,
        }
    }
}

/// What the settings view asks the effects to do.
#[derive(Debug, Clone, PartialEq)]
pub enum SettingsCommand {
    /// Read everything again (storage, push state, devices, connections, notifications).
    Refresh,
    /// Pick a theme.
    SetTheme(Theme),
    /// Ask for persistent storage.
    Persist,
    /// Turn push on for this device, named so.
    EnablePush(String),
    /// Turn push off for this device.
    DisablePush,
    /// Unsubscribe a device of the user.
    RemoveDevice(cartable_shared::ids::SubscriptionId),
    /// Change a notification setting (shown at once, applied by the engine).
    Notifications(NotificationChange),
    /// The quiet hours being typed (start, end), not saved yet.
    QuietDraft(String, String),
    /// Create the calendar export feed (replacing, so revoking, any earlier one).
    CreateCalendarLink,
    /// Revoke the calendar export feed.
    RevokeCalendarLink,
    /// Ask for a confirmation first.
    Ask(Confirm),
    /// Close the confirmation.
    Cancel,
    /// The user confirmed.
    Confirmed(Confirm),
}

/// The settings with `level` chosen; overrides that now agree with the level are dropped.
pub fn with_level(settings: &NotificationSettings, level: Level) -> NotificationSettings {
    let mut s = settings.clone();
    s.level = level;
    s.overrides
        .retain(|name, on| Category::from_name(name).is_none_or(|c| (c.level() <= level) != *on));
    s
}

/// The settings with one category turned on or off: an override only where it differs from
/// the level.
pub fn with_category(
    settings: &NotificationSettings,
    category: Category,
    on: bool,
) -> NotificationSettings {
    let mut s = settings.clone();
    if (category.level() <= s.level) == on {
        s.overrides.remove(category.as_str());
    } else {
        s.overrides.insert(category.as_str().to_owned(), on);
    }
    s
}

/// The settings after `change`.
pub fn apply_change(
    settings: &NotificationSettings,
    change: &NotificationChange,
) -> NotificationSettings {
    match change {
        NotificationChange::Level(level) => with_level(settings, *level),
        NotificationChange::Category { category, on } => with_category(settings, *category, *on),
        NotificationChange::QuietHours(q) => {
            NotificationSettings { quiet_hours: q.clone(), ..settings.clone() }
        }
    }
}

/// Quiet hours from `start` to `end` (`HH:MM`) in `zone`; `Some(None)` (no quiet hours) when
/// either is empty, `None` if a time does not read.
pub fn quiet_hours(start: &str, end: &str, zone: &str) -> Option<Option<QuietHours>> {
    if start.trim().is_empty() || end.trim().is_empty() {
        return Some(None);
    }
    Some(Some(QuietHours {
        start_min: parse_hm(start)?,
        end_min: parse_hm(end)?,
        zone: zone.into(),
    }))
}

/// Minutes after midnight of `HH:MM` (00:00–23:59).
pub fn parse_hm(text: &str) -> Option<u64> {
    let (h, m) = text.trim().split_once(':')?;
    let (h, m): (u64, u64) = (h.parse().ok()?, m.get(..2)?.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

/// `HH:MM` of minutes after midnight.
pub fn format_hm(minutes: u64) -> String {
    format!("{:02}:{:02}", (minutes / 60) % 24, minutes % 60)
}

/// A byte count for people: `12,5 Mo` / `12.5 MB`.
pub fn format_bytes(bytes: f64, lang: Lang) -> String {
    let units: [&str; 4] = match lang {
        Lang::Fr => ["o", "ko", "Mo", "Go"],
        Lang::En => ["B", "kB", "MB", "GB"],
    };
    let mut value = bytes.max(0.0);
    let mut unit = 0;
    while value >= 1000.0 && unit < units.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    let text = if unit == 0 || value >= 100.0 {
        format!("{}", value.round() as u64)
    } else {
        let tenths = (value * 10.0).round() as u64;
        format!("{}.{}", tenths / 10, tenths % 10)
    };
    let text = if lang == Lang::Fr { text.replace('.', ",") } else { text };
    format!("{text} {}", units[unit])
}

/// A short name for a device from its `User-Agent`: `iPhone · Safari`, `Android · Chrome`.
pub fn device_label(user_agent: &str) -> String {
    let has = |s: &str| user_agent.contains(s);
    let system = if has("iPhone") {
        "iPhone"
    } else if has("iPad") {
        "iPad"
    } else if has("Android") {
        "Android"
    } else if has("Windows") {
        "Windows"
    } else if has("Mac OS X") || has("Macintosh") {
        "Mac"
    } else if has("CrOS") {
        "ChromeOS"
    } else if has("Linux") {
        "Linux"
    } else {
        "?"
    };
    let browser = if has("Edg/") {
        "Edge"
    } else if has("Firefox/") || has("FxiOS") {
        "Firefox"
    } else if has("Chrome/") || has("Chromium/") || has("CriOS") {
        "Chrome"
    } else if has("Safari/") {
        "Safari"
    } else {
        ""
    };
    if browser.is_empty() { system.to_owned() } else { format!("{system} · {browser}") }
}

/// Whether this is an iPhone or iPad browser tab, where Web Push needs the app added to the
/// Home Screen (iOS 16.4+).
pub fn needs_home_screen(user_agent: &str, standalone: bool) -> bool {
    !standalone && (user_agent.contains("iPhone") || user_agent.contains("iPad"))
}

/// Decodes base64url (padding optional), e.g. the server's VAPID key for
/// `applicationServerKey`.
pub fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.trim_end_matches('=').bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn themes_read_back_and_anything_else_follows_the_system() {
        for t in Theme::ALL {
            assert_eq!(Theme::from_tag(Some(t.tag())), t);
        }
        assert_eq!(Theme::from_tag(Some("neon")), Theme::System);
        assert_eq!(Theme::from_tag(None), Theme::System);
    }

    #[test]
    fn categories_are_overridden_only_where_they_differ_from_the_level() {
        let s = NotificationSettings::default();
        let s = with_category(&s, Category::NewHomework, true);
        assert!(s.wants(Category::NewHomework));
        assert_eq!(s.overrides.get("new_homework"), Some(&true));
        let s = with_category(&s, Category::GradePublished, false);
        assert!(!s.wants(Category::GradePublished));
        // Turning a category back to what the level says removes its override.
        let s = with_category(&s, Category::GradePublished, true);
        assert_eq!(s.overrides.get("grade_published"), None);
        assert!(s.wants(Category::GradePublished));
        // At the complete level, new homework is wanted anyway: its override goes.
        let s = with_level(&s, Level::Complete);
        assert!(s.overrides.is_empty());
        assert!(Category::ALL.iter().all(|c| s.wants(*c)));
        let s = with_category(&s, Category::NewMessage, false);
        let s = with_level(&s, Level::Essential);
        assert_eq!(s.overrides.get("new_message"), None, "essential leaves messages out anyway");
        assert!(!s.wants(Category::NewMessage));
    }

    #[test]
    fn quiet_hours_are_set_from_times_and_cleared_when_empty() {
        let s = NotificationSettings { level: Level::Complete, ..Default::default() };
        let q = quiet_hours("22:00", "07:30", "Europe/Paris").unwrap();
        let s = apply_change(&s, &NotificationChange::QuietHours(q));
        assert_eq!(
            s.quiet_hours,
            Some(QuietHours { start_min: 1320, end_min: 450, zone: "Europe/Paris".into() })
        );
        assert_eq!(s.level, Level::Complete, "the rest is kept");
        assert_eq!(quiet_hours("", "07:00", "UTC"), Some(None));
        assert_eq!(quiet_hours("25:00", "07:00", "UTC"), None);
        assert_eq!(quiet_hours("22h", "07:00", "UTC"), None);
        let s = apply_change(&s, &NotificationChange::Level(Level::Essential));
        let s = apply_change(
            &s,
            &NotificationChange::Category { category: Category::NewMessage, on: true },
        );
        assert!(s.wants(Category::NewMessage) && !s.wants(Category::RoomChanged));
        assert!(s.quiet_hours.is_some());
        // `<input type=time>` may give seconds.
        assert_eq!(parse_hm("07:05:00"), Some(425));
        assert_eq!(format_hm(425), "07:05");
        assert_eq!(format_hm(0), "00:00");
    }

    #[test]
    fn byte_counts_read_naturally_in_both_languages() {
        assert_eq!(format_bytes(0.0, Lang::Fr), "0 o");
        assert_eq!(format_bytes(999.0, Lang::En), "999 B");
        assert_eq!(format_bytes(12_500_000.0, Lang::Fr), "12,5 Mo");
        assert_eq!(format_bytes(12_500_000.0, Lang::En), "12.5 MB");
        assert_eq!(format_bytes(250_000_000.0, Lang::En), "250 MB");
        assert_eq!(format_bytes(3.2e12, Lang::En), "3200 GB");
    }

    #[test]
    fn devices_are_named_by_system_and_browser() {
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";
        let android = "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36";
        let firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0";
        assert_eq!(device_label(iphone), "iPhone · Safari");
        assert_eq!(device_label(android), "Android · Chrome");
        assert_eq!(device_label(firefox), "Linux · Firefox");
        assert_eq!(device_label(""), "?");
        assert!(needs_home_screen(iphone, false));
        assert!(!needs_home_screen(iphone, true));
        assert!(!needs_home_screen(android, false));
    }

    #[test]
    fn base64url_decodes_keys() {
        assert_eq!(base64url_decode("AQID").unwrap(), vec![1, 2, 3]);
        assert_eq!(base64url_decode("-_8").unwrap(), vec![0xfb, 0xff]);
        assert_eq!(base64url_decode("aGk=").unwrap(), b"hi");
        assert_eq!(base64url_decode("a+b/"), None, "standard base64 is not base64url");
        // A P-256 public key: 65 bytes in 87 characters.
        let key = "B".to_owned() + &"A".repeat(86);
        assert_eq!(base64url_decode(&key).unwrap().len(), 65);
    }
}
