//! Says that the data shown may be out of date, and since when it was last synced.

use yew::prelude::*;

use crate::calendar::CivilDate;
use crate::i18n::Lang;
use crate::state::Stale;
use crate::web;

/// Props of [`stale_banner`].
#[derive(Debug, Clone, Copy)]
pub struct StaleBannerProps {
    /// Why the data may be stale.
    pub why: Stale,
    /// The last successful sync, UTC milliseconds.
    pub last_sync_ms: Option<i64>,
    /// Today on the device.
    pub today: CivilDate,
    /// The interface language.
    pub lang: Lang,
}

/// `#stale-banner` (`data-why` = `offline` / `old`) with `#stale-last-sync`.
pub fn stale_banner(props: StaleBannerProps) -> Html {
    let StaleBannerProps { why, last_sync_ms, today, lang } = props;
    let t = lang.t();
    let (attr, text) = match why {
        Stale::Offline => ("offline", t.stale_offline),
        Stale::Old => ("old", t.stale_old),
    };
    let last = last_sync_ms.map(web::device_time);
    html! {
        <div id="stale-banner" class="banner stale-banner" role="status" data-why={attr}>
            <p>{ text }</p>
            <p id="stale-last-sync">{ lang.last_sync(last.as_ref(), today) }</p>
        </div>
    }
}
