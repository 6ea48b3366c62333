//! Suggests adding the app to the home screen: the browser's own prompt where there is one,
//! the Share → "Add to Home Screen" steps on iPhone and iPad; dismissible.

use yew::prelude::*;

use crate::i18n::Lang;
use crate::state::InstallHint;

/// Props of [`install_hint`].
#[derive(Debug, Clone)]
pub struct InstallHintProps {
    /// What to offer.
    pub hint: InstallHint,
    /// The interface language.
    pub lang: Lang,
    /// The install button was pressed.
    pub oninstall: Callback<()>,
    /// The dismiss button was pressed.
    pub ondismiss: Callback<()>,
}

/// `aside#install-hint` (`data-kind` = `prompt` / `ios`) with `#install-now` (prompt only) and
/// `#install-dismiss`.
pub fn install_hint(props: &InstallHintProps) -> Html {
    let t = props.lang.t();
    let emit = |cb: &Callback<()>| {
        let cb = cb.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    let (kind, text) = match props.hint {
        InstallHint::Prompt => ("prompt", t.install_hint),
        InstallHint::Ios => ("ios", t.install_ios),
    };
    html! {
        <aside id="install-hint" class="banner install-hint" data-kind={kind} aria-label={t.install_now}>
            <p>{ text }</p>
            <div class="actions">
                if props.hint == InstallHint::Prompt {
                    <button id="install-now" type="button" onclick={emit(&props.oninstall)}>{ t.install_now }</button>
                }
                <button id="install-dismiss" type="button" onclick={emit(&props.ondismiss)}>{ t.install_dismiss }</button>
            </div>
        </aside>
    }
}
