//! API tokens for the school's systems: the list (never a secret), creating one with its
//! scopes (the secret shown once), revoking one.

use cartable_shared::admin::{
    API_SCOPES, ApiTokenInfo, ApiTokenList, CreatedApiToken, NewApiToken,
};
use yew::prelude::*;

use super::api::{self, segment};
use super::ui::{self, Notice, ScreenProps};
use crate::i18n::Lang;

fn scope_name(lang: Lang, scope: &str) -> String {
    lang.scope_name(scope).map_or_else(|| scope.to_owned(), str::to_owned)
}

fn token_row(lang: Lang, tok: &ApiTokenInfo, revoke: &Callback<(String, String)>) -> Html {
    let t = lang.admin();
    let onclick = {
        let (revoke, who) = (revoke.clone(), (tok.id.clone(), tok.name.clone()));
        Callback::from(move |_: MouseEvent| revoke.emit(who.clone()))
    };
    let scopes: Vec<String> = tok.scopes.iter().map(|s| scope_name(lang, s)).collect();
    html! {
        <li class="admin-card" data-token={tok.id.clone()}>
            <strong>{ &tok.name }</strong>
            <p>{ scopes.join(", ") }</p>
            <p class="settings-note">
                { format!("{} {} · {}", t.created, ui::when(lang, tok.created_ms), tok.created_by) }
                { format!(" · {} {}", t.last_used,
                    tok.last_used_ms.map_or_else(|| t.never.to_owned(), |ms| ui::when(lang, ms))) }
            </p>
            <button type="button" class="danger-button token-revoke" {onclick}
                aria-label={format!("{} · {}", t.revoke, tok.name)}>{ t.revoke }</button>
        </li>
    }
}

/// The API tokens screen.
#[component]
pub(crate) fn Tokens(props: &ScreenProps) -> Html {
    let lang = props.lang;
    let t = lang.admin();
    let list = ui::use_load::<ApiTokenList>("/api/admin/tokens");
    let notice = use_state(|| None::<Notice>);
    let secret = use_state(|| None::<String>);
    let reload = list.reload.clone();
    let create = {
        let (notice, reload, secret) = (notice.clone(), reload.clone(), secret.clone());
        ui::on_submit(move || {
            let request = NewApiToken {
                name: ui::value("token-name"),
                scopes: API_SCOPES
                    .iter()
                    .filter(|s| ui::checked(&format!("scope-{}", s.replace(':', "-"))))
                    .map(|s| (*s).to_owned())
                    .collect(),
            };
            let (reload, secret) = (reload.clone(), secret.clone());
            ui::run(
                lang,
                &notice,
                async move { api::send("POST", "/api/admin/tokens", &request).await },
                move |c: CreatedApiToken| {
                    ui::reset("token-form");
                    secret.set(Some(c.secret));
                    reload.emit(());
                    None
                },
            );
        })
    };
    // The token whose revocation waits for confirmation: (id, name).
    let ask = ui::use_ask::<(String, String)>("revoke-yes");
    let revoke = {
        let (notice, reload, secret) = (notice.clone(), reload.clone(), secret.clone());
        let asked = ask.asked.clone();
        Callback::from(move |_: MouseEvent| {
            let Some((id, _)) = ui::Ask::take(&asked) else { return };
            let reload = reload.clone();
            secret.set(None);
            let path = format!("/api/admin/tokens/{}", segment(&id));
            ui::run(lang, &notice, async move { api::act("DELETE", &path).await }, move |()| {
                reload.emit(());
                Some(lang.admin().saved.to_owned())
            });
        })
    };
    let tokens = ui::loaded(
        lang,
        &list.data,
        |l| l.tokens.is_empty(),
        |l| {
            html! { <ul id="tokens-list" class="admin-list">{ for l.tokens.iter().map(|tok| token_row(lang, tok, &ask.ask)) }</ul> }
        },
    );
    html! {
        <>
            <section aria-labelledby="token-form-title">
                <h2 id="token-form-title">{ t.create_token }</h2>
                <form id="token-form" class="admin-form" onsubmit={create}>
                    { ui::field("text", "token-name", t.token_name, true) }
                    <fieldset>
                        <legend>{ t.scopes }</legend>
                        { for API_SCOPES.iter().map(|s| html! {
                            <label>
                                <input type="checkbox" id={format!("scope-{}", s.replace(':', "-"))} />
                                { scope_name(lang, s) }
                            </label>
                        }) }
                    </fieldset>
                    <button type="submit">{ t.create_token }</button>
                </form>
                if let Some(s) = &*secret {
                    <p>{ t.token_secret }</p>
                    <input id="token-secret" type="text" readonly=true value={s.clone()} aria-label={t.token_secret} />
                }
            </section>
            { ui::notice(lang, "tokens-notice", &notice) }
            <section aria-labelledby="tokens-list-title">
                <h2 id="tokens-list-title">{ t.screens[4] }</h2>
                <button type="button" onclick={move |_| reload.emit(())}>{ t.reload }</button>
                if let Some((_, name)) = &*ask.asked {
                    { ui::confirm_dialog(lang, ("revoke-confirm", "revoke-yes"),
                        &lang.revoke_token_question(name), t.revoke, (revoke, ask.cancel.clone())) }
                }
                { tokens }
            </section>
        </>
    }
}
