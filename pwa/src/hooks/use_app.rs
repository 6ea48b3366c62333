//! The app's root hook: the reducer, the start-up flow, the engine, the clock, network events,
//! the service worker, and the callbacks the components call.

use cartable_shared::api::LoginRequest;
use cartable_shared::engine::EngineCommand;
use wasm_bindgen::prelude::*;
use yew::prelude::*;

use super::settings::{self, device_zone, user_agent};
use super::use_blocked::use_blocked;
use super::use_clock::use_clock;
use super::use_install::{self, use_install};
use super::use_service_worker::{apply_update, use_service_worker};
use super::{EngineLink, Model, session};
use crate::files::FileCmd;
use crate::i18n::Lang;
use crate::settings::{Confirm, SettingsCommand, THEME_PREF, Theme};
use crate::state::{Action, AppState, Screen, Tab};
use crate::teach::TeachCmd;
use crate::web;

/// Key of the newest grade publication seen on this device, in `localStorage`: "new" grades
/// are a per-device notion (a grade seen on the phone is still new on the laptop).
pub(crate) const GRADES_SEEN_PREF: &str = "cartable.grades-seen";

/// Key of the saved language preference in `localStorage`.
pub(crate) const LANG_PREF: &str = "cartable.lang";

/// What the root component needs: the state and the callbacks.
pub struct AppHandle {
    /// The current state (`model.0`).
    pub model: UseReducerHandle<Model>,
    /// Submit the login form.
    pub on_login: Callback<LoginRequest>,
    /// Sign out.
    pub on_logout: Callback<()>,
    /// Week navigation.
    pub on_week: Callback<Action>,
    /// Pick a language.
    pub on_lang: Callback<Lang>,
    /// Load the new version.
    pub on_update: Callback<()>,
    /// A user's edit, for the engine (kept and sent later when offline).
    pub on_intent: Callback<EngineCommand>,
    /// Open, pin or unpin a file, download the trip pack, close the viewer.
    pub on_file: Callback<FileCmd>,
    /// A command of the settings view.
    pub on_settings: Callback<SettingsCommand>,
    /// The device's time zone (quiet hours are counted in it).
    pub zone: std::rc::Rc<str>,
    /// The browser's `User-Agent` (names this device).
    pub user_agent: std::rc::Rc<str>,
    /// The install hint's buttons: install, dismiss.
    pub on_install: (Callback<()>, Callback<()>),
    /// "Mark all grades as seen", with the newest publication shown.
    pub on_grades_seen: Callback<i64>,
    /// A command of the publishing views (teachers, staff, admins).
    pub on_teach: Callback<TeachCmd>,
}

impl std::fmt::Debug for AppHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppHandle").finish_non_exhaustive()
    }
}

fn initial_state() -> Model {
    let lang = Lang::pick(web::pref(LANG_PREF).as_deref(), web::browser_language().as_deref());
    let mut state = AppState::new(lang, web::now_ms(), web::today());
    state.theme = Theme::from_tag(web::pref(THEME_PREF).as_deref());
    state.grades_seen_ms =
        web::pref(GRADES_SEEN_PREF).and_then(|v| v.parse().ok()).unwrap_or_default();
    // The manifest's shortcuts open `/?view=today` and `/?view=homework`.
    let search = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
    if let Some(tab) = Tab::from_query(&search) {
        state.tab = tab;
    }
    Model(state)
}

