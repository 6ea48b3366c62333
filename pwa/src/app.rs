//! The root component: the header and the screen of the current state.

use yew::prelude::*;

use crate::components::{
    AnnouncementsViewProps, AppHeaderProps, BlockedScreenProps, ConfirmDialogProps,
    DocumentsViewProps, FileViewerProps, GradesViewProps, HomeworkViewProps, InstallHintProps,
    LangSwitchProps, LoginFormProps, MessagesViewProps, PersonalEventsProps, PublishHostProps,
    SessionDialogProps, SettingsViewProps, StaleBannerProps, TabBarProps, UpdateBannerProps,
    WeekViewProps, announcements_view, app_header, blocked_screen, confirm_dialog, documents_view,
    file_viewer, grades_view, homework_view, install_hint, lang_switch, login_form, messages_view,
    personal_events, publish_host, session_dialog, settings_view, stale_banner, tab_bar,
    update_banner, week_view,
};
use crate::files::{by_course, publish_groups};
use crate::hooks::use_app;
use crate::state::{Action, Screen, Tab, View};
use crate::teach::{audiences, message_groups, teaching_groups};
use crate::views;
use crate::web::IntlClock;
use crate::week::{next_today, plan_week};

/// Starts the UI: begins reading IndexedDB, then mounts [`App`] on `<body>`.
pub fn start() {
    crate::web::mark("cartable:ui-start");
    crate::hooks::prefetch_snapshot();
    yew::Renderer::<App>::new().render();
}

