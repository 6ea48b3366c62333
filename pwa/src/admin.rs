//! The administration page (`/admin`), a wasm module of its own (`src/bin/admin.rs`) so that
//! the students' app never downloads it. Admin work is done at a desk, online: the page talks
//! to the administration API directly (no IndexedDB, no engine) through `shared`'s types.
//!
//! It asks `GET /api/me` first: nobody signed in, or someone who is not an administrator,
//! gets a sentence and a link to the app (where one signs in); an administrator gets the
//! screens, one component per file: accounts, groups and guardians, roster import, calendar
//! feeds, API tokens, the block period, the year rollover. Every failure is shown as a sentence ([`Lang::failure`]); the server
//! decides what is allowed, the page only shows the answer.

mod accounts;
mod api;
mod block;
mod feeds;
mod groups;
mod rollover;
mod roster;
mod tokens;
mod ui;

use cartable_shared::api::Me;
use cartable_shared::roles::Role;
use yew::prelude::*;

use crate::components::{LangSwitchProps, lang_switch};
use crate::i18n::{Failure, Lang};
use crate::web;

/// Key of the saved language preference, shared with the app.
const LANG_PREF: &str = "cartable.lang";

/// Mounts the page on `<body>`.
pub fn start() {
    yew::Renderer::<AdminApp>::new().render();
}

/// A screen of the page, in the order of the navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Screen {
    Accounts,
    Groups,
    Roster,
    Feeds,
    Tokens,
    Block,
    Rollover,
}

impl Screen {
    const ALL: [Screen; 7] = [
        Screen::Accounts,
        Screen::Groups,
        Screen::Roster,
        Screen::Feeds,
        Screen::Tokens,
        Screen::Block,
        Screen::Rollover,
    ];

    /// Its id in the page and in the address (`/admin#groups`).
    fn tag(self) -> &'static str {
        match self {
            Screen::Accounts => "accounts",
            Screen::Groups => "groups",
            Screen::Roster => "roster",
            Screen::Feeds => "feeds",
            Screen::Tokens => "tokens",
            Screen::Block => "block",
            Screen::Rollover => "rollover",
        }
    }

    /// Its name in the navigation (an index into `AdminTexts::screens`).
    fn name(self, lang: Lang) -> &'static str {
        let i = match self {
            Screen::Accounts => 0,
            Screen::Groups => 1,
            Screen::Roster => 2,
            Screen::Feeds => 3,
            Screen::Tokens => 4,
            Screen::Block => 5,
            Screen::Rollover => 6,
        };
        lang.admin().screens[i]
    }

    /// The screen named in the address, else the accounts.
    fn from_location() -> Screen {
        let hash = web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default();
        let tag = hash.trim_start_matches('#');
        Screen::ALL.into_iter().find(|s| s.tag() == tag).unwrap_or(Screen::Accounts)
    }
}

/// Who is looking at the page.
#[derive(Debug, Clone, PartialEq)]
enum Gate {
    Loading,
    SignedOut,
    NotAdmin,
    Failed(Failure),
    Admin(Me),
}

async fn who() -> Gate {
    match web::api("GET", "/api/me", None).await {
        Err(_) => Gate::Failed(Failure::Network),
        Ok(a) if a.status == 401 => Gate::SignedOut,
        Ok(a) if a.status != 200 => Gate::Failed(Failure::Status(a.status, None)),
        Ok(a) => match serde_json::from_str::<Me>(&a.body) {
            Ok(me) if me.role == Role::Admin => Gate::Admin(me),
            Ok(_) => Gate::NotAdmin,
            Err(_) => Gate::Failed(Failure::Unreadable),
        },
    }
}

/// The page.
#[component]
fn AdminApp() -> Html {
    let lang = use_state(|| {
        Lang::pick(web::pref(LANG_PREF).as_deref(), web::browser_language().as_deref())
    });
    use_effect_with(*lang, |lang| {
        if let Some(d) = web_sys::window().and_then(|w| w.document()) {
            if let Some(root) = d.document_element() {
                let _ = root.set_attribute("lang", lang.tag());
            }
            d.set_title(&format!("Cartable — {}", lang.admin().title));
        }
    });
    let gate = use_state(|| Gate::Loading);
    {
        let gate = gate.clone();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move { gate.set(who().await) });
        });
    }
    let screen = use_state(Screen::from_location);
    let on_lang = {
        let lang = lang.clone();
        Callback::from(move |l: Lang| {
            web::set_pref(LANG_PREF, l.tag());
            lang.set(l);
        })
    };
    let lang = *lang;
    let t = lang.admin();
    let back = |text: &str| html! { <p><a id="admin-to-app" href="/">{ text }</a></p> };
    let body = match &*gate {
        Gate::Loading => {
            html! { <main id="admin-loading" aria-busy="true"><p>{ t.loading }</p></main> }
        }
        Gate::SignedOut => html! {
            <main id="admin-gate" data-gate="signed-out">
                <h1>{ t.title }</h1>
                <p>{ t.signed_out }</p>
                { back(t.sign_in_link) }
            </main>
        },
        Gate::NotAdmin => html! {
            <main id="admin-gate" data-gate="not-admin">
                <h1>{ t.title }</h1>
                <p>{ t.not_admin }</p>
                { back(t.back_to_app) }
            </main>
        },
        Gate::Failed(f) => html! {
            <main id="admin-gate" data-gate="failed">
                <h1>{ t.title }</h1>
                <p role="alert">{ lang.failure(f) }</p>
                { back(t.back_to_app) }
            </main>
        },
        Gate::Admin(_) => {
            let current = *screen;
            let view = match current {
                Screen::Accounts => html! { <accounts::Accounts {lang} /> },
                Screen::Groups => html! { <groups::Groups {lang} /> },
                Screen::Roster => html! { <roster::Roster {lang} /> },
                Screen::Feeds => html! { <feeds::Feeds {lang} /> },
                Screen::Tokens => html! { <tokens::Tokens {lang} /> },
                Screen::Block => html! { <block::Block {lang} /> },
                Screen::Rollover => html! { <rollover::Rollover {lang} /> },
            };
            html! {
                <>
                    <nav class="tabs admin-nav" aria-label={t.nav}>
                        { for Screen::ALL.into_iter().map(|s| {
                            let onclick = {
                                let screen = screen.clone();
                                Callback::from(move |_: MouseEvent| {
                                    if let Some(w) = web_sys::window() {
                                        let _ = w.location().set_hash(s.tag());
                                    }
                                    screen.set(s);
                                })
                            };
                            html! {
                                <button type="button" id={format!("admin-tab-{}", s.tag())}
                                    aria-current={(s == current).then_some("page")} {onclick}>
                                    { s.name(lang) }
                                </button>
                            }
                        }) }
                    </nav>
                    <main id={format!("admin-{}", current.tag())} class="admin-screen" aria-labelledby="admin-screen-title">
                        <h1 id="admin-screen-title">{ current.name(lang) }</h1>
                        { view }
                    </main>
                </>
            }
        }
    };
    let user = match &*gate {
        Gate::Admin(me) => Some(me.display_name.clone()),
        _ => None,
    };
    html! {
        <>
            <header class="app-header">
                <p class="brand">{ format!("Cartable · {}", t.title) }</p>
                <div class="user">
                    if let Some(name) = user {
                        <span id="user-name">{ name }</span>
                    }
                    <a href="/">{ t.back_to_app }</a>
                </div>
            </header>
            { body }
            <footer class="app-footer">
                { lang_switch(&LangSwitchProps { lang, onchange: on_lang }) }
            </footer>
        </>
    }
}
