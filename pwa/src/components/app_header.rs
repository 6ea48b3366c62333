//! The header: the app's name, the sync indicator, the user's name, the settings and logout
//! buttons, and the link to the administration page for administrators.

use cartable_shared::engine::SyncStatus;
use yew::prelude::*;

use super::{SyncIndicatorProps, sync_indicator};
use crate::calendar::CivilDate;
use crate::i18n::Lang;

/// Props of [`app_header`].
#[derive(Debug, Clone)]
pub struct AppHeaderProps<'a> {
    /// The interface language.
    pub lang: Lang,
    /// The signed-in user's name; `None` on the login screen.
    pub user_name: Option<&'a str>,
    /// Whether the user is an administrator (the server checks again on every request).
    pub admin: bool,
    /// The sync status.
    pub status: SyncStatus,
    /// Today on the device.
    pub today: CivilDate,
    /// The logout button was pressed.
    pub onlogout: Callback<()>,
    /// The settings button was pressed.
    pub onsettings: Callback<()>,
}

/// `<header>` with `#sync-indicator`, `#user-name`, `#open-settings` and `#logout` once signed
/// in.
pub fn app_header(props: &AppHeaderProps<'_>) -> Html {
    let t = props.lang.t();
    let onclick = {
        let cb = props.onlogout.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    let open_settings = {
        let cb = props.onsettings.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    html! {
        <header class="app-header">
            <p class="brand">{ t.app_name }</p>
            if let Some(name) = props.user_name {
                { sync_indicator(SyncIndicatorProps { status: props.status, today: props.today, lang: props.lang }) }
                <div class="user">
                    <span id="user-name">{ name }</span>
                    if props.admin {
                        <a id="open-admin" href="/admin">{ t.access.admin_link }</a>
                    }
                    <button id="open-settings" type="button" onclick={open_settings}>{ t.settings.title }</button>
                    <button id="logout" type="button" {onclick}>{ t.logout }</button>
                </div>
            }
        </header>
    }
}
