//! The UI's state and its pure reducer. Effects (IndexedDB, fetch, the engine worker) live in
//! `hooks/`; they dispatch [`Action`]s here. Tested natively.

use std::rc::Rc;

use cartable_shared::api::{BlockNotice, Me};
use cartable_shared::engine::NotificationChange;
use cartable_shared::engine::{Connection, SyncStatus};
use cartable_shared::gradebook::Gradebook;
use cartable_shared::ids::{DocId, DocKind};
use cartable_shared::links::DeepLink;
use cartable_shared::notify::NotificationSettings;
use cartable_shared::roles::Role;
use cartable_shared::thread::Thread;
use cartable_shared::timetable::Timetable;

use crate::calendar::CivilDate;
use crate::files::{FileFailure, FilesState, LibraryView, Trip, TripPlan, Viewer};
use crate::i18n::Lang;
use crate::settings::{Confirm, SettingsData, SettingsUpdate, Theme, apply_change};
use crate::views::{AnnouncementsView, GradesView, HomeworkView, MeView};

/// Which screen is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    /// Local data is being read (a few milliseconds at start).
    Loading,
    /// Nobody is signed in on this device.
    Login,
    /// The timetable.
    Timetable,
}

/// The tabs of the signed-in app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tab {
    /// The week.
    #[default]
    Timetable,
    /// Homework.
    Homework,
    /// Grades.
    Grades,
    /// Announcements.
    Announcements,
    /// Messages.
    Messages,
    /// Course documents, pinned files and the trip pack.
    Documents,
    /// Settings (opened from the header, not a tab of the bar).
    Settings,
}

impl Tab {
    /// Every tab, in the order of the tab bar.
    pub const ALL: [Tab; 6] = [
        Tab::Timetable,
        Tab::Homework,
        Tab::Grades,
        Tab::Announcements,
        Tab::Messages,
        Tab::Documents,
    ];

    /// The tab a start URL asks for: `?view=homework` (the manifest's shortcuts), or any tab
    /// id; `?view=today` is the timetable.
    pub fn from_query(search: &str) -> Option<Tab> {
        let view = search
            .trim_start_matches('?')
            .split('&')
            .find_map(|pair| pair.strip_prefix("view="))?;
        match view {
            "today" => Some(Tab::Timetable),
            v => Tab::ALL.into_iter().find(|t| t.id() == v),
        }
    }

    /// The id used in the page (`tab-<id>`, `main#<id>`).
    pub fn id(self) -> &'static str {
        match self {
            Tab::Timetable => "timetable",
            Tab::Homework => "homework",
            Tab::Grades => "grades",
            Tab::Announcements => "announcements",
            Tab::Messages => "messages",
            Tab::Documents => "documents",
            Tab::Settings => "settings",
        }
    }
}

/// The view model of one document, as the engine stored it.
#[derive(Debug, Clone, PartialEq)]
pub enum View {
    /// `timetable:<group>`.
    Timetable(Timetable),
    /// `homework:<group>`.
    Homework(HomeworkView),
    /// `grades:<student>`.
    Grades(GradesView),
    /// `announcements:<audience>`.
    Announcements(AnnouncementsView),
    /// `thread:<id>`.
    Thread(Thread),
    /// `me:<user>`.
    Me(MeView),
    /// `library:<group>`.
    Library(LibraryView),
    /// `gradebook:<group>` (teachers of the group and admins only).
    Gradebook(Gradebook),
}

/// Where the publishing module (the staff's publishing views, `crate::publish`) stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ModuleLoad {
    /// Not asked for (students, guardians, or nobody signed in yet).
    #[default]
    Idle,
    /// Being downloaded.
    Loading,
    /// Loaded: its views are mounted where the UI shows them.
    Ready,
    /// It could not be loaded (offline before it was ever loaded, or an error).
    Failed,
}

/// A sync older than this, while not connected, makes the data "maybe stale".
pub const STALE_AFTER_MS: i64 = 15 * 60_000;

/// Why the data shown may be out of date (the stale banner).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stale {
    /// The engine is offline: nothing new can arrive.
    Offline,
    /// Connecting, and the last successful sync is old (or there was none).
    Old,
}

/// What the install hint offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstallHint {
    /// The browser offers installation (`beforeinstallprompt`): a button opens its prompt.
    Prompt,
    /// iPhone / iPad Safari, which has no prompt: how to add the app to the Home Screen.
    Ios,
}

/// Why a login attempt failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginError {
    /// Wrong login or password.
    Credentials,
    /// Too many attempts or the account is locked for a while.
    RateLimited,
    /// A guest account whose time is over (`403 account_expired`).
    Expired,
    /// No answer from the server.
    Network,
    /// The server answered with an error.
    Server,
}

impl LoginError {
    /// The error for an HTTP status of `POST /api/login`.
    pub fn from_status(status: u16) -> Self {
        match status {
            400 | 401 | 404 => LoginError::Credentials,
            403 => LoginError::Expired,
            423 | 429 => LoginError::RateLimited,
            _ => LoginError::Server,
        }
    }

    /// The message to show.
    pub fn message(self, lang: Lang) -> &'static str {
        let t = lang.t();
        match self {
            LoginError::Credentials => t.err_credentials,
            LoginError::RateLimited => t.err_rate_limited,
            LoginError::Expired => t.err_expired,
            LoginError::Network => t.err_network,
            LoginError::Server => t.err_server,
        }
    }
}

