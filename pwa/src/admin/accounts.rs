//! Accounts: the list (role, groups, guardians' students, expiry), creating one (role, name,
//! login, an initial password shown once, an optional end date: a guest account), and deleting
//! one with its personal data after a confirmation that says what goes.

use cartable_shared::admin::{
    AccountDeleted, AccountList, AccountSummary, CreatedAccount, NewAccount,
};
use cartable_shared::roles::Role;
use yew::prelude::*;

use super::api::{self, segment};
use super::ui::{self, Notice, ScreenProps};
use crate::i18n::Lang;

/// Every role, in the order of `AdminTexts::roles`.
const ROLES: [Role; 5] = [Role::Student, Role::Guardian, Role::Teacher, Role::Staff, Role::Admin];

/// A role's name.
pub(crate) fn role_name(lang: Lang, role: Role) -> &'static str {
    let i = ROLES.iter().position(|r| *r == role).unwrap_or(0);
    lang.admin().roles[i]
}

fn joined<T: ToString>(items: &[T]) -> String {
    items.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}

fn row(lang: Lang, a: &AccountSummary, ondelete: &Callback<(String, String)>) -> Html {
    let t = lang.admin();
    let mut groups = joined(&a.groups);
    if !a.teaches.is_empty() {
        if !groups.is_empty() {
            groups.push_str(", ");
        }
        groups.push_str(&joined(&a.teaches));
    }
    let or_none = |s: String| if s.is_empty() { t.none.to_owned() } else { s };
    html! {
        <tr data-login={a.login.to_string()}>
            <th scope="row">{ a.login.to_string() }</th>
            <td>{ &a.display_name }</td>
            <td>{ role_name(lang, a.role) }</td>
            <td>{ or_none(groups) }</td>
            <td>{ or_none(joined(&a.wards)) }</td>
            <td data-expired={a.expired.to_string()}>
                { a.expires_at_ms.map_or_else(|| t.none.to_owned(), |ms| ui::day(lang, ms - 1)) }
                if a.expired {
                    { format!(" ({})", t.expired) }
                }
            </td>
            <td>
                <button type="button" class="danger-button account-delete"
                    aria-label={format!("{} · {}", t.delete, a.login)}
                    onclick={let (cb, who) = (ondelete.clone(), (a.login.to_string(), a.display_name.clone()));
                        move |_| cb.emit(who.clone())}>{ t.delete }</button>
            </td>
        </tr>
    }
}

/// The accounts screen.
#[component]
pub(crate) fn Accounts(props: &ScreenProps) -> Html {
    let lang = props.lang;
    let t = lang.admin();
    let list = ui::use_load::<AccountList>("/api/admin/accounts");
    let notice = use_state(|| None::<Notice>);
    // The account whose deletion waits for confirmation: (login, name).
    let ask = ui::use_ask::<(String, String)>("delete-yes");
    let confirm = {
        let (asked, notice, reload) = (ask.asked.clone(), notice.clone(), list.reload.clone());
        Callback::from(move |_: MouseEvent| {
            let Some((login, _)) = ui::Ask::take(&asked) else { return };
            let reload = reload.clone();
            let path = format!("/api/admin/accounts/{}", segment(&login));
            ui::run(
                lang,
                &notice,
                async move { api::send::<_, AccountDeleted>("DELETE", &path, &()).await },
                move |d| {
                    reload.emit(());
                    Some(format!("{} {}", lang.admin().deleted, d.user))
                },
            );
        })
    };
    let onsubmit = {
        let (notice, reload) = (notice.clone(), list.reload.clone());
        ui::on_submit(move || {
            let role = ROLES
                .into_iter()
                .find(|r| r.as_str() == ui::value("account-role"))
                .unwrap_or(Role::Student);
            let password = ui::value("account-password");
            let request = NewAccount {
                login: ui::value("account-login"),
                display_name: ui::value("account-name"),
                role,
                password: (!password.is_empty()).then_some(password),
                subjects: ui::list(&ui::value("account-subjects")),
                expires_at_ms: ui::midnight_ms(&ui::value("account-expires"), 1),
            };
            let reload = reload.clone();
            ui::run(
                lang,
                &notice,
                async move { api::send("POST", "/api/admin/accounts", &request).await },
                move |created: CreatedAccount| {
                    ui::reset("account-form");
                    reload.emit(());
                    let t = lang.admin();
                    Some(match created.initial_password {
                        Some(p) => format!("{} {} — {p}", t.account_created, created.account.login),
                        None => format!("{} {}", t.account_created_own, created.account.login),
                    })
                },
            );
        })
    };
    let table = ui::loaded(
        lang,
        &list.data,
        |l| l.accounts.is_empty(),
        |l| {
            html! {
                <table id="accounts-table">
                    <thead>
                        <tr>
                            <th scope="col">{ t.login }</th>
                            <th scope="col">{ t.name }</th>
                            <th scope="col">{ t.role }</th>
                            <th scope="col">{ t.groups }</th>
                            <th scope="col">{ t.wards }</th>
                            <th scope="col">{ t.expires }</th>
                            <th scope="col"><span class="sr-only">{ t.delete }</span></th>
                        </tr>
                    </thead>
                    <tbody>{ for l.accounts.iter().map(|a| row(lang, a, &ask.ask)) }</tbody>
                </table>
            }
        },
    );
    html! {
        <>
            <section aria-labelledby="account-form-title">
                <h2 id="account-form-title">{ t.create_account }</h2>
                <form id="account-form" class="admin-form" {onsubmit}>
                    { ui::field("text", "account-login", t.login, true) }
                    { ui::field("text", "account-name", t.name, true) }
                    <label class="admin-field">
                        <span>{ t.role }</span>
                        <select id="account-role" name="account-role">
                            { for ROLES.into_iter().map(|r| html! {
                                <option value={r.as_str()}>{ role_name(lang, r) }</option>
                            }) }
                        </select>
                    </label>
                    { ui::field("text", "account-subjects", t.subjects, false) }
                    { ui::field("password", "account-password", t.password, false) }
                    { ui::field("date", "account-expires", t.expires, false) }
                    <p class="settings-note">{ t.expires_help }</p>
                    <button type="submit" id="account-create">{ t.create_account }</button>
                </form>
                { ui::notice(lang, "account-notice", &notice) }
            </section>
            <section aria-labelledby="accounts-list-title">
                <h2 id="accounts-list-title">{ t.screens[0] }</h2>
                <button type="button" onclick={let r = list.reload.clone(); move |_| r.emit(())}>{ t.reload }</button>
                if let Some((login, name)) = &*ask.asked {
                    { ui::confirm_dialog(lang, ("delete-confirm", "delete-yes"),
                        &lang.delete_account_question(name, login), t.delete_yes,
                        (confirm, ask.cancel.clone())) }
                }
                { table }
            </section>
        </>
    }
}
