//! The settings view: theme and language, notifications (level, categories, quiet hours, this
//! device, the user's devices, what this device received), storage, last connections and
//! signing out.

use cartable_shared::engine::{EngineCommand, NotificationChange};
use cartable_shared::notify::{Category, Level, NotificationSettings};
use yew::prelude::*;

use super::{LangSwitchProps, lang_switch};
use crate::i18n::Lang;
use crate::settings::{
    CalendarLink, Confirm, PushState, SettingsCommand, SettingsData, Theme, device_label,
    format_bytes, format_hm, quiet_hours,
};
use crate::web;

/// Props of [`settings_view`].
#[derive(Debug, Clone)]
pub struct SettingsViewProps<'a> {
    /// The interface language.
    pub lang: Lang,
    /// The colour theme.
    pub theme: Theme,
    /// The user's notification settings (as edited here, else from their `me` document).
    pub notifications: &'a NotificationSettings,
    /// The quiet hours being typed (start, end), not saved yet.
    pub quiet_draft: Option<&'a (String, String)>,
    /// Storage, push state, devices, connections, recent notifications.
    pub data: &'a SettingsData,
    /// The device's time zone.
    pub zone: &'a str,
    /// The browser's `User-Agent`.
    pub user_agent: &'a str,
    /// Receives settings commands (notification edits included).
    pub onsettings: &'a Callback<SettingsCommand>,
    /// A language was picked.
    pub onlang: &'a Callback<Lang>,
    /// The sign-out button.
    pub onlogout: &'a Callback<()>,
    /// The subjects hidden from the timetable.
    pub hidden_courses: &'a [String],
    /// Receives "show this course again".
    pub onintent: &'a Callback<EngineCommand>,
}

fn when(lang: Lang, ms: i64) -> String {
    let at = web::device_time(ms);
    format!("{} {}", lang.short_date(at.date), at.hm())
}

// Small builders shared by every part of the view: each `html!` element is code in the UI
// module, so the repeated shapes are built once here (DESIGN §10, first-paint budget).

fn emit<T: Clone + 'static, E: 'static>(cb: &Callback<T>, value: T) -> Callback<E> {
    let cb = cb.clone();
    Callback::from(move |_: E| cb.emit(value.clone()))
}

fn emit_with<T: 'static, E: 'static>(
    cb: &Callback<T>,
    f: impl Fn(E) -> T + 'static,
) -> Callback<E> {
    let cb = cb.clone();
    Callback::from(move |e: E| cb.emit(f(e)))
}

fn button(
    id: Option<&'static str>,
    class: &'static str,
    text: &str,
    onclick: Callback<MouseEvent>,
) -> Html {
    html! { <button {id} type="button" class={(!class.is_empty()).then_some(class)} {onclick}>{ text }</button> }
}

fn note(id: Option<&'static str>, text: &str) -> Html {
    html! { <p {id} class="settings-note">{ text }</p> }
}

fn section(id: &'static str, title: &str, body: Html) -> Html {
    let title_id = format!("{id}-title");
    html! {
        <section {id} aria-labelledby={title_id.clone()}>
            <h2 id={title_id}>{ title }</h2>
            { body }
        </section>
    }
}

/// A labelled radio button or checkbox.
fn choice(
    kind: &'static str,
    name: &'static str,
    id: String,
    checked: bool,
    text: &str,
    onchange: Callback<Event>,
) -> Html {
    html! {
        <label>
            <input type={kind} name={(!name.is_empty()).then_some(name)} {id} {checked} {onchange} />
            { text }
        </label>
    }
}

fn fieldset(id: &'static str, legend: &str, items: Html) -> Html {
    html! { <fieldset {id}><legend>{ legend }</legend>{ items }</fieldset> }
}