/// Something that happened, for the reducer.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// The local data was read at start.
    Booted {
        /// The signed-in user, if any.
        me: Option<Me>,
        /// Stored views.
        views: Vec<(DocId, View)>,
        /// The last stored sync status.
        sync: Option<SyncStatus>,
    },
    /// The login form was submitted.
    LoginStarted,
    /// The login failed.
    LoginFailed(LoginError),
    /// The login succeeded.
    LoggedIn(Me),
    /// `GET /api/me` answered (the display name may have changed).
    MeRefreshed(Me),
    /// The user signed out, or the server no longer knows the session.
    SignedOut,
    /// The engine rewrote a view.
    ViewUpdated(DocId, View),
    /// The engine dropped a document.
    ViewDropped(DocId),
    /// The engine's sync status changed.
    Status(SyncStatus),
    /// The engine discarded refused local changes of a document.
    EditRefused(DocId),
    /// The user closed the notice of refused changes.
    DismissRefused,
    /// The publishing views (teachers, staff, admins).
    Teach(crate::teach::TeachAction),
    /// The publishing module's download moved on.
    PublishModule(ModuleLoad),
    /// Time passes: the clock, and today's date on the device.
    Tick {
        /// Now, UTC milliseconds.
        now_ms: i64,
        /// Today on the device.
        today: CivilDate,
    },
    /// Show the previous week.
    PrevWeek,
    /// Show the next week.
    NextWeek,
    /// Show the current week.
    ThisWeek,
    /// Show a tab.
    SetTab(Tab),
    /// Open a thread (`None`: back to the list).
    OpenThread(Option<DocId>),
    /// The user picked a language.
    SetLang(Lang),
    /// A new version of the app is installed and waiting.
    UpdateReady,
    /// The pinned files as the device holds them, and the storage the app uses.
    Pinned {
        /// SHA-256 and size of each pinned file.
        files: Vec<(String, u64)>,
        /// Bytes used by the app's origin and its quota, if the browser says.
        usage: Option<(u64, u64)>,
    },
    /// A file is being pinned.
    PinStarted(String),
    /// A file could not be opened or pinned (its SHA-256 and name).
    FileFailed(FileFailure, String, String),
    /// A file is shown.
    ViewerOpened(Viewer),
    /// The viewer was closed.
    ViewerClosed,
    /// The trip pack's length changed.
    TripDays(u32),
    /// Show what the trip pack needs (computed from the views held).
    PlanTrip,
    /// The trip pack's download started.
    TripStarted,
    /// One more file of the trip pack is handled.
    TripProgress {
        /// Its size.
        bytes: u64,
        /// Whether it is now on the device.
        ok: bool,
    },
    /// The trip pack is finished or put away.
    TripClosed,
    /// A publication of a course document moved on.
    Publish(crate::files::Publish),
    /// The user picked a theme.
    SetTheme(Theme),
    /// Open a view from a link (the URL the app was opened with, a notification).
    Open(DeepLink),
    /// Show the week of this Monday (a link to a session of another week).
    ShowWeek(CivilDate),
    /// The item of a link was brought into view.
    Focused,
    /// Ask for a confirmation (`None`: the dialog is closed).
    Confirm(Option<Confirm>),
    /// New figures or lists for the settings view.
    Settings(SettingsUpdate),
    /// The data of this device was deleted (the engine downloads it again).
    LocalCleared,
    /// The user changed a notification setting (shown at once; the engine applies it too).
    EditNotifications(NotificationChange),
    /// The quiet hours being typed (`None`: saved or abandoned).
    QuietDraft(Option<(String, String)>),
    /// The install hint to show (`None`: installed, dismissed, or nothing to offer).
    Install(Option<InstallHint>),
    /// The grades published up to this instant are seen.
    GradesSeen(i64),
    /// Show the sessions of hidden courses in the week (marked, to show them again), or not.
    RevealHidden(bool),
}

