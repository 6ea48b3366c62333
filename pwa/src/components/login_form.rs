//! The login screen.

use cartable_shared::api::LoginRequest;
use yew::prelude::*;

use crate::i18n::Lang;
use crate::state::LoginError;

/// Props of [`login_form`].
#[derive(Debug, Clone)]
pub struct LoginFormProps {
    /// The interface language.
    pub lang: Lang,
    /// A request is in flight.
    pub busy: bool,
    /// The last failure.
    pub error: Option<LoginError>,
    /// The form was submitted.
    pub onsubmit: Callback<LoginRequest>,
}

/// `<form id="login">` with `#login-user`, `#login-password`, a submit button and
/// `#login-error`.
pub fn login_form(props: &LoginFormProps) -> Html {
    let t = props.lang.t();
    let onsubmit = {
        let cb = props.onsubmit.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            cb.emit(LoginRequest {
                login: super::input_value("login-user").trim().to_owned(),
                password: super::input_value("login-password"),
            });
        })
    };
    html! {
        <main id="login-screen" class="login">
            <form id="login" {onsubmit} aria-describedby="login-intro">
                <h1>{ t.login_title }</h1>
                <p id="login-intro">{ t.login_intro }</p>
                <label for="login-user">{ t.login_user }</label>
                <input id="login-user" name="login" type="text" autocomplete="username"
                    autocapitalize="none" spellcheck="false" />
                <label for="login-password">{ t.login_password }</label>
                <input id="login-password" name="password" type="password"
                    autocomplete="current-password" />
                if let Some(err) = props.error {
                    <p id="login-error" role="alert">{ err.message(props.lang) }</p>
                }
                <button type="submit" disabled={props.busy} aria-busy={props.busy.to_string()}>
                    { if props.busy { t.login_busy } else { t.login_submit } }
                </button>
            </form>
        </main>
    }
}
