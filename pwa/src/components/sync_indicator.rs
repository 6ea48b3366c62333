//! The sync indicator, always in the header of a signed-in user: connection state, time of
//! the last successful sync, local changes not yet acknowledged.

use cartable_shared::engine::{Connection, SyncStatus};
use yew::prelude::*;

use crate::calendar::CivilDate;
use crate::i18n::Lang;
use crate::web;

/// Props of [`sync_indicator`].
#[derive(Debug, Clone, Copy)]
pub struct SyncIndicatorProps {
    /// The status to show.
    pub status: SyncStatus,
    /// Today on the device (the last sync shows its date when it was not today).
    pub today: CivilDate,
    /// The interface language.
    pub lang: Lang,
}

/// `#sync-indicator` (`data-state` = `online` / `offline` / `syncing`), `#sync-last`,
/// `#sync-pending`.
pub fn sync_indicator(props: SyncIndicatorProps) -> Html {
    let SyncIndicatorProps { status, today, lang } = props;
    let state = match status.connection {
        Connection::Online => "online",
        Connection::Offline => "offline",
        Connection::Syncing => "syncing",
    };
    let last = status.last_sync_ms.map(web::device_time);
    let (status, today, lang) = (&status, &today, &lang);
    html! {
        <div class="sync">
            <div id="sync-indicator" data-state={state} role="status">
                { lang.connection(status.connection) }
            </div>
            <span id="sync-last">{ lang.last_sync(last.as_ref(), *today) }</span>
            if status.pending > 0 {
                <span id="sync-pending">{ lang.pending(status.pending) }</span>
            }
        </div>
    }
}