/// The whole UI state.
#[derive(Debug, Clone, PartialEq)]
pub struct AppState {
    /// The interface language.
    pub lang: Lang,
    /// The screen.
    pub screen: Screen,
    /// The signed-in user.
    pub me: Option<Me>,
    /// Timetable views by document (a handful: a plain list is enough).
    pub timetables: Vec<(DocId, Rc<Timetable>)>,
    /// Bumped whenever `timetables` changes, so that derived views are recomputed only then.
    pub views_version: u64,
    /// The other views (homework, grades, announcements, threads, the user's layer) by
    /// document.
    pub docs: Vec<(DocId, Rc<View>)>,
    /// The tab shown.
    pub tab: Tab,
    /// The thread open in the messages tab.
    pub thread: Option<DocId>,
    /// What the sync indicator shows.
    pub sync: SyncStatus,
    /// Now, UTC milliseconds.
    pub now_ms: i64,
    /// Today on the device.
    pub today: CivilDate,
    /// The Monday of the week shown.
    pub week: CivilDate,
    /// A login request is in flight.
    pub login_busy: bool,
    /// The last login failure.
    pub login_error: Option<LoginError>,
    /// A new version of the app waits to be activated.
    pub update_ready: bool,
    /// Pinned files, the viewer, the trip pack.
    pub files: FilesState,
    /// The colour theme.
    pub theme: Theme,
    /// A link's item waiting to be brought into view once its view is shown.
    pub focus: Option<DeepLink>,
    /// The confirmation asked, if any.
    pub confirm: Option<Confirm>,
    /// What the settings view shows besides the `me` document.
    pub settings: SettingsData,
    /// Notification settings as edited here, until the `me` view shows the same: the inputs
    /// are rendered from it (Yew sets `checked` on every render).
    pub notifications_local: Option<NotificationSettings>,
    /// The quiet hours being typed, not saved yet (Yew sets `value` on every render).
    pub quiet_draft: Option<(String, String)>,
    /// The engine reported its status in this visit (before that, `sync` is the stored one).
    pub status_live: bool,
    /// The install hint, shown to a signed-in user.
    pub install: Option<InstallHint>,
    /// Grades published up to this instant were seen on this device (`localStorage`).
    pub grades_seen_ms: i64,
    /// The week shows the sessions of hidden courses too (marked as hidden).
    pub reveal_hidden: bool,
    /// Local changes of this document were refused and undone: a notice says so.
    pub edit_refused: Option<DocId>,
    /// The publishing views' state.
    pub teach: crate::teach::TeachState,
    /// The publishing module (staff only).
    pub publish_module: ModuleLoad,
}

impl AppState {
    /// The state at start, before the local data is read.
    pub fn new(lang: Lang, now_ms: i64, today: CivilDate) -> Self {
        Self {
            lang,
            screen: Screen::Loading,
            me: None,
            timetables: Vec::new(),
            views_version: 0,
            docs: Vec::new(),
            tab: Tab::Timetable,
            thread: None,
            sync: SyncStatus::default(),
            now_ms,
            today,
            week: today.monday(),
            login_busy: false,
            login_error: None,
            update_ready: false,
            files: FilesState { trip_days: 7, ..FilesState::default() },
            theme: Theme::System,
            focus: None,
            confirm: None,
            settings: SettingsData::default(),
            notifications_local: None,
            quiet_draft: None,
            status_live: false,
            install: None,
            grades_seen_ms: 0,
            reveal_hidden: false,
            edit_refused: None,
            teach: crate::teach::TeachState::default(),
            publish_module: ModuleLoad::Idle,
        }
    }

    /// Whether, and why, the data shown may be out of date: judged from the engine's own
    /// report in this visit (not the status stored by a previous one), so that an app that
    /// connects at start does not flash the banner.
    pub fn stale(&self) -> Option<Stale> {
        if self.me.is_none() || !self.status_live {
            return None;
        }
        match self.sync.connection {
            Connection::Online => None,
            Connection::Offline => Some(Stale::Offline),
            Connection::Syncing => match self.sync.last_sync_ms {
                Some(at) if self.now_ms - at < STALE_AFTER_MS => None,
                _ => Some(Stale::Old),
            },
        }
    }

