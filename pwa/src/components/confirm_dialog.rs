//! The confirmation asked before something that loses data or ends sessions.

use yew::prelude::*;

use crate::i18n::Lang;
use crate::settings::{Confirm, SettingsCommand};

/// Props of [`confirm_dialog`].
#[derive(Debug, Clone)]
pub struct ConfirmDialogProps<'a> {
    /// The interface language.
    pub lang: Lang,
    /// What is to be confirmed.
    pub confirm: Confirm,
    /// Local changes not sent yet.
    pub pending: u32,
    /// Receives `Confirmed` or `Cancel`.
    pub onsettings: &'a Callback<SettingsCommand>,
}

/// `<div id="confirm" role="alertdialog">` with `#confirm-yes` and `#confirm-cancel`.
pub fn confirm_dialog(props: &ConfirmDialogProps<'_>) -> Html {
    let lang = props.lang;
    let t = lang.t().settings;
    let (kind, text, yes) = match props.confirm {
        Confirm::SignOut => (
            "sign-out",
            format!("{} {}.", t.confirm_sign_out, lang.pending(props.pending)),
            t.confirm_sign_out_yes,
        ),
        Confirm::ClearLocal => ("clear-local", t.confirm_clear.to_owned(), t.confirm_clear_yes),
        Confirm::SignOutEverywhere => {
            ("sign-out-everywhere", t.confirm_everywhere.to_owned(), t.sign_out_everywhere)
        }
    };
    let emit = |cmd: SettingsCommand| {
        let cb = props.onsettings.clone();
        Callback::from(move |_: MouseEvent| cb.emit(cmd.clone()))
    };
    html! {
        <div id="confirm" role="alertdialog" aria-labelledby="confirm-text" data-confirm={kind}>
            <p id="confirm-text">{ text }</p>
            <div class="settings-actions">
                <button id="confirm-yes" type="button" class="danger-button" onclick={emit(SettingsCommand::Confirmed(props.confirm))}>{ yes }</button>
                <button id="confirm-cancel" type="button" onclick={emit(SettingsCommand::Cancel)}>{ t.cancel }</button>
            </div>
        </div>
    }
}
