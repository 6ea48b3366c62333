//! The block period: set the message students and guardians see instead of the content, with
//! an optional end date, or lift it.

use cartable_shared::api::BlockNotice;
use yew::prelude::*;

use super::api;
use super::ui::{self, Notice, ScreenProps};

/// The block period screen.
#[component]
pub(crate) fn Block(props: &ScreenProps) -> Html {
    let lang = props.lang;
    let t = lang.admin();
    // `GET /api/admin/block` answers JSON `null` when no block period is set.
    let current = ui::use_load::<Option<BlockNotice>>("/api/admin/block");
    let notice = use_state(|| None::<Notice>);
    let reload = current.reload.clone();
    let set = {
        let (notice, reload) = (notice.clone(), reload.clone());
        ui::on_submit(move || {
            let body = BlockNotice {
                message: ui::value("block-message"),
                until_ms: ui::midnight_ms(&ui::value("block-until"), 0),
            };
            let reload = reload.clone();
            ui::run(
                lang,
                &notice,
                async move { api::send_only("PUT", "/api/admin/block", &body).await },
                move |()| {
                    reload.emit(());
                    Some(lang.admin().saved.to_owned())
                },
            );
        })
    };
    let clear = {
        let (notice, reload) = (notice.clone(), reload.clone());
        Callback::from(move |_: MouseEvent| {
            let reload = reload.clone();
            ui::run(lang, &notice, api::act("DELETE", "/api/admin/block"), move |()| {
                reload.emit(());
                Some(lang.admin().saved.to_owned())
            });
        })
    };
    let state = ui::loaded(
        lang,
        &current.data,
        |_| false,
        |b| match b {
            None => html! { <p id="block-state" data-blocked="false">{ t.block_none }</p> },
            Some(b) => html! {
                <div id="block-state" data-blocked="true" class="admin-card">
                    <p>{ t.block_current }</p>
                    <p id="block-current-message"><strong>{ &b.message }</strong></p>
                    <p id="block-current-until">{ b.until_ms.map_or_else(|| t.block_no_end.to_owned(),
                        |ms| format!("{} {}", lang.t().access.blocked_until, ui::day(lang, ms))) }</p>
                    <button type="button" id="block-clear" onclick={clear.clone()}>{ t.block_clear }</button>
                </div>
            },
        },
    );
    html! {
        <>
            <p class="settings-note">{ t.block_intro }</p>
            { state }
            <form id="block-form" class="admin-form" onsubmit={set}>
                <label class="admin-field">
                    <span>{ t.block_message }</span>
                    <textarea id="block-message" required=true maxlength="2000" rows="3" />
                </label>
                { ui::field("date", "block-until", t.block_until, false) }
                <button type="submit" id="block-set">{ t.block_set }</button>
            </form>
            { ui::notice(lang, "block-notice", &notice) }
        </>
    }
}