/// `<main id="settings">` with one `section` per topic.
pub fn settings_view(props: &SettingsViewProps<'_>) -> Html {
    let lang = props.lang;
    let t = lang.t().settings;
    let account = match &props.data.connections {
        Some(list) => html! {
            <>
                <ul id="connections">
                    { for list.iter().map(|c| {
                        let device = c.device.as_deref().map_or_else(|| t.unknown_device.to_owned(), device_label);
                        let this = if c.current { format!(" ({})", t.this_device) } else { String::new() };
                        let address = c.address.as_deref().map(|a| format!(" · {a}")).unwrap_or_default();
                        let state = if c.active { t.active } else { t.ended };
                        html! {
                            <li data-current={c.current.to_string()} data-active={c.active.to_string()}>
                                <span>{ device }{ this }</span>
                                { note(None, &format!("{}{address} · {state}", when(lang, c.at_ms))) }
                            </li>
                        }
                    }) }
                </ul>
                { button(Some("sign-out-everywhere"), "danger-button", t.sign_out_everywhere,
                    emit(props.onsettings, SettingsCommand::Ask(Confirm::SignOutEverywhere))) }
            </>
        },
        None => note(None, t.online_only),
    };
    html! {
        <main id="settings" aria-labelledby="settings-title">
            <h1 id="settings-title">{ t.title }</h1>
            { section("settings-appearance", t.appearance, html! {
                <>
                    { fieldset("theme-choice", t.theme, Theme::ALL.into_iter().zip(t.themes).map(|(theme, name)| {
                        choice("radio", "theme", format!("theme-{}", theme.tag()), theme == props.theme, name,
                            emit(props.onsettings, SettingsCommand::SetTheme(theme)))
                    }).collect()) }
                    { lang_switch(&LangSwitchProps { lang, onchange: props.onlang.clone() }) }
                </>
            }) }
            { section("settings-courses", lang.t().courses_hidden, hidden_courses(props)) }
            { section("settings-notifications", t.notifications, notifications(props)) }
            { section("settings-storage", t.storage, storage(props)) }
            { section("settings-calendar", t.calendar, calendar(props)) }
            { section("settings-data", lang.t().access.my_data, my_data(lang)) }
            { section("settings-account", t.connections, html! {
                <>
                    { account }
                    { button(Some("settings-logout"), "", lang.t().logout, emit(props.onlogout, ())) }
                </>
            }) }
        </main>
    }
}

/// The hidden courses, each with a button that shows it again.
fn hidden_courses(props: &SettingsViewProps<'_>) -> Html {
    let t = props.lang.t();
    html! {
        <>
            { note(None, t.courses_hidden_about) }
            if props.hidden_courses.is_empty() {
                { note(Some("hidden-none"), t.courses_hidden_none) }
            } else {
                <ul id="hidden-list">
                    { for props.hidden_courses.iter().map(|subject| {
                        let cmd = EngineCommand::SetCourseHidden { subject: subject.clone(), hidden: false };
                        html! {
                            <li data-subject={subject.clone()}>
                                <span>{ subject }</span>
                                <button type="button" class="course-show" onclick={emit(props.onintent, cmd)}>
                                    { t.course_show }<span class="sr-only">{ format!(" : {subject}") }</span>
                                </button>
                            </li>
                        }
                    }) }
                </ul>
            }
        </>
    }
}

/// Downloading one's data (GDPR): plain links, the server answers with attachments.
fn my_data(lang: Lang) -> Html {
    let t = lang.t().access;
    html! {
        <>
            { note(None, t.my_data_about) }
            <p><a id="download-data" href="/api/me/export" download="">{ t.download_json }</a></p>
            <p><a id="download-calendar" href="/api/me/export.ics" download="">{ t.download_ics }</a></p>
        </>
    }
}