    /// Applies an action.
    pub fn reduce(mut self, action: Action) -> Self {
        match action {
            Action::Booted { me, views, sync } => {
                self.screen = if me.is_some() { Screen::Timetable } else { Screen::Login };
                self.me = me;
                if self.me.is_some() {
                    for (doc, t) in views {
                        self.set_view(doc, t);
                    }
                }
                if let Some(s) = sync {
                    // Stored by the engine in a previous visit: its connection is stale.
                    self.sync = SyncStatus { connection: Connection::Offline, ..s };
                }
            }
            Action::LoginStarted => {
                self.login_busy = true;
                self.login_error = None;
            }
            Action::LoginFailed(e) => {
                self.login_busy = false;
                self.login_error = Some(e);
            }
            Action::LoggedIn(me) => {
                self.login_busy = false;
                self.login_error = None;
                self.me = Some(me);
                self.screen = Screen::Timetable;
                self.week = self.today.monday();
            }
            Action::MeRefreshed(me) => {
                if self.me.is_some() {
                    self.me = Some(me);
                }
            }
            Action::SignedOut => {
                self.files =
                    FilesState { trip_days: self.files.trip_days, ..FilesState::default() };
                self.me = None;
                self.screen = Screen::Login;
                self.timetables.clear();
                self.docs.clear();
                self.tab = Tab::Timetable;
                self.thread = None;
                self.views_version += 1;
                self.sync = SyncStatus::default();
                self.status_live = false;
                self.login_busy = false;
                self.confirm = None;
                self.settings = SettingsData::default();
                self.notifications_local = None;
                self.quiet_draft = None;
            }
            Action::ViewUpdated(doc, t) => {
                if self.me.is_some() {
                    self.set_view(doc, t);
                }
            }
            Action::ViewDropped(doc) => {
                let before = self.timetables.len();
                self.timetables.retain(|(d, _)| *d != doc);
                if self.timetables.len() != before {
                    self.views_version += 1;
                }
                self.docs.retain(|(d, _)| *d != doc);
            }
            Action::Status(s) => {
                if self.me.is_some() {
                    self.sync = s;
                    self.status_live = true;
                }
                if s.pending == 0 && s.connection == Connection::Online {
                    // Everything is applied and acknowledged: the `me` view is the truth.
                    self.notifications_local = None;
                }
            }
            Action::Tick { now_ms, today } => {
                // When the day changes while the current week is shown, follow it.
                if self.today != today && self.week == self.today.monday() {
                    self.week = today.monday();
                }
                self.now_ms = now_ms;
                self.today = today;
            }
            Action::PrevWeek => self.week = self.week.add_days(-7),
            Action::NextWeek => self.week = self.week.add_days(7),
            Action::ThisWeek => self.week = self.today.monday(),
            Action::SetTab(tab) => self.tab = tab,
            Action::OpenThread(doc) => self.thread = doc,
            Action::SetLang(lang) => self.lang = lang,
            Action::UpdateReady => self.update_ready = true,
            Action::EditRefused(doc) => self.edit_refused = Some(doc),
            Action::DismissRefused => self.edit_refused = None,
            Action::Teach(a) => self.teach = std::mem::take(&mut self.teach).reduce(a),
            // Once loaded, it stays loaded (a later failure to mount changes nothing).
            Action::PublishModule(m) if self.publish_module != ModuleLoad::Ready => {
                self.publish_module = m;
            }
            Action::PublishModule(_) => {}
            Action::Pinned { files, usage } => {
                self.files.busy.retain(|b| !files.iter().any(|(s, _)| s == b));
                self.files.pinned = files;
                self.files.usage = usage.or(self.files.usage);
            }
            Action::PinStarted(sha) => {
                self.files.failure = None;
                if !self.files.busy.contains(&sha) {
                    self.files.busy.push(sha);
                }
            }
            Action::FileFailed(why, sha, name) => {
                self.files.busy.retain(|b| *b != sha);
                self.files.failure = Some((why, name));
            }
            Action::ViewerOpened(v) => {
                self.files.failure = None;
                self.files.viewer = Some(v);
            }
            Action::ViewerClosed => self.files.viewer = None,
            Action::TripDays(days) => {
                self.files.trip_days = days;
                if matches!(self.files.trip, Trip::Planned(_)) {
                    self.files.trip = Trip::Planned(self.trip_plan());
                }
            }
            Action::PlanTrip => self.files.trip = Trip::Planned(self.trip_plan()),
            Action::TripStarted => {
                if let Trip::Planned(plan) = std::mem::take(&mut self.files.trip) {
                    self.files.trip = if plan.files.is_empty() {
                        Trip::Done { plan, failed: 0 }
                    } else {
                        Trip::Downloading { plan, done: 0, bytes: 0, failed: 0 }
                    };
                }
            }
            Action::TripProgress { bytes: size, ok } => {
                if let Trip::Downloading { plan, done, bytes, failed } = &mut self.files.trip {
                    *done += 1;
                    *bytes += size;
                    *failed += u32::from(!ok);
                    if *done as usize >= plan.files.len() {
                        let (plan, failed) = (std::mem::take(plan), *failed);
                        self.files.trip = Trip::Done { plan, failed };
                    }
                }
            }
            Action::TripClosed => self.files.trip = Trip::Idle,
            Action::Publish(p) => self.files.publish = Some(p),
            Action::SetTheme(theme) => self.theme = theme,
            Action::Open(link) => {
                self.tab = match &link {
                    DeepLink::Today | DeepLink::Week { .. } => Tab::Timetable,
                    DeepLink::Homework { .. } => Tab::Homework,
                    DeepLink::Grades { .. } => Tab::Grades,
                    DeepLink::Announcements { .. } => Tab::Announcements,
                    DeepLink::Messages { .. } => Tab::Messages,
                    DeepLink::Settings => Tab::Settings,
                };
                if let DeepLink::Messages { thread } = &link {
                    self.thread =
                        thread.as_deref().and_then(|t| DocId::new(DocKind::Thread, t).ok());
                }
                if matches!(link, DeepLink::Today | DeepLink::Week { session: None }) {
                    self.week = self.today.monday();
                }
                if let DeepLink::Week { session: Some(id) } = &link {
                    // A link to a session of a hidden course (a notification) shows it anyway.
                    let hidden = self.hidden_courses();
                    let of_hidden = self
                        .timetable_views()
                        .filter_map(|t| t.sessions.get(id))
                        .any(|s| hidden.contains(&s.subject));
                    self.reveal_hidden |= of_hidden;
                }
                self.focus = Some(link);
            }
            Action::ShowWeek(monday) => self.week = monday,
            Action::Focused => self.focus = None,
            Action::Confirm(c) => self.confirm = c,
            Action::Settings(update) => self.settings.apply(update),
            Action::LocalCleared => {
                self.timetables.clear();
                self.docs.clear();
                self.views_version += 1;
                self.confirm = None;
                self.settings.recent.clear();
                self.notifications_local = None;
            }
            Action::EditNotifications(change) => {
                self.notifications_local = Some(apply_change(&self.notifications(), &change));
            }
            Action::QuietDraft(draft) => self.quiet_draft = draft,
            Action::Install(hint) => self.install = hint,
            Action::GradesSeen(ms) => self.grades_seen_ms = self.grades_seen_ms.max(ms),
            Action::RevealHidden(on) => self.reveal_hidden = on,
        }
        self
    }

    /// The timetables, in the order they arrived.
    pub fn timetable_views(&self) -> impl Iterator<Item = &Timetable> {
        self.timetables.iter().map(|(_, t)| &**t)
    }

