//! Groups and memberships: the list with members and teachers, creating a group, adding and
//! removing people (a teacher added becomes a teacher of the group), and guardians.

use cartable_shared::admin::{GroupList, GroupSummary, NewGroup};
use yew::prelude::*;

use super::api::{self, segment};
use super::ui::{self, Notice, ScreenProps};
use crate::i18n::Lang;

/// `PUT` or `DELETE` of a membership, then the list again.
fn membership(
    lang: Lang,
    notice: &UseStateHandle<Option<Notice>>,
    reload: &Callback<()>,
    group: String,
    user: String,
    on: bool,
) {
    let path = format!("/api/admin/groups/{}/members/{}", segment(&group), segment(&user));
    let reload = reload.clone();
    ui::run(
        lang,
        notice,
        async move { api::act(if on { "PUT" } else { "DELETE" }, &path).await },
        move |()| {
            reload.emit(());
            Some(format!("{} {user} · {group}", lang.admin().saved))
        },
    );
}

fn people(
    lang: Lang,
    g: &GroupSummary,
    who: &[cartable_shared::ids::UserId],
    kind: &'static str,
    remove: &Callback<(String, String)>,
) -> Html {
    let t = lang.admin();
    if who.is_empty() {
        return html! { <p class="empty">{ t.none }</p> };
    }
    html! {
        <ul class={format!("group-{kind}")}>
            { for who.iter().map(|u| {
                let onclick = {
                    let (remove, group, user) = (remove.clone(), g.id.to_string(), u.to_string());
                    Callback::from(move |_: MouseEvent| remove.emit((group.clone(), user.clone())))
                };
                html! {
                    <li data-login={u.to_string()}>
                        <span>{ u.to_string() }</span>
                        <button type="button" class="admin-remove" {onclick}
                            aria-label={format!("{} {u} · {}", t.remove, g.id)}>{ t.remove }</button>
                    </li>
                }
            }) }
        </ul>
    }
}

fn group_card(
    lang: Lang,
    g: &GroupSummary,
    remove: &Callback<(String, String)>,
    add: &Callback<String>,
) -> Html {
    let t = lang.admin();
    let id = g.id.to_string();
    let input_id = format!("add-{id}");
    let title_id = format!("group-{id}-title");
    let onsubmit = {
        let (add, id) = (add.clone(), id.clone());
        ui::on_submit(move || add.emit(id.clone()))
    };
    html! {
        <section class="admin-card" data-group={id.clone()} aria-labelledby={title_id.clone()}>
            <h3 id={title_id}>{ format!("{} ({id})", g.name) }</h3>
            <h4>{ t.members }</h4>
            { people(lang, g, &g.members, "members", remove) }
            <h4>{ t.teachers }</h4>
            { people(lang, g, &g.teachers, "teachers", remove) }
            <form class="admin-form admin-inline" {onsubmit}>
                <label class="admin-field">
                    <span>{ t.add_person }</span>
                    <input type="text" id={input_id.clone()} required=true autocomplete="off" />
                </label>
                <button type="submit">{ t.add }</button>
            </form>
        </section>
    }
}

/// The groups screen.
#[component]
pub(crate) fn Groups(props: &ScreenProps) -> Html {
    let lang = props.lang;
    let t = lang.admin();
    let list = ui::use_load::<GroupList>("/api/admin/groups");
    let notice = use_state(|| None::<Notice>);
    let reload = list.reload.clone();
    let remove = {
        let (notice, reload) = (notice.clone(), reload.clone());
        Callback::from(move |(group, user): (String, String)| {
            membership(lang, &notice, &reload, group, user, false)
        })
    };
    let add = {
        let (notice, reload) = (notice.clone(), reload.clone());
        Callback::from(move |group: String| {
            let user = ui::value(&format!("add-{group}"));
            membership(lang, &notice, &reload, group, user, true)
        })
    };
    let create = {
        let (notice, reload) = (notice.clone(), reload.clone());
        ui::on_submit(move || {
            let request = NewGroup { id: ui::value("group-id"), name: ui::value("group-name") };
            let reload = reload.clone();
            ui::run(
                lang,
                &notice,
                async move { api::send("POST", "/api/admin/groups", &request).await },
                move |g: GroupSummary| {
                    ui::reset("group-form");
                    reload.emit(());
                    Some(format!("{} {}", lang.admin().saved, g.id))
                },
            );
        })
    };
    let guardian = |on: bool| {
        let notice = notice.clone();
        Callback::from(move |_: MouseEvent| {
            let (student, guardian) = (ui::value("guardian-student"), ui::value("guardian-login"));
            let path = format!(
                "/api/admin/accounts/{}/guardians/{}",
                segment(&student),
                segment(&guardian)
            );
            ui::run(
                lang,
                &notice,
                async move { api::act(if on { "PUT" } else { "DELETE" }, &path).await },
                move |()| Some(format!("{} {guardian} · {student}", lang.admin().saved)),
            );
        })
    };
    let groups = ui::loaded(
        lang,
        &list.data,
        |l| l.groups.is_empty(),
        |l| {
            html! { <div id="groups-list">{ for l.groups.iter().map(|g| group_card(lang, g, &remove, &add)) }</div> }
        },
    );
    html! {
        <>
            { ui::notice(lang, "groups-notice", &notice) }
            <section aria-labelledby="group-form-title">
                <h2 id="group-form-title">{ t.create_group }</h2>
                <form id="group-form" class="admin-form" onsubmit={create}>
                    { ui::field("text", "group-id", t.group_id, true) }
                    { ui::field("text", "group-name", t.name, true) }
                    <button type="submit">{ t.create_group }</button>
                </form>
            </section>
            <section aria-labelledby="guardians-title">
                <h2 id="guardians-title">{ t.guardians }</h2>
                <div class="admin-form">
                    { ui::field("text", "guardian-student", t.student, true) }
                    { ui::field("text", "guardian-login", t.guardian, true) }
                    <button type="button" id="guardian-link" onclick={guardian(true)}>{ t.link_guardian }</button>
                    <button type="button" id="guardian-unlink" onclick={guardian(false)}>{ t.unlink_guardian }</button>
                </div>
            </section>
            <section aria-labelledby="groups-list-title">
                <h2 id="groups-list-title">{ t.screens[1] }</h2>
                <p class="settings-note">{ t.add_person_help }</p>
                <button type="button" onclick={move |_| reload.emit(())}>{ t.reload }</button>
                { groups }
            </section>
        </>
    }
}
