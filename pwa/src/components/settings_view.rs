//! The settings view: theme and language, notifications (level, categories, quiet hours, this
//! device, the user's devices, what this device received), storage, last connections and
//! signing out.

use cartable_shared::engine::EngineCommand;
use cartable_shared::notify::{Category, Level, NotificationSettings};
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::{LangSwitchProps, lang_switch};
use crate::i18n::Lang;
use crate::settings::{
    Confirm, PushState, SettingsCommand, SettingsData, Theme, device_label, format_bytes,
    format_hm, with_category, with_level, with_quiet_hours,
};
use crate::web;

/// Props of [`settings_view`].
#[derive(Debug, Clone)]
pub struct SettingsViewProps<'a> {
    /// The interface language.
    pub lang: Lang,
    /// The colour theme.
    pub theme: Theme,
    /// The user's notification settings (from their `me` document).
    pub notifications: &'a NotificationSettings,
    /// Storage, push state, devices, connections, recent notifications.
    pub data: &'a SettingsData,
    /// The device's time zone.
    pub zone: &'a str,
    /// The browser's `User-Agent`.
    pub user_agent: &'a str,
    /// Receives settings commands.
    pub onsettings: &'a Callback<SettingsCommand>,
    /// Receives the notification settings edits.
    pub onintent: &'a Callback<EngineCommand>,
    /// A language was picked.
    pub onlang: &'a Callback<Lang>,
    /// The sign-out button.
    pub onlogout: &'a Callback<()>,
}

fn when(lang: Lang, ms: i64) -> String {
    let at = web::device_time(ms);
    format!("{} {}", lang.short_date(at.date), at.hm())
}

fn input_value(id: &str) -> String {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<HtmlInputElement>().ok())
        .map(|i| i.value())
        .unwrap_or_default()
}

fn command(cb: &Callback<SettingsCommand>, cmd: SettingsCommand) -> Callback<MouseEvent> {
    let cb = cb.clone();
    Callback::from(move |_: MouseEvent| cb.emit(cmd.clone()))
}

/// `<main id="settings">` with one `section` per topic.
pub fn settings_view(props: &SettingsViewProps<'_>) -> Html {
    let lang = props.lang;
    let t = lang.t().settings;
    html! {
        <main id="settings" aria-labelledby="settings-title">
            <h1 id="settings-title">{ t.title }</h1>
            { appearance(props) }
            { notifications(props) }
            { storage(props) }
            <section id="settings-account" aria-labelledby="connections-title">
                <h2 id="connections-title">{ t.connections }</h2>
                if let Some(list) = &props.data.connections {
                    <ul id="connections">
                        { for list.iter().map(|c| html! {
                            <li data-current={c.current.to_string()} data-active={c.active.to_string()}>
                                <span>
                                    { c.device.as_deref().map_or_else(|| t.unknown_device.to_owned(), device_label) }
                                    if c.current { { format!(" ({})", t.this_device) } }
                                </span>
                                <span class="settings-note">
                                    { when(lang, c.at_ms) }
                                    { c.address.as_deref().map(|a| format!(" · {a}")).unwrap_or_default() }
                                    { format!(" · {}", if c.active { t.active } else { t.ended }) }
                                </span>
                            </li>
                        }) }
                    </ul>
                    <div class="settings-actions">
                        <button id="sign-out-everywhere" type="button" class="danger-button"
                            onclick={command(props.onsettings, SettingsCommand::Ask(Confirm::SignOutEverywhere))}>
                            { t.sign_out_everywhere }
                        </button>
                    </div>
                } else {
                    <p class="settings-note">{ t.online_only }</p>
                }
                <div class="settings-actions">
                    <button id="settings-logout" type="button" onclick={
                        let cb = props.onlogout.clone();
                        Callback::from(move |_: MouseEvent| cb.emit(()))
                    }>{ lang.t().logout }</button>
                </div>
            </section>
        </main>
    }
}