    /// The views of one kind of document.
    pub fn views<'a, T: 'a>(
        &'a self,
        pick: impl Fn(&'a View) -> Option<&'a T> + 'a,
    ) -> impl Iterator<Item = (&'a DocId, &'a T)> + 'a {
        self.docs.iter().filter_map(move |(d, v)| pick(v).map(|t| (d, t)))
    }

    /// Whether the signed-in user may publish (teachers, staff, admins): only they load the
    /// publishing module.
    pub fn is_staff(&self) -> bool {
        self.me
            .as_ref()
            .is_some_and(|m| matches!(m.role, Role::Teacher | Role::Staff | Role::Admin))
    }

    /// The user's own layer, once synced.
    pub fn mine(&self) -> Option<&MeView> {
        self.views(|v| if let View::Me(m) = v { Some(m) } else { None }).map(|(_, m)| m).next()
    }

    /// The subjects the user hid from the timetable (none before the `me` view arrives).
    pub fn hidden_courses(&self) -> &[String] {
        self.mine().map_or(&[], |m| &m.hidden_courses)
    }

    /// The notification settings to show: as edited here, else the `me` document's.
    pub fn notifications(&self) -> NotificationSettings {
        self.notifications_local
            .clone()
            .or_else(|| self.mine().map(|m| m.notifications.clone()))
            .unwrap_or_default()
    }

    fn set_view(&mut self, doc: DocId, view: View) {
        match view {
            View::Timetable(t) if doc.kind() == DocKind::Timetable => {
                let t = Rc::new(t);
                match self.timetables.iter_mut().find(|(d, _)| *d == doc) {
                    Some(slot) => slot.1 = t,
                    None => self.timetables.push((doc, t)),
                }
                self.views_version += 1;
            }
            View::Timetable(_) => {}
            other => {
                if doc.kind() == DocKind::Me {
                    // Personal events are part of the week.
                    self.views_version += 1;
                }
                let v = Rc::new(other);
                match self.docs.iter_mut().find(|(d, _)| *d == doc) {
                    Some(slot) => slot.1 = v,
                    None => self.docs.push((doc, v)),
                }
                if self.notifications_local.is_some()
                    && self.notifications_local.as_ref() == self.mine().map(|m| &m.notifications)
                {
                    self.notifications_local = None;
                }
            }
        }
    }

    /// The trip pack for the chosen number of days from now, from the views held.
    pub fn trip_plan(&self) -> TripPlan {
        let homework = self.views(|v| if let View::Homework(h) = v { Some(h) } else { None });
        let libraries: Vec<&LibraryView> = self
            .views(|v| if let View::Library(l) = v { Some(l) } else { None })
            .map(|(_, l)| l)
            .collect();
        crate::files::trip_plan(
            self.timetable_views(),
            homework.map(|(_, h)| h),
            libraries.iter().copied(),
            &self.files.pinned,
            self.now_ms,
            self.files.trip_days,
        )
    }

    /// Whether the week shown is the current one.
    pub fn is_this_week(&self) -> bool {
        self.week == self.today.monday()
    }