/// The private calendar export feed: create, show once, renew, revoke.
fn calendar(props: &SettingsViewProps<'_>) -> Html {
    let lang = props.lang;
    let t = lang.t().settings;
    let create = |text| {
        button(
            Some("calendar-create"),
            "",
            text,
            emit(props.onsettings, SettingsCommand::CreateCalendarLink),
        )
    };
    let state = match &props.data.calendar {
        CalendarLink::Unknown => note(None, t.online_only),
        CalendarLink::Off => create(t.calendar_create),
        CalendarLink::On { created_ms, last_used_ms, url } => html! {
            <>
                if let Some(url) = url {
                    <label for="calendar-url">{ t.calendar_url }</label>
                    <input id="calendar-url" type="url" readonly=true value={url.clone()} />
                    { note(None, t.calendar_copy_now) }
                }
                { note(Some("calendar-state"), &format!("{} {}{}", t.calendar_since, when(lang, *created_ms),
                    last_used_ms.map(|ms| format!(" · {} {}", t.calendar_last_used, when(lang, ms))).unwrap_or_default())) }
                { create(t.calendar_renew) }
                { button(Some("calendar-revoke"), "danger-button", t.calendar_revoke,
                    emit(props.onsettings, SettingsCommand::RevokeCalendarLink)) }
            </>
        },
    };
    html! { <>{ note(None, t.calendar_about) }{ state }</> }
}

fn notifications(props: &SettingsViewProps<'_>) -> Html {
    let t = props.lang.t().settings;
    let current = props.notifications;
    let set = |change| SettingsCommand::Notifications(change);
    let levels = [
        (Level::Essential, "level-essential"),
        (Level::Intermediate, "level-intermediate"),
        (Level::Complete, "level-complete"),
    ];
    let quiet = current.quiet_hours.as_ref();
    let (start, end) = match props.quiet_draft {
        Some((s, e)) => (s.clone(), e.clone()),
        None => (
            quiet.map(|q| format_hm(q.start_min)).unwrap_or_default(),
            quiet.map(|q| format_hm(q.end_min)).unwrap_or_default(),
        ),
    };
    let draft = emit_with(props.onsettings, |_: InputEvent| {
        SettingsCommand::QuietDraft(
            super::input_value("quiet-start"),
            super::input_value("quiet-end"),
        )
    });
    let zone = props.zone.to_owned();
    let save_quiet = emit_with(props.onsettings, move |_: MouseEvent| {
        let q = quiet_hours(
            &super::input_value("quiet-start"),
            &super::input_value("quiet-end"),
            &zone,
        );
        // `<input type=time>` gives HH:MM or nothing: an unreadable time cannot happen.
        SettingsCommand::Notifications(NotificationChange::QuietHours(q.flatten()))
    });
    let time = |id: &'static str, label: &str, value: String| {
        html! {
            <label>{ label }<input type="time" {id} {value} oninput={draft.clone()} /></label>
        }
    };
    html! {
        <>
            { fieldset("level-choice", t.level, levels.into_iter().zip(t.levels).map(|((level, id), name)| {
                choice("radio", "level", id.into(), level == current.level, name,
                    emit(props.onsettings, set(NotificationChange::Level(level))))
            }).collect()) }
            { fieldset("categories", t.categories, Category::ALL.into_iter().zip(t.category_names).map(|(category, name)| {
                let on = current.wants(category);
                choice("checkbox", "", format!("cat-{}", category.as_str()), on, name,
                    emit(props.onsettings, set(NotificationChange::Category { category, on: !on })))
            }).collect()) }
            <h3>{ t.quiet_hours }</h3>
            { note(None, t.quiet_intro) }
            <div class="quiet-times">
                { time("quiet-start", t.quiet_start, start) }
                { time("quiet-end", t.quiet_end, end) }
            </div>
            <div class="settings-actions">
                { button(Some("quiet-save"), "", t.quiet_save, save_quiet) }
                if quiet.is_some() {
                    { button(Some("quiet-clear"), "", t.quiet_none,
                        emit(props.onsettings, set(NotificationChange::QuietHours(None)))) }
                }
            </div>
            { device_push(props) }
        </>
    }
}