fn appearance(props: &SettingsViewProps<'_>) -> Html {
    let t = props.lang.t().settings;
    html! {
        <section id="settings-appearance" aria-labelledby="appearance-title">
            <h2 id="appearance-title">{ t.appearance }</h2>
            <fieldset id="theme-choice">
                <legend>{ t.theme }</legend>
                { for Theme::ALL.into_iter().zip(t.themes).map(|(theme, name)| {
                    let cb = props.onsettings.clone();
                    let onchange = Callback::from(move |_: Event| cb.emit(SettingsCommand::SetTheme(theme)));
                    html! {
                        <label>
                            <input type="radio" name="theme" id={format!("theme-{}", theme.tag())}
                                value={theme.tag()} checked={theme == props.theme} {onchange} />
                            { name }
                        </label>
                    }
                }) }
            </fieldset>
            { lang_switch(&LangSwitchProps { lang: props.lang, onchange: props.onlang.clone() }) }
        </section>
    }
}

fn notifications(props: &SettingsViewProps<'_>) -> Html {
    let t = props.lang.t().settings;
    let current = props.notifications;
    let levels = [Level::Essential, Level::Intermediate, Level::Complete];
    let quiet = current.quiet_hours.as_ref();
    let save_quiet = {
        let (cb, current, zone) = (props.onintent.clone(), current.clone(), props.zone.to_owned());
        Callback::from(move |_: MouseEvent| {
            let (start, end) = (input_value("quiet-start"), input_value("quiet-end"));
            if let Some(settings) = with_quiet_hours(&current, &start, &end, &zone) {
                cb.emit(EngineCommand::SetNotificationSettings { settings });
            }
        })
    };
    let clear_quiet = {
        let (cb, current) = (props.onintent.clone(), current.clone());
        Callback::from(move |_: MouseEvent| {
            let settings = NotificationSettings { quiet_hours: None, ..current.clone() };
            cb.emit(EngineCommand::SetNotificationSettings { settings });
        })
    };
    html! {
        <section id="settings-notifications" aria-labelledby="notifications-title">
            <h2 id="notifications-title">{ t.notifications }</h2>
            <fieldset id="level-choice">
                <legend>{ t.level }</legend>
                { for levels.into_iter().zip(t.levels).map(|(level, name)| {
                    let checked = level == current.level;
                    let (cb, current) = (props.onintent.clone(), current.clone());
                    let onchange = Callback::from(move |_: Event| {
                        cb.emit(EngineCommand::SetNotificationSettings { settings: with_level(&current, level) })
                    });
                    let id = format!("level-{}", format!("{level:?}").to_lowercase());
                    html! {
                        <label>
                            <input type="radio" name="level" {id} {checked} {onchange} />
                            { name }
                        </label>
                    }
                }) }
            </fieldset>
            <fieldset id="categories">
                <legend>{ t.categories }</legend>
                { for Category::ALL.into_iter().zip(t.category_names).map(|(category, name)| {
                    let checked = current.wants(category);
                    let (cb, current) = (props.onintent.clone(), current.clone());
                    let onchange = Callback::from(move |e: Event| {
                        let on = e.target_unchecked_into::<HtmlInputElement>().checked();
                        cb.emit(EngineCommand::SetNotificationSettings { settings: with_category(&current, category, on) })
                    });
                    html! {
                        <label>
                            <input type="checkbox" id={format!("cat-{}", category.as_str())}
                                {checked} {onchange} />
                            { name }
                        </label>
                    }
                }) }
            </fieldset>
            <h3>{ t.quiet_hours }</h3>
            <p class="settings-note">{ t.quiet_intro }</p>
            <div class="quiet-times">
                <label>{ t.quiet_start }
                    <input type="time" id="quiet-start" value={quiet.map(|q| format_hm(q.start_min)).unwrap_or_default()} />
                </label>
                <label>{ t.quiet_end }
                    <input type="time" id="quiet-end" value={quiet.map(|q| format_hm(q.end_min)).unwrap_or_default()} />
                </label>
            </div>
            <div class="settings-actions">
                <button id="quiet-save" type="button" onclick={save_quiet}>{ t.quiet_save }</button>
                if quiet.is_some() {
                    <button id="quiet-clear" type="button" onclick={clear_quiet}>{ t.quiet_none }</button>
                }
            </div>
            { device_push(props) }
        </section>
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
    let enable = {
        let cb = props.onsettings.clone();
        Callback::from(move |_: MouseEvent| {
            cb.emit(SettingsCommand::EnablePush(input_value("push-label").trim().to_owned()))
        })
    };
    html! {
        <>
            <h3>{ t.device_push }</h3>
            <p id="push-status" data-state={state} role="status">{ text }</p>
            if matches!(push, PushState::Off | PushState::Failed) {
                <label>{ t.device_name }
                    <input type="text" id="push-label" maxlength="80" value={device_label(props.user_agent)} />
                </label>
                <div class="settings-actions">
                    <button id="push-enable" type="button" onclick={enable}>{ t.push_enable }</button>
                </div>
            }
            if *push == PushState::On {
                <div class="settings-actions">
                    <button id="push-disable" type="button" onclick={command(props.onsettings, SettingsCommand::DisablePush)}>
                        { t.push_disable }
                    </button>
                </div>
            }
            <h3>{ t.devices }</h3>
            { devices_list(props) }
            <h3>{ t.recent }</h3>
            if data.recent.is_empty() {
                <p class="settings-note">{ t.recent_none }</p>
            } else {
                <ul id="recent-notifications">
                    { for data.recent.iter().map(|n| html! {
                        <li data-category={n.category.clone()} data-tag={n.tag.clone()}>
                            <a href={n.url.clone()}>
                                <strong class="recent-title">{ &n.title }</strong>
                                { " " }
                                <span class="recent-body">{ &n.body }</span>
                            </a>
                            <span class="settings-note">{ when(lang, n.at_ms) }</span>
                        </li>
                    }) }
                </ul>
            }
        </>
    }
}

fn devices_list(props: &SettingsViewProps<'_>) -> Html {
    let lang = props.lang;
    let t = lang.t().settings;
    match &props.data.devices {
        None => html! { <p class="settings-note">{ t.online_only }</p> },
        Some(list) if list.is_empty() => {
            html! { <p id="push-devices-none" class="settings-note">{ t.devices_none }</p> }
        }
        Some(list) => html! {
            <ul id="push-devices">
                { for list.iter().map(|d| html! {
                    <li data-subscription-id={d.id.to_string()}>
                        <span>
                            <span class="device-label">{ &d.label }</span>
                            <span class="settings-note">{ format!(" · {} · {}", d.endpoint_host, when(lang, d.created_ms)) }</span>
                        </span>
                        <button type="button" class="device-remove"
                            aria-label={format!("{} {}", t.remove, d.label)}
                            onclick={command(props.onsettings, SettingsCommand::RemoveDevice(d.id.clone()))}>
                            { t.remove }
                        </button>
                    </li>
                }) }
            </ul>
        },
    }
}

fn storage(props: &SettingsViewProps<'_>) -> Html {
    let lang = props.lang;
    let t = lang.t().settings;
    html! {
        <section id="settings-storage" aria-labelledby="storage-title">
            <h2 id="storage-title">{ t.storage }</h2>
            if let Some(s) = props.data.storage {
                <p id="storage-usage">
                    { format!("{} {} {} {}", t.storage_used, format_bytes(s.usage, lang), t.storage_of, format_bytes(s.quota, lang)) }
                </p>
                <p id="storage-persisted" data-persisted={s.persisted.to_string()}>
                    { if s.persisted { t.persist_yes } else { t.persist_no } }
                </p>
                if !s.persisted {
                    <div class="settings-actions">
                        <button id="persist" type="button" onclick={command(props.onsettings, SettingsCommand::Persist)}>
                            { t.persist_ask }
                        </button>
                    </div>
                }
            }
            <div class="settings-actions">
                <button id="clear-local" type="button" class="danger-button"
                    onclick={command(props.onsettings, SettingsCommand::Ask(Confirm::ClearLocal))}>
                    { t.clear_local }
                </button>
            </div>
        </section>
    }
}