/// The app's state and effects.
#[hook]
pub fn use_app() -> AppHandle {
    let model = use_reducer(initial_state);
    let engine = use_memo((), |_| EngineLink::default());
    let dispatch = model.dispatcher();

    {
        let (dispatch, engine) = (dispatch.clone(), (*engine).clone());
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(session::boot(dispatch, engine));
        });
    }
    use_clock(dispatch.clone());
    use_blocked(model.0.blocked().is_some(), dispatch.clone(), (*engine).clone());
    use_service_worker(dispatch.clone());
    use_install(dispatch.clone());
    {
        // Back online: reconnect now rather than at the end of the backoff. Gone offline:
        // close the socket now rather than wait for it to time out.
        let engine = (*engine).clone();
        use_effect_with((), move |_| {
            let on = |cmd: EngineCommand| {
                let engine = engine.clone();
                Closure::<dyn FnMut()>::new(move || engine.send(&cmd))
            };
            let listeners = [
                ("online", on(EngineCommand::Reconnect)),
                ("offline", on(EngineCommand::NetworkLost)),
            ];
            let window = web_sys::window();
            if let Some(w) = &window {
                for (name, f) in &listeners {
                    let _ = w.add_event_listener_with_callback(name, f.as_ref().unchecked_ref());
                }
            }
            move || {
                if let Some(w) = &window {
                    for (name, f) in &listeners {
                        let _ =
                            w.remove_event_listener_with_callback(name, f.as_ref().unchecked_ref());
                    }
                }
            }
        });
    }
    {
        let lang = model.0.lang;
        use_effect_with(lang, |lang| {
            if let Some(root) =
                web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element())
            {
                let _ = root.set_attribute("lang", lang.tag());
            }
            if let Some(d) = web_sys::window().and_then(|w| w.document()) {
                d.set_title(lang.t().app_name);
            }
            settings::remember_language(lang.tag());
        });
    }

    {
        // The manifest's "today" shortcut opens `/?view=today`: bring today into view.
        // Once the timetable is shown with its sessions (the page is then tall enough).
        let ready = model.0.screen == Screen::Timetable && !model.0.timetables.is_empty();
        use_effect_with(ready, |ready| {
            if *ready {
                // Rendered: the mark `cargo xtask bench app` measures cold starts to.
                web::mark("cartable:timetable");
            }
            if *ready && let Some(w) = web_sys::window() {
                let wants_today = w.location().search().is_ok_and(|q| q.contains("view=today"));
                let id = format!("day-{}", web::today());
                if wants_today && let Some(el) = w.document().and_then(|d| d.get_element_by_id(&id))
                {
                    el.scroll_into_view();
                }
            }
        });
    }

    let on_login = {
        let (dispatch, engine) = (dispatch.clone(), (*engine).clone());
        Callback::from(move |req: LoginRequest| {
            wasm_bindgen_futures::spawn_local(session::login(
                dispatch.clone(),
                engine.clone(),
                req,
            ));
        })
    };
    super::links::use_links(&model, dispatch.clone());
    {
        // The settings view reads its figures and lists when it opens.
        let (dispatch, engine) = (dispatch.clone(), (*engine).clone());
        use_effect_with(model.0.tab == Tab::Settings && model.0.me.is_some(), move |open| {
            if *open {
                settings::run(SettingsCommand::Refresh, &dispatch, &engine);
            }
        });
    }
    let on_settings = {
        let (dispatch, engine) = (dispatch.clone(), (*engine).clone());
        Callback::from(move |cmd| settings::run(cmd, &dispatch, &engine))
    };
    let on_logout = {
        // Unsent local changes would be lost: ask first.
        let pending = model.0.sync.pending > 0;
        let (dispatch, engine) = (dispatch.clone(), (*engine).clone());
        Callback::from(move |()| {
            if pending {
                dispatch.dispatch(Action::Confirm(Some(Confirm::SignOut)));
            } else {
                wasm_bindgen_futures::spawn_local(session::logout(
                    dispatch.clone(),
                    engine.clone(),
                ));
            }
        })
    };
    let on_week = {
        let dispatch = dispatch.clone();
        Callback::from(move |a: Action| dispatch.dispatch(a))
    };
    let on_lang = {
        let dispatch = dispatch.clone();
        Callback::from(move |lang: Lang| {
            web::set_pref(LANG_PREF, lang.tag());
            dispatch.dispatch(Action::SetLang(lang));
        })
    };
    let on_grades_seen = {
        let dispatch = dispatch.clone();
        Callback::from(move |ms: i64| {
            web::set_pref(GRADES_SEEN_PREF, &ms.to_string());
            dispatch.dispatch(Action::GradesSeen(ms));
        })
    };
    let on_install = {
        let (a, b) = (dispatch.clone(), dispatch.clone());
        (
            Callback::from(move |()| use_install::install(&a)),
            Callback::from(move |()| use_install::dismiss(&b)),
        )
    };
    let on_update = Callback::from(|()| apply_update());
    let on_intent = {
        let engine = (*engine).clone();
        Callback::from(move |cmd: EngineCommand| engine.send(&cmd))
    };

    let on_file = {
        let dispatch = dispatch.clone();
        Callback::from(move |cmd: FileCmd| {
            wasm_bindgen_futures::spawn_local(super::files::run(dispatch.clone(), cmd));
        })
    };
    {
        // The pinned files and the storage used, once signed in.
        let (dispatch, signed_in) = (dispatch.clone(), model.0.me.is_some());
        use_effect_with(signed_in, move |signed_in| {
            if *signed_in {
                wasm_bindgen_futures::spawn_local(async move {
                    super::files::refresh(&dispatch).await;
                });
            }
        });
    }

    let on_teach = {
        // The session dialog's commands: the forms are the publishing module's.
        let (dispatch, engine) = (dispatch.clone(), (*engine).clone());
        let sinks = super::TeachSinks {
            state: Callback::from(move |a| dispatch.dispatch(Action::Teach(a))),
            engine: Callback::from(move |cmd: EngineCommand| engine.send(&cmd)),
        };
        Callback::from(move |cmd: TeachCmd| super::run_session(&sinks, &cmd))
    };

    super::publish::use_publish(
        model.0.is_staff() && model.0.screen == Screen::Timetable,
        model.0.sync.connection == cartable_shared::engine::Connection::Online,
        model.0.publish_module,
        model.0.lang,
        dispatch.clone(),
        (*engine).clone(),
    );

    let zone = (*use_memo((), |_| std::rc::Rc::<str>::from(device_zone()))).clone();
    let user_agent = (*use_memo((), |_| std::rc::Rc::<str>::from(user_agent()))).clone();
    AppHandle {
        model,
        on_login,
        on_logout,
        on_week,
        on_lang,
        on_update,
        on_intent,
        on_settings,
        zone,
        user_agent,
        on_file,
        on_install,
        on_grades_seen,
        on_teach,
    }
}
