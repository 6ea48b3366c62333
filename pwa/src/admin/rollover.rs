//! The year rollover: a label, a confirmation that says what happens, the report per group,
//! and the archives (downloadable as JSON).

use cartable_shared::admin::{ArchiveList, RolloverReport, RolloverRequest};
use yew::prelude::*;

use super::api::{self, segment};
use super::ui::{self, Notice, ScreenProps};
use crate::i18n::Lang;

fn report(lang: Lang, r: &RolloverReport) -> Html {
    let t = lang.admin();
    html! {
        <ul id="rollover-report" class="admin-list" data-label={r.label.clone()}>
            { for r.groups.iter().map(|g| html! {
                <li class="admin-card" data-group={g.group.to_string()}>
                    <strong>{ g.group.to_string() }</strong>
                    { format!(" · {} {} · {} {} · {} {}",
                        g.library_items, t.archived_documents,
                        g.assignments, t.archived_homework,
                        g.students_removed.len(), t.students_removed) }
                </li>
            }) }
        </ul>
    }
}

/// The year rollover screen.
#[component]
pub(crate) fn Rollover(props: &ScreenProps) -> Html {
    let lang = props.lang;
    let t = lang.admin();
    let archives = ui::use_load::<ArchiveList>("/api/admin/archives");
    let notice = use_state(|| None::<Notice>);
    // The label waiting for confirmation.
    let asked = use_state(|| None::<String>);
    let done = use_state(|| None::<RolloverReport>);
    let ask = {
        let asked = asked.clone();
        ui::on_submit(move || {
            let label = ui::value("rollover-label");
            asked.set((!label.is_empty()).then_some(label));
        })
    };
    ui::use_focus_when(asked.is_some(), "rollover-yes");
    let cancel = {
        let asked = asked.clone();
        Callback::from(move |_: MouseEvent| asked.set(None))
    };
    let confirm = {
        let (asked, done, notice, reload) =
            (asked.clone(), done.clone(), notice.clone(), archives.reload.clone());
        Callback::from(move |_: MouseEvent| {
            let Some(label) = (*asked).clone() else { return };
            asked.set(None);
            let (done, reload) = (done.clone(), reload.clone());
            ui::run(
                lang,
                &notice,
                async move {
                    api::send("POST", "/api/admin/rollover", &RolloverRequest { label }).await
                },
                move |r: RolloverReport| {
                    ui::reset("rollover-form");
                    let text = format!("{} {}", lang.admin().saved, r.label);
                    done.set(Some(r));
                    reload.emit(());
                    Some(text)
                },
            );
        })
    };
    let list = ui::loaded(
        lang,
        &archives.data,
        |l| l.archives.is_empty(),
        |l| {
            html! {
                <ul id="archives-list" class="admin-list">
                    { for l.archives.iter().map(|a| html! {
                        <li class="admin-card" data-label={a.label.clone()}>
                            <strong>{ &a.label }</strong>
                            { format!(" · {} · {} · {} {}", ui::when(lang, a.created_ms), a.created_by, a.groups, t.groups) }
                            { " " }
                            <a href={format!("/api/admin/archives/{}", segment(&a.label))}
                                download={format!("cartable-archive-{}.json", a.label)}>{ t.archive_download }</a>
                        </li>
                    }) }
                </ul>
            }
        },
    );
    html! {
        <>
            <p class="settings-note">{ t.rollover_intro }</p>
            <form id="rollover-form" class="admin-form" onsubmit={ask}>
                { ui::field("text", "rollover-label", t.rollover_label, true) }
                <button type="submit" id="rollover-start">{ t.rollover_start }</button>
            </form>
            if let Some(label) = &*asked {
                <div id="rollover-confirm" role="alertdialog" aria-labelledby="rollover-confirm-title"
                    aria-describedby="rollover-confirm-text" class="admin-card">
                    <h2 id="rollover-confirm-title">{ format!("{} {label}", t.rollover_start.trim_end_matches('…')) }</h2>
                    <p id="rollover-confirm-text">{ t.rollover_intro }</p>
                    <div class="settings-actions">
                        <button type="button" id="rollover-yes" class="danger-button" onclick={confirm}>{ t.rollover_yes }</button>
                        <button type="button" onclick={cancel}>{ t.cancel }</button>
                    </div>
                </div>
            }
            { ui::notice(lang, "rollover-notice", &notice) }
            if let Some(r) = &*done {
                { report(lang, r) }
            }
            <section aria-labelledby="archives-title">
                <h2 id="archives-title">{ t.archives }</h2>
                { list }
            </section>
        </>
    }
}
