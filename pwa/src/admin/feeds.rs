//! Calendar feeds: the list with each feed's last good fetch and last error, registering a
//! feed for a group, fetching one now, deleting one (its sessions stay in the timetable).

use cartable_shared::admin::GroupList;
use cartable_shared::calendar::{FeedInfo, FeedList, NewFeed, RefreshOutcome};
use yew::prelude::*;

use super::api::{self, segment};
use super::ui::{self, Notice, ScreenProps};
use crate::i18n::Lang;

/// What a fetch changed, in words.
fn outcome(lang: Lang, o: &RefreshOutcome) -> String {
    let t = lang.admin();
    match (&o.changes, &o.feed.last_error) {
        (Some(c), _) => {
            let counts = [c.added, c.cancelled, c.moved, c.room_changed, c.restored, c.updated];
            let said: Vec<String> = counts
                .iter()
                .zip(t.changes)
                .filter(|(n, _)| **n > 0)
                .map(|(n, name)| format!("{n} {name}"))
                .collect();
            if said.is_empty() { t.no_change.to_owned() } else { said.join(", ") }
        }
        (None, Some(e)) => format!("{} {e}", t.last_error),
        (None, None) => t.no_change.to_owned(),
    }
}

fn feed_card(
    lang: Lang,
    f: &FeedInfo,
    refresh: &Callback<String>,
    delete: &Callback<(String, String)>,
) -> Html {
    let t = lang.admin();
    let id = f.id.to_string();
    let button = |is_refresh: bool, text: &str| {
        let (refresh, delete, id, url) =
            (refresh.clone(), delete.clone(), id.clone(), f.url.clone());
        let onclick = Callback::from(move |_: MouseEvent| {
            if is_refresh {
                refresh.emit(id.clone())
            } else {
                delete.emit((id.clone(), url.clone()))
            }
        });
        let class = if is_refresh { "feed-refresh" } else { "feed-delete danger-button" };
        html! { <button type="button" {class} {onclick} aria-label={format!("{text} · {}", f.url)}>{ text }</button> }
    };
    let title_id = format!("feed-{id}-title");
    html! {
        <section class="admin-card" data-feed={id.clone()} data-error={f.last_error.is_some().to_string()}
            aria-labelledby={title_id.clone()}>
            <h3 id={title_id}>{ f.group.to_string() }</h3>
            <p class="feed-url">{ &f.url }</p>
            <p>
                { t.last_success }{ " " }
                { f.last_success_ms.map_or_else(|| t.never.to_owned(), |ms| ui::when(lang, ms)) }
                { format!(" · {} {}", f.sessions, t.sessions) }
            </p>
            if let Some(e) = &f.last_error {
                <p class="failure feed-error">
                    { t.last_error }{ " " }
                    { f.last_error_ms.map(|ms| format!("({}) ", ui::when(lang, ms))).unwrap_or_default() }
                    { e }
                </p>
            }
            <div class="settings-actions">
                { button(true, t.refresh_now) }
                { button(false, t.delete) }
            </div>
        </section>
    }
}

/// The calendar feeds screen.
#[component]
pub(crate) fn Feeds(props: &ScreenProps) -> Html {
    let lang = props.lang;
    let t = lang.admin();
    let list = ui::use_load::<FeedList>("/api/admin/feeds");
    let groups = ui::use_load::<GroupList>("/api/admin/groups");
    let notice = use_state(|| None::<Notice>);
    let reload = list.reload.clone();
    let refresh = {
        let (notice, reload) = (notice.clone(), reload.clone());
        Callback::from(move |id: String| {
            let reload = reload.clone();
            let path = format!("/api/admin/feeds/{}/refresh", segment(&id));
            ui::run(
                lang,
                &notice,
                async move { api::send("POST", &path, &()).await },
                move |o: RefreshOutcome| {
                    reload.emit(());
                    Some(outcome(lang, &o))
                },
            );
        })
    };
    // The feed whose deletion waits for confirmation: (id, url).
    let ask = ui::use_ask::<(String, String)>("feed-delete-yes");
    let delete = {
        let (notice, reload, asked) = (notice.clone(), reload.clone(), ask.asked.clone());
        Callback::from(move |_: MouseEvent| {
            let Some((id, _)) = ui::Ask::take(&asked) else { return };
            let reload = reload.clone();
            let path = format!("/api/admin/feeds/{}", segment(&id));
            ui::run(lang, &notice, async move { api::act("DELETE", &path).await }, move |()| {
                reload.emit(());
                Some(lang.admin().saved.to_owned())
            });
        })
    };
    let register = {
        let (notice, reload) = (notice.clone(), reload.clone());
        ui::on_submit(move || {
            let group = ui::value("feed-group");
            let url = ui::value("feed-url");
            let reload = reload.clone();
            ui::run(
                lang,
                &notice,
                async move {
                    let group = group.parse().map_err(|_| {
                        crate::i18n::Failure::Status(400, Some(format!("{group:?}")))
                    })?;
                    api::send("POST", "/api/admin/feeds", &NewFeed { group, url }).await
                },
                move |f: FeedInfo| {
                    ui::reset("feed-form");
                    reload.emit(());
                    Some(format!("{} {}", lang.admin().saved, f.url))
                },
            );
        })
    };
    let group_options = match &*groups.data {
        Some(Ok(g)) => g
            .groups
            .iter()
            .map(|g| {
                html! {
                    <option value={g.id.to_string()}>{ format!("{} ({})", g.name, g.id) }</option>
                }
            })
            .collect::<Html>(),
        _ => Html::default(),
    };
    let feeds = ui::loaded(
        lang,
        &list.data,
        |l| l.feeds.is_empty(),
        |l| {
            html! { <div id="feeds-list">{ for l.feeds.iter().map(|f| feed_card(lang, f, &refresh, &ask.ask)) }</div> }
        },
    );
    html! {
        <>
            <section aria-labelledby="feed-form-title">
                <h2 id="feed-form-title">{ t.register_feed }</h2>
                <form id="feed-form" class="admin-form" onsubmit={register}>
                    <label class="admin-field">
                        <span>{ t.groups }</span>
                        <select id="feed-group" required=true>{ group_options }</select>
                    </label>
                    { ui::field("url", "feed-url", t.feed_url, true) }
                    <button type="submit">{ t.register_feed }</button>
                </form>
            </section>
            { ui::notice(lang, "feeds-notice", &notice) }
            <section aria-labelledby="feeds-list-title">
                <h2 id="feeds-list-title">{ t.screens[3] }</h2>
                <button type="button" onclick={move |_| reload.emit(())}>{ t.reload }</button>
                if let Some((_, url)) = &*ask.asked {
                    { ui::confirm_dialog(lang, ("feed-delete-confirm", "feed-delete-yes"),
                        &lang.delete_feed_question(url), t.delete, (delete, ask.cancel.clone())) }
                }
                { feeds }
            </section>
        </>
    }
}