/// The app.
#[component]
pub fn App() -> Html {
    let app = use_app();
    let s = &app.model.0;
    // Recomputed when a view changes, another week is shown, or every minute (the next session).
    let derived =
        use_memo((s.views_version, s.week, s.today, s.now_ms / 60_000, s.reveal_hidden), |_| {
            let clock = IntlClock::new();
            let hidden = s.hidden_courses();
            let mut plan = plan_week(s.timetable_views(), s.week, &clock);
            plan.hide(hidden, s.reveal_hidden);
            let next = next_today(s.timetable_views(), s.today, s.now_ms, hidden, &clock);
            (plan, next)
        });
    let (plan, next) = &*derived;
    let t = s.lang.t();
    // What the user may publish (empty for students and guardians; the server decides anyway).
    let (teaches, audiences, message_groups) = match &s.me {
        Some(me) => (teaching_groups(me), audiences(me), message_groups(me)),
        None => Default::default(),
    };
    let header = app_header(&AppHeaderProps {
        lang: s.lang,
        user_name: s.me.as_ref().map(|m| m.display_name.as_str()),
        admin: s.me.as_ref().is_some_and(|m| m.role == cartable_shared::roles::Role::Admin),
        status: s.sync,
        today: s.today,
        onlogout: app.on_logout.clone(),
        onsettings: {
            let cb = app.on_week.clone();
            Callback::from(move |()| cb.emit(Action::SetTab(Tab::Settings)))
        },
    });
    let screen = match s.screen {
        Screen::Loading => html! {
            <main id="loading" aria-busy="true"><p>{ t.loading }</p></main>
        },
        Screen::Login => login_form(&LoginFormProps {
            lang: s.lang,
            busy: s.login_busy,
            error: s.login_error,
            onsubmit: app.on_login.clone(),
        }),
        Screen::Timetable if s.blocked().is_some() => s
            .blocked()
            .map(|notice| blocked_screen(&BlockedScreenProps { notice, lang: s.lang }))
            .unwrap_or_default(),
        Screen::Timetable => {
            let lang = s.lang;
            let onintent = &app.on_intent;
            let view = match s.tab {
                Tab::Timetable => {
                    let from = s.week.utc_midnight_ms() - 14 * 3_600_000;
                    let to = from + 7 * 86_400_000 + 28 * 3_600_000;
                    let mut events: Vec<_> = s
                        .mine()
                        .map(|m| {
                            m.events
                                .iter()
                                .filter(|(_, e)| {
                                    let d = crate::web::device_time(e.start_ms).date;
                                    e.start_ms >= from && e.start_ms < to && d.monday() == s.week
                                })
                                .map(|(id, e)| (id.as_str(), e))
                                .collect()
                        })
                        .unwrap_or_default();
                    views::sort_small(&mut events, |(id, e)| (e.start_ms, *id));
                    html! {
                        <>
                            { week_view(&WeekViewProps {
                                plan,
                                next: if s.is_this_week() { next.as_ref() } else { None },
                                today: s.today,
                                has_timetable: !s.timetables.is_empty(),
                                lang,
                                onnavigate: app.on_week.clone(),
                                hidden: s.hidden_courses().len(),
                                reveal: s.reveal_hidden,
                                onintent,
                                teaches: &teaches,
                            }) }
                            { personal_events(&PersonalEventsProps { events, lang, onintent }) }
                        </>
                    }
                }
                Tab::Homework => {
                    let docs = s.views(|v| if let View::Homework(h) = v { Some(h) } else { None });
                    let items = views::homework_items(docs.map(|(_, h)| h), s.mine(), s.now_ms);
                    let workload =
                        views::workload(&items, s.today, |ms| crate::web::device_time(ms).date);
                    html! {
                        <>
                            if !teaches.is_empty() {
                                { publish_host(PublishHostProps {
                                    what: crate::publish::HOMEWORK_FORM,
                                    load: s.publish_module,
                                    lang,
                                }) }
                            }
                            { homework_view(&HomeworkViewProps {
                                workload: &workload,
                                items: &items,
                                lang,
                                onintent,
                                files: &s.files,
                                onfile: &app.on_file,
                            }) }
                        </>
                    }
                }
                Tab::Grades => {
                    let subjects: Vec<_> = s
                        .views(|v| if let View::Grades(g) = v { Some(g) } else { None })
                        .flat_map(|(_, g)| views::by_subject(g))
                        .collect();
                    let overall = views::overall_average(&subjects);
                    // The gradebooks are the publishing module's (only teachers receive them).
                    let books =
                        s.views(|v| if let View::Gradebook(b) = v { Some(b) } else { None });
                    html! {
                        <>
                            if books.count() > 0 {
                                { publish_host(PublishHostProps {
                                    what: crate::publish::GRADEBOOK,
                                    load: s.publish_module,
                                    lang,
                                }) }
                            }
                            { grades_view(&GradesViewProps {
                                subjects: &subjects,
                                overall,
                                lang,
                                seen_ms: s.grades_seen_ms,
                                onseen: &app.on_grades_seen,
                            }) }
                        </>
                    }
                }
                Tab::Announcements => {
                    let docs =
                        s.views(|v| if let View::Announcements(a) = v { Some(a) } else { None });
                    let items =
                        views::visible_announcements(docs.map(|(_, a)| a), s.mine(), s.now_ms);
                    html! {
                        <>
                            if !audiences.is_empty() {
                                { publish_host(PublishHostProps {
                                    what: crate::publish::ANNOUNCE_FORM,
                                    load: s.publish_module,
                                    lang,
                                }) }
                            }
                            { announcements_view(&AnnouncementsViewProps { items: &items, lang, onintent }) }
                        </>
                    }
                }
                Tab::Documents => {
                    let libraries =
                        s.views(|v| if let View::Library(l) = v { Some(l) } else { None });
                    let courses = by_course(libraries.map(|(_, l)| l));
                    let publish_groups = s.me.as_ref().map(publish_groups).unwrap_or_default();
                    documents_view(&DocumentsViewProps {
                        courses: &courses,
                        files: &s.files,
                        lang,
                        onfile: &app.on_file,
                        onaction: &app.on_week,
                        publish_groups: &publish_groups,
                        publish_module: s.publish_module,
                    })
                }
                Tab::Messages => html! {
                    <>
                        if !message_groups.is_empty() && s.thread.is_none() {
                            { publish_host(PublishHostProps {
                                what: crate::publish::MESSAGE_FORM,
                                load: s.publish_module,
                                lang,
                            }) }
                        }
                        { messages_view(&MessagesViewProps {
                    threads: s
                        .views(|v| if let View::Thread(t) = v { Some(t) } else { None })
                        .collect(),
                    open: s.thread.as_ref(),
                    user: s.me.as_ref().map(|m| m.user.as_str()).unwrap_or_default(),
                    lang,
                    onaction: &app.on_week,
                    onintent,
                }) }
                    </>
                },
                Tab::Settings => settings_view(&SettingsViewProps {
                    lang,
                    theme: s.theme,
                    notifications: &s.notifications(),
                    quiet_draft: s.quiet_draft.as_ref(),
                    data: &s.settings,
                    zone: &app.zone,
                    user_agent: &app.user_agent,
                    onsettings: &app.on_settings,
                    onlang: &app.on_lang,
                    onlogout: &app.on_logout,
                    hidden_courses: s.hidden_courses(),
                    onintent,
                }),
            };
            html! {
                <>
                    { tab_bar(&TabBarProps { tab: s.tab, lang, onaction: &app.on_week }) }
                    { view }
                </>
            }
        }
    };
    html! {
        <>
            { header }
            if let (Some(why), None) = (s.stale(), s.blocked()) {
                { stale_banner(StaleBannerProps { why, last_sync_ms: s.sync.last_sync_ms, today: s.today, lang: s.lang }) }
            }
            if let (Some(hint), Some(_)) = (s.install, &s.me) {
                { install_hint(&InstallHintProps {
                    hint,
                    lang: s.lang,
                    oninstall: app.on_install.0.clone(),
                    ondismiss: app.on_install.1.clone(),
                }) }
            }
            if s.edit_refused.is_some() {
                <div id="edit-refused" class="notice failure" role="alert">
                    <p>{ t.teach.refused }</p>
                    <button type="button" onclick={
                        let cb = app.on_week.clone();
                        Callback::from(move |_: MouseEvent| cb.emit(Action::DismissRefused))
                    }>{ t.teach.dismiss }</button>
                </div>
            }
            if s.update_ready {
                { update_banner(&UpdateBannerProps { lang: s.lang, onupdate: app.on_update.clone() }) }
            }
            if let Some(confirm) = s.confirm {
                { confirm_dialog(&ConfirmDialogProps { lang: s.lang, confirm, pending: s.sync.pending, onsettings: &app.on_settings }) }
            }
            { screen }
            if let Some(dialog) = &s.teach.dialog {
                { session_dialog(&SessionDialogProps { dialog, lang: s.lang, onteach: &app.on_teach, onaction: &app.on_week }) }
            }
            if let Some(viewer) = &s.files.viewer {
                { file_viewer(&FileViewerProps { viewer, lang: s.lang, onfile: &app.on_file }) }
            }
            if s.me.is_none() {
                // Signed in, the language is chosen in the settings.
                <footer class="app-footer">
                    { lang_switch(&LangSwitchProps { lang: s.lang, onchange: app.on_lang.clone() }) }
                </footer>
            }
        </>
    }
}