fn device_push(props: &SettingsViewProps<'_>) -> Html {
    let lang = props.lang;
    let t = lang.t().settings;
    let data = props.data;
    let push = &data.push;
    let (state, text) = match push {
        PushState::Unknown | PushState::Busy => ("busy", t.push_busy),
        PushState::Unsupported => ("unsupported", t.push_unsupported),
        PushState::NeedsHomeScreen => ("home-screen", t.push_home_screen),
        PushState::Denied => ("denied", t.push_denied),
        PushState::Off => ("off", t.push_off),
        PushState::On => ("on", t.push_on),
        PushState::Failed => ("failed", t.push_failed),
    };
    let label = device_label(props.user_agent);
    let enable = emit_with(props.onsettings, move |_: MouseEvent| {
        let typed = super::input_value("push-label");
        let typed = typed.trim();
        SettingsCommand::EnablePush(if typed.is_empty() { label.clone() } else { typed.to_owned() })
    });
    let devices = match &data.devices {
        None => note(None, t.online_only),
        Some(list) if list.is_empty() => note(Some("push-devices-none"), t.devices_none),
        Some(list) => html! {
            <ul id="push-devices">
                { for list.iter().map(|d| html! {
                    <li data-subscription-id={d.id.to_string()}>
                        <span class="device-label">{ &d.label }</span>
                        { note(None, &format!("{} · {}", d.endpoint_host, when(lang, d.created_ms))) }
                        { button(None, "device-remove", t.remove, emit(props.onsettings, SettingsCommand::RemoveDevice(d.id.clone()))) }
                    </li>
                }) }
            </ul>
        },
    };
    html! {
        <>
            <h3>{ t.device_push }</h3>
            <p id="push-status" data-state={state} role="status">{ text }</p>
            if matches!(push, PushState::Off | PushState::Failed) {
                <label>{ t.device_name }
                    // No `value`: Yew would reset what is typed at every render.
                    <input type="text" id="push-label" maxlength="80" placeholder={device_label(props.user_agent)} />
                </label>
                { button(Some("push-enable"), "", t.push_enable, enable) }
            }
            if *push == PushState::On {
                { button(Some("push-disable"), "", t.push_disable, emit(props.onsettings, SettingsCommand::DisablePush)) }
            }
            <h3>{ t.devices }</h3>
            { devices }
            <h3>{ t.recent }</h3>
            if data.recent.is_empty() {
                { note(None, t.recent_none) }
            } else {
                <ul id="recent-notifications">
                    { for data.recent.iter().map(|n| html! {
                        <li data-category={n.category.clone()} data-tag={n.tag.clone()}>
                            <a href={n.url.clone()}>
                                <strong class="recent-title">{ &n.title }</strong>{ " " }{ &n.body }
                            </a>
                            { note(None, &when(lang, n.at_ms)) }
                        </li>
                    }) }
                </ul>
            }
        </>
    }
}

fn storage(props: &SettingsViewProps<'_>) -> Html {
    let lang = props.lang;
    let t = lang.t().settings;
    html! {
        <>
            if let Some(s) = props.data.storage {
                <p id="storage-usage">
                    { format!("{} {} {} {}", t.storage_used, format_bytes(s.usage, lang), t.storage_of, format_bytes(s.quota, lang)) }
                </p>
                <p id="storage-persisted" data-persisted={s.persisted.to_string()}>
                    { if s.persisted { t.persist_yes } else { t.persist_no } }
                </p>
                if !s.persisted {
                    { button(Some("persist"), "", t.persist_ask, emit(props.onsettings, SettingsCommand::Persist)) }
                }
            }
            { button(Some("clear-local"), "danger-button", t.clear_local, emit(props.onsettings, SettingsCommand::Ask(Confirm::ClearLocal))) }
        </>
    }
}