    /// The block period shown instead of the views: the one `GET /api/me` last reported (kept
    /// in `meta/me`, so offline too), for students and guardians, until its end date.
    pub fn blocked(&self) -> Option<&BlockNotice> {
        let me = self.me.as_ref()?;
        let notice = me.blocked.as_ref()?;
        let kept_out = matches!(me.role, Role::Student | Role::Guardian);
        let lasts = notice.until_ms.is_none_or(|until| self.now_ms < until);
        (kept_out && lasts).then_some(notice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn me() -> Me {
        Me {
            user: "lea.martin".parse().unwrap(),
            display_name: "Léa Martin".into(),
            role: Role::Student,
            groups: vec!["l2-info-a".parse().unwrap()],
            teaches: vec![],
            blocked: None,
            expires_at_ms: None,
        }
    }

    fn today() -> CivilDate {
        CivilDate::new(2026, 11, 26).unwrap()
    }

    #[test]
    fn a_block_period_keeps_students_and_guardians_out_until_its_end_only() {
        let notice =
            BlockNotice { message: "Rentrée le 1er septembre".into(), until_ms: Some(1_000) };
        let with = |role, now_ms| {
            let mut s =
                fresh().reduce(Action::Booted { me: Some(me()), views: vec![], sync: None });
            s.me = Some(Me { role, blocked: Some(notice.clone()), ..me() });
            s.now_ms = now_ms;
            s
        };
        assert_eq!(with(Role::Student, 999).blocked(), Some(&notice));
        assert_eq!(with(Role::Guardian, 0).blocked(), Some(&notice));
        assert_eq!(with(Role::Student, 1_000).blocked(), None, "over at its end date");
        for role in [Role::Teacher, Role::Staff, Role::Admin] {
            assert_eq!(with(role, 0).blocked(), None, "{role:?} is never blocked");
        }
        let mut open_ended = with(Role::Student, i64::MAX - 1);
        open_ended.me.as_mut().unwrap().blocked.as_mut().unwrap().until_ms = None;
        assert!(open_ended.blocked().is_some(), "no end date: until an administrator lifts it");
        assert_eq!(
            fresh().reduce(Action::Booted { me: Some(me()), views: vec![], sync: None }).blocked(),
            None
        );
    }

    #[test]
    fn only_teachers_staff_and_admins_load_the_publishing_module_and_it_stays_loaded() {
        let signed_in = |role| {
            let s = fresh().reduce(Action::Booted { me: Some(me()), views: vec![], sync: None });
            AppState { me: Some(Me { role, ..me() }), ..s }
        };
        for role in [Role::Teacher, Role::Staff, Role::Admin] {
            assert!(signed_in(role).is_staff(), "{role:?}");
        }
        for role in [Role::Student, Role::Guardian] {
            assert!(!signed_in(role).is_staff(), "{role:?}");
        }
        assert!(!fresh().is_staff(), "nobody signed in");
        let s = fresh().reduce(Action::PublishModule(ModuleLoad::Loading));
        assert_eq!(s.publish_module, ModuleLoad::Loading);
        let failed = s.clone().reduce(Action::PublishModule(ModuleLoad::Failed));
        assert_eq!(failed.publish_module, ModuleLoad::Failed);
        let retried = failed.reduce(Action::PublishModule(ModuleLoad::Loading));
        assert_eq!(retried.publish_module, ModuleLoad::Loading, "a failed load is tried again");
        let ready = s.reduce(Action::PublishModule(ModuleLoad::Ready));
        let later =
            ready.reduce(Action::PublishModule(ModuleLoad::Failed)).reduce(Action::SignedOut);
        assert_eq!(later.publish_module, ModuleLoad::Ready, "a loaded module stays loaded");
    }

    fn fresh() -> AppState {
        AppState::new(Lang::Fr, 0, today())
    }

    fn doc() -> DocId {
        "timetable:l2-info-a".parse().unwrap()
    }

    #[test]
    fn boot_with_a_stored_user_shows_the_timetable_at_once() {
        let s = fresh().reduce(Action::Booted {
            me: Some(me()),
            views: vec![(doc(), View::Timetable(Timetable::new("l2-info-a")))],
            sync: Some(SyncStatus {
                connection: Connection::Online,
                last_sync_ms: Some(5),
                pending: 2,
            }),
        });
        assert_eq!(s.screen, Screen::Timetable);
        assert_eq!(s.timetables.len(), 1);
        assert_eq!(s.sync.connection, Connection::Offline, "a stored status is not live");
        assert_eq!(s.sync.last_sync_ms, Some(5));
        assert_eq!(s.week, CivilDate::new(2026, 11, 23).unwrap());
    }

    #[test]
    fn boot_without_a_user_shows_login() {
        let s = fresh().reduce(Action::Booted { me: None, views: vec![], sync: None });
        assert_eq!(s.screen, Screen::Login);
    }

    #[test]
    fn login_failure_then_success() {
        let s = fresh().reduce(Action::Booted { me: None, views: vec![], sync: None });
        let s = s.reduce(Action::LoginStarted);
        assert!(s.login_busy);
        let s = s.reduce(Action::LoginFailed(LoginError::from_status(401)));
        assert!(!s.login_busy);
        assert_eq!(
            s.login_error.unwrap().message(Lang::Fr),
            "Identifiant ou mot de passe incorrect."
        );
        let expired = LoginError::from_status(403);
        assert_eq!(expired, LoginError::Expired, "403 account_expired");
        assert!(expired.message(Lang::En).contains("expired"));
        let s = s.reduce(Action::LoginStarted).reduce(Action::LoggedIn(me()));
        assert_eq!(s.screen, Screen::Timetable);
        assert_eq!(s.login_error, None);
    }

    #[test]
    fn sign_out_forgets_user_views_and_status() {
        let s = fresh()
            .reduce(Action::LoggedIn(me()))
            .reduce(Action::ViewUpdated(doc(), View::Timetable(Timetable::new("l2-info-a"))))
            .reduce(Action::Status(SyncStatus {
                connection: Connection::Online,
                last_sync_ms: Some(1),
                pending: 0,
            }))
            .reduce(Action::SignedOut);
        assert_eq!(s.screen, Screen::Login);
        assert!(s.me.is_none() && s.timetables.is_empty());
        assert_eq!(s.sync, SyncStatus::default());
        // A late event from the engine does not bring anything back.
        let s = s.reduce(Action::ViewUpdated(doc(), View::Timetable(Timetable::new("x"))));
        assert!(s.timetables.is_empty());
    }

    #[test]
    fn only_timetable_views_are_kept_and_versions_move() {
        let s = fresh().reduce(Action::LoggedIn(me()));
        let v0 = s.views_version;
        let s = s.reduce(Action::ViewUpdated(
            "me:lea.martin".parse().unwrap(),
            View::Timetable(Timetable::default()),
        ));
        assert_eq!(s.views_version, v0);
        let hw: DocId = "homework:l2-info-a".parse().unwrap();
        let s = s.reduce(Action::ViewUpdated(hw.clone(), View::Homework(HomeworkView::default())));
        assert_eq!(s.docs.len(), 1);
        let s = s.reduce(Action::ViewDropped(hw));
        assert!(s.docs.is_empty());
        let s = s.reduce(Action::ViewUpdated(doc(), View::Timetable(Timetable::new("l2-info-a"))));
        assert_eq!(s.views_version, v0 + 1);
        let s = s.reduce(Action::ViewDropped(doc()));
        assert!(s.timetables.is_empty());
        assert_eq!(s.views_version, v0 + 2);
    }

    #[test]
    fn the_trip_pack_is_planned_downloaded_with_progress_and_reported() {
        use cartable_shared::homework::{Assignment, BlobRef};
        let now = 1_764_000_000_000;
        let mut s = AppState::new(Lang::Fr, now, today()).reduce(Action::LoggedIn(me()));
        let hw = HomeworkView {
            group: "l2-info-a".into(),
            assignments: vec![(
                "a".into(),
                Assignment {
                    subject: "Algo".into(),
                    title: "TD".into(),
                    text: String::new(),
                    set_on_ms: 0,
                    due_ms: now + 86_400_000,
                    attachments: ["x", "y"]
                        .map(|sha| BlobRef {
                            sha256: sha.into(),
                            name: format!("{sha}.pdf"),
                            size: 1_000,
                            mime: "application/pdf".into(),
                        })
                        .to_vec(),
                    hand_in: false,
                    author: "p".into(),
                },
            )],
        };
        s = s
            .reduce(Action::ViewUpdated("homework:l2-info-a".parse().unwrap(), View::Homework(hw)));
        s = s.reduce(Action::Pinned { files: vec![("x".into(), 1_000)], usage: Some((5, 10)) });
        s = s.reduce(Action::PlanTrip);
        let Trip::Planned(plan) = &s.files.trip else { panic!("{:?}", s.files.trip) };
        assert_eq!((plan.bytes, plan.missing_bytes, plan.files.len()), (2_000, 1_000, 2));
        s = s.reduce(Action::TripDays(3));
        assert!(matches!(&s.files.trip, Trip::Planned(p) if p.days == 3));
        s = s.reduce(Action::TripStarted).reduce(Action::TripProgress { bytes: 1_000, ok: true });
        assert!(matches!(s.files.trip, Trip::Downloading { done: 1, bytes: 1_000, .. }));
        s = s.reduce(Action::TripProgress { bytes: 1_000, ok: false });
        assert!(matches!(&s.files.trip, Trip::Done { failed: 1, plan } if plan.files.len() == 2));
        s = s.reduce(Action::SignedOut);
        assert_eq!(s.files.trip, Trip::Idle);
        assert!(s.files.pinned.is_empty());
    }

    #[test]
    fn a_link_to_a_session_of_a_hidden_course_reveals_the_hidden_courses() {
        use cartable_shared::me::MyLayer;
        use cartable_shared::timetable::{Session, SessionKind, SessionStatus};
        let session = |subject: &str| Session {
            start_ms: 0,
            end_ms: 1,
            zone: "Europe/Paris".into(),
            subject: subject.into(),
            kind: SessionKind::Td,
            rooms: vec![],
            teachers: vec![],
            status: SessionStatus::Cancelled,
            previous: None,
            note: None,
            source: "manual".into(),
            probably: false,
        };
        let mut t = Timetable::new("l2-info-a");
        t.sessions.insert("sport".into(), session("Sport"));
        t.sessions.insert("algo".into(), session("Algorithmique"));
        let layer = MyLayer { hidden_courses: vec!["Sport".into()], ..Default::default() };
        let s = fresh()
            .reduce(Action::LoggedIn(me()))
            .reduce(Action::ViewUpdated(doc(), View::Timetable(t)))
            .reduce(Action::ViewUpdated("me:lea.martin".parse().unwrap(), View::Me(layer.into())));
        let open = |s: &AppState, id: &str| {
            s.clone()
                .reduce(Action::Open(DeepLink::Week { session: Some(id.into()) }))
                .reveal_hidden
        };
        assert!(!open(&s, "algo"));
        assert!(open(&s, "sport"));
        assert!(
            !s.reduce(Action::RevealHidden(true)).reduce(Action::RevealHidden(false)).reveal_hidden
        );
    }

    #[test]
    fn links_open_their_view_and_wait_for_focus() {
        let s = fresh().reduce(Action::LoggedIn(me())).reduce(Action::NextWeek);
        let link = DeepLink::Messages { thread: Some("t1".into()) };
        let s = s.reduce(Action::Open(link.clone()));
        assert_eq!(s.tab, Tab::Messages);
        assert_eq!(s.thread, Some("thread:t1".parse().unwrap()));
        assert_eq!(s.focus, Some(link));
        let s = s.reduce(Action::Focused);
        assert_eq!(s.focus, None);
        let s = s.reduce(Action::Open(DeepLink::Grades { assessment: Some("g1".into()) }));
        assert_eq!(s.tab, Tab::Grades);
        let s = s.reduce(Action::Open(DeepLink::Today));
        assert_eq!((s.tab, s.is_this_week()), (Tab::Timetable, true));
        let s = s.reduce(Action::Open(DeepLink::Week { session: Some("s1".into()) }));
        let s = s.reduce(Action::ShowWeek(today().add_days(14).monday()));
        assert_eq!(s.week, CivilDate::new(2026, 12, 7).unwrap());
        assert_eq!(s.reduce(Action::Open(DeepLink::Settings)).tab, Tab::Settings);
    }

    #[test]
    fn notification_edits_show_at_once_until_the_me_view_catches_up() {
        use crate::views::MeView;
        use cartable_shared::notify::{Category, Level};
        let me_doc: DocId = "me:lea.martin".parse().unwrap();
        let s = fresh().reduce(Action::LoggedIn(me()));
        assert_eq!(s.notifications().level, Level::Intermediate);
        let s = s
            .reduce(Action::EditNotifications(NotificationChange::Level(Level::Complete)))
            .reduce(Action::EditNotifications(NotificationChange::Category {
                category: Category::NewMessage,
                on: false,
            }));
        let wanted = s.notifications();
        assert_eq!(wanted.level, Level::Complete);
        assert!(!wanted.wants(Category::NewMessage));
        // The engine's view after the first edit only: the local state still shows both.
        let first = MeView {
            notifications: NotificationSettings { level: Level::Complete, ..Default::default() },
            ..Default::default()
        };
        let s = s.reduce(Action::ViewUpdated(me_doc.clone(), View::Me(first)));
        assert_eq!(s.notifications(), wanted);
        let both = MeView { notifications: wanted.clone(), ..Default::default() };
        let s = s.reduce(Action::ViewUpdated(me_doc, View::Me(both)));
        assert_eq!(s.notifications_local, None, "the view caught up");
        assert_eq!(s.notifications(), wanted);
    }

    #[test]
    fn clearing_local_data_drops_views_but_keeps_the_user() {
        let s = fresh()
            .reduce(Action::LoggedIn(me()))
            .reduce(Action::ViewUpdated(doc(), View::Timetable(Timetable::new("l2-info-a"))))
            .reduce(Action::Confirm(Some(Confirm::ClearLocal)))
            .reduce(Action::LocalCleared);
        assert!(s.timetables.is_empty() && s.me.is_some() && s.confirm.is_none());
        let s = s.reduce(Action::Confirm(Some(Confirm::SignOut))).reduce(Action::SignedOut);
        assert_eq!(s.confirm, None);
    }

    #[test]
    fn data_is_stale_offline_or_when_connecting_after_a_long_time_never_from_the_stored_status() {
        let status = |connection, last_sync_ms| {
            Action::Status(SyncStatus { connection, last_sync_ms, pending: 0 })
        };
        let now = 100 * STALE_AFTER_MS;
        let booted = AppState::new(Lang::Fr, now, today()).reduce(Action::Booted {
            me: Some(me()),
            views: vec![],
            sync: Some(SyncStatus {
                connection: Connection::Online,
                last_sync_ms: Some(0),
                pending: 0,
            }),
        });
        assert_eq!(booted.stale(), None, "the stored status alone shows no banner");
        let recent = Some(now - 60_000);
        let old = Some(now - STALE_AFTER_MS);
        let s = booted.clone().reduce(status(Connection::Offline, recent));
        assert_eq!(s.stale(), Some(Stale::Offline));
        assert_eq!(s.clone().reduce(status(Connection::Syncing, recent)).stale(), None);
        assert_eq!(s.clone().reduce(status(Connection::Syncing, old)).stale(), Some(Stale::Old));
        assert_eq!(s.clone().reduce(status(Connection::Syncing, None)).stale(), Some(Stale::Old));
        assert_eq!(s.clone().reduce(status(Connection::Online, old)).stale(), None);
        assert_eq!(s.reduce(Action::SignedOut).stale(), None);
        let anonymous = fresh().reduce(status(Connection::Offline, None));
        assert_eq!(anonymous.stale(), None, "nobody signed in: no data to be stale");
    }

    #[test]
    fn the_grades_seen_mark_only_moves_forward() {
        let s = fresh().reduce(Action::GradesSeen(50)).reduce(Action::GradesSeen(20));
        assert_eq!(
            s.grades_seen_ms, 50,
            "an older mark (another tab) does not make grades new again"
        );
        assert_eq!(s.reduce(Action::GradesSeen(80)).grades_seen_ms, 80);
    }

    #[test]
    fn a_start_url_opens_the_tab_it_names() {
        assert_eq!(Tab::from_query("?view=homework"), Some(Tab::Homework));
        assert_eq!(Tab::from_query("?a=1&view=grades"), Some(Tab::Grades));
        assert_eq!(Tab::from_query("?view=today"), Some(Tab::Timetable));
        assert_eq!(Tab::from_query("?view=nothing"), None);
        assert_eq!(Tab::from_query(""), None);
    }

    #[test]
    fn week_navigation_moves_by_seven_days_and_comes_back() {
        let s = fresh().reduce(Action::NextWeek).reduce(Action::NextWeek);
        assert_eq!(s.week, CivilDate::new(2026, 12, 7).unwrap());
        assert!(!s.is_this_week());
        let s = s.reduce(Action::PrevWeek).reduce(Action::ThisWeek);
        assert!(s.is_this_week());
    }

    #[test]
    fn a_new_day_moves_the_current_week_but_not_a_browsed_one() {
        let sunday = CivilDate::new(2026, 11, 29).unwrap();
        let monday = sunday.add_days(1);
        let s =
            AppState::new(Lang::Fr, 0, sunday).reduce(Action::Tick { now_ms: 1, today: monday });
        assert_eq!(s.week, monday);
        let s = AppState::new(Lang::Fr, 0, sunday)
            .reduce(Action::PrevWeek)
            .reduce(Action::Tick { now_ms: 1, today: monday });
        assert_eq!(s.week, CivilDate::new(2026, 11, 16).unwrap());
    }
}
