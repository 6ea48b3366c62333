//! Roster import: choose a CSV file, preview it (the server checks every line and writes
//! nothing), read the line-by-line report, then confirm. The file sent on confirmation is the
//! one previewed, not whatever the input holds by then.

use cartable_shared::admin::{LineError, RosterEntry, RosterReport};
use yew::prelude::*;

use super::accounts::role_name;
use super::api;
use super::ui::{self, Notice, ScreenProps};
use crate::i18n::Lang;

fn errors(lang: Lang, errors: &[LineError]) -> Html {
    let t = lang.admin();
    html! {
        <section aria-labelledby="roster-errors-title">
            <h3 id="roster-errors-title">{ t.refused_lines }</h3>
            <ul id="roster-errors">
                { for errors.iter().map(|e| html! {
                    <li data-line={e.line.to_string()}>
                        <strong>{ format!("{} {}", t.line, e.line) }</strong>
                        { e.column.as_ref().map(|c| format!(" ({c})")).unwrap_or_default() }
                        { format!(" : {}", lang.line_problem(e)) }
                    </li>
                }) }
            </ul>
        </section>
    }
}

fn accounts(lang: Lang, entries: &[RosterEntry], imported: bool) -> Html {
    let t = lang.admin();
    html! {
        <table id="roster-accounts">
            <caption>{ t.valid_lines }</caption>
            <thead>
                <tr>
                    <th scope="col">{ t.line }</th>
                    <th scope="col">{ t.login }</th>
                    <th scope="col">{ t.name }</th>
                    <th scope="col">{ t.role }</th>
                    <th scope="col">{ t.groups }</th>
                    if imported {
                        <th scope="col">{ t.initial_password }</th>
                    }
                </tr>
            </thead>
            <tbody>
                { for entries.iter().map(|e| html! {
                    <tr data-login={e.login.to_string()}>
                        <td>{ e.line }</td>
                        <th scope="row">{ e.login.to_string() }</th>
                        <td>{ &e.display_name }</td>
                        <td>{ role_name(lang, e.role) }</td>
                        <td>{ e.groups.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ") }</td>
                        if imported {
                            <td class="secret">{ e.initial_password.clone().unwrap_or_default() }</td>
                        }
                    </tr>
                }) }
            </tbody>
        </table>
    }
}

/// The report of a preview or an import.
fn report(lang: Lang, r: &RosterReport) -> Html {
    let t = lang.admin();
    let state = if r.imported {
        "imported"
    } else if r.dry_run {
        "preview"
    } else {
        "refused"
    };
    let verdict = match state {
        "imported" => t.imported,
        "preview" => t.nothing_imported_yet,
        _ => t.nothing_imported,
    };
    html! {
        <section id="roster-report" data-state={state} aria-labelledby="roster-summary">
            <h2 id="roster-summary">{ lang.roster_summary(r.accounts.len(), r.errors.len()) }</h2>
            <p id="roster-verdict">{ verdict }</p>
            if !r.errors.is_empty() {
                { errors(lang, &r.errors) }
            }
            if !r.accounts.is_empty() {
                { accounts(lang, &r.accounts, r.imported) }
            }
        </section>
    }
}

/// The roster import screen.
#[component]
pub(crate) fn Roster(props: &ScreenProps) -> Html {
    let lang = props.lang;
    let t = lang.admin();
    let notice = use_state(|| None::<Notice>);
    // The file previewed and its report; the import sends that same text.
    let previewed = use_state(|| None::<(String, RosterReport)>);
    let preview = {
        let (notice, previewed) = (notice.clone(), previewed.clone());
        ui::on_submit(move || {
            let (notice, previewed) = (notice.clone(), previewed.clone());
            previewed.set(None);
            notice.set(Some(Notice::Busy));
            wasm_bindgen_futures::spawn_local(async move {
                let Some(csv) = ui::file_text("roster-file").await else {
                    notice.set(Some(Notice::Failed(lang.admin().no_file.to_owned())));
                    return;
                };
                match api::post_csv("/api/admin/import/roster?dry_run=true", &csv).await {
                    Ok(r) => {
                        previewed.set(Some((csv, r)));
                        notice.set(None);
                    }
                    Err(f) => notice.set(Some(Notice::Failed(lang.failure(&f)))),
                }
            });
        })
    };
    let import = {
        let (notice, previewed) = (notice.clone(), previewed.clone());
        Callback::from(move |_: MouseEvent| {
            let Some((csv, _)) = (*previewed).clone() else { return };
            let skip = ui::checked("roster-skip-invalid");
            let path = format!("/api/admin/import/roster?skip_invalid={skip}");
            let previewed = previewed.clone();
            ui::run(
                lang,
                &notice,
                async move { api::post_csv::<RosterReport>(&path, &csv).await.map(|r| (csv, r)) },
                move |done| {
                    previewed.set(Some(done));
                    None
                },
            );
        })
    };
    let shown = (*previewed).as_ref();
    html! {
        <>
            <p class="settings-note">{ t.roster_intro }</p>
            <form id="roster-form" class="admin-form" onsubmit={preview}>
                <label class="admin-field">
                    <span>{ t.roster_file }</span>
                    <input type="file" id="roster-file" accept=".csv,text/csv" required=true />
                </label>
                <button type="submit" id="roster-preview">{ t.preview }</button>
            </form>
            { ui::notice(lang, "roster-notice", &notice) }
            if let Some((_, r)) = shown {
                { report(lang, r) }
                if r.dry_run {
                    <div class="admin-form">
                        <label>
                            <input type="checkbox" id="roster-skip-invalid" />
                            { t.skip_invalid }
                        </label>
                        <button type="button" id="roster-import" onclick={import}>{ t.import }</button>
                    </div>
                }
            }
        </>
    }
}
