//! Tells the user that a new version is ready, and loads it on request.

use yew::prelude::*;

use crate::i18n::Lang;

/// Props of [`update_banner`].
#[derive(Debug, Clone)]
pub struct UpdateBannerProps {
    /// The interface language.
    pub lang: Lang,
    /// The update button was pressed.
    pub onupdate: Callback<()>,
}

/// `#update-banner` with `#update-now`.
pub fn update_banner(props: &UpdateBannerProps) -> Html {
    let t = props.lang.t();
    let onclick = {
        let cb = props.onupdate.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    html! {
        <div id="update-banner" role="status">
            <p>{ t.update_ready }</p>
            <button id="update-now" type="button" {onclick}>{ t.update_now }</button>
        </div>
    }
}
