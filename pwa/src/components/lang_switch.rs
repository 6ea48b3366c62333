//! The language switch.

use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::i18n::Lang;

/// Props of [`lang_switch`].
#[derive(Debug, Clone)]
pub struct LangSwitchProps {
    /// The interface language.
    pub lang: Lang,
    /// A language was picked.
    pub onchange: Callback<Lang>,
}

/// A labelled `<select id="lang-select">`.
pub fn lang_switch(props: &LangSwitchProps) -> Html {
    let t = props.lang.t();
    let onchange = {
        let cb = props.onchange.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            if let Some(lang) = Lang::from_tag(&select.value()) {
                cb.emit(lang);
            }
        })
    };
    html! {
        <div class="lang-switch">
            <label for="lang-select">{ t.language }</label>
            <select id="lang-select" {onchange}>
                { for Lang::ALL.iter().zip(t.lang_names).map(|(l, name)| html! {
                    <option value={l.tag()} selected={*l == props.lang} lang={l.tag()}>{ name }</option>
                }) }
            </select>
        </div>
    }
}
