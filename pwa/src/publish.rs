//! The publishing module's side (`src/bin/publish.rs`, module `publish`): the staff's
//! publishing views, outside the students' UI module so that a student never downloads them.
//!
//! The UI loads the module only for teachers, staff and admins, after the first paint, and
//! renders an empty host element (`[data-publish=<what>]`) where a publishing view goes; it
//! then calls [`mount`]`(host, what, bridge)`, and [`unmount`]`(host)` once the host left the
//! page. Each mounted view is a Yew app of its own, rooted at its host.
//!
//! Two wasm modules share no Rust value: the UI passes a [`Bridge`], a small JS object:
//! - `send(json)`: posts an `EngineCommand` (JSON) to the engine worker, so the edits made here
//!   go through the one engine (saved on the device, synced, offline too);
//! - `subscribe(listener)`: calls `listener("view:<doc>")` when the engine rewrote a view and
//!   `listener("lang:<tag>")` when the language changes; returns the function that unsubscribes;
//! - `navigate(tab)`: shows a tab of the UI (`"homework"`, …);
//! - `lang()`: the current language tag.
//!
//! The module reads what it shows from IndexedDB with the same [`crate::store`] code as the UI
//! (its own connection): the UI's reducer stays the single owner of the students' state.

use std::cell::RefCell;
use std::rc::Rc;

use cartable_shared::api::Me;
use cartable_shared::engine::EngineCommand;
use cartable_shared::gradebook::Gradebook;
use cartable_shared::ids::DocId;
use wasm_bindgen::prelude::*;
use web_sys::Element;
use yew::prelude::*;

use crate::components::{
    AnnounceFormProps, GradebookViewProps, HomeworkFormProps, MessageFormProps, PublishFormProps,
    announce_form, gradebook_view, homework_form, message_form, publish_form,
};
use crate::files::{FileCmd, Publish, publish_groups};
use crate::hooks::{TeachSinks, publish_document, run_teach};
use crate::i18n::Lang;
use crate::state::{Action, View};
use crate::store::Store;
use crate::teach::{
    TeachAction, TeachCmd, TeachState, audiences, manages_all_announcements, message_groups,
    teaching_groups,
};
use crate::{json, web};

/// What a host asks for: the gradebook (Grades tab).
pub const GRADEBOOK: &str = "gradebook";
/// The homework form and one's own assignments (Homework tab).
pub const HOMEWORK_FORM: &str = "homework-form";
/// The announcement form, the announcements one manages (one's own; every one for staff and
/// admins) and who acknowledged them (Announcements tab).
pub const ANNOUNCE_FORM: &str = "announce-form";
/// Writing to a group or a student (Messages tab).
pub const MESSAGE_FORM: &str = "message-form";
/// Publishing a course document (Documents tab).
pub const PUBLISH_DOCUMENT: &str = "publish-document";

/// The UI's side of the link: see the module's documentation.
#[derive(Debug, Clone)]
pub struct Bridge(JsValue);

impl PartialEq for Bridge {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl Bridge {
    fn call(&self, name: &str, arg: Option<&JsValue>) -> Option<JsValue> {
        let f = js_sys::Reflect::get(&self.0, &JsValue::from_str(name))
            .ok()?
            .dyn_into::<js_sys::Function>()
            .ok()?;
        match arg {
            Some(a) => f.call1(&self.0, a),
            None => f.call0(&self.0),
        }
        .ok()
    }

    /// Posts a command to the engine worker.
    pub fn send(&self, command: &EngineCommand) {
        self.call("send", Some(&JsValue::from_str(&json::engine_command(command))));
    }

    /// The UI's current language.
    pub fn lang(&self) -> Lang {
        self.call("lang", None)
            .and_then(|v| v.as_string())
            .and_then(|t| Lang::from_tag(&t))
            .unwrap_or(Lang::Fr)
    }

    /// Shows a tab of the UI (its id: `"homework"`, `"grades"`, …).
    pub fn navigate(&self, tab: &str) {
        self.call("navigate", Some(&JsValue::from_str(tab)));
    }

    /// Calls `listener` with each event of the UI; returns the function that unsubscribes.
    fn subscribe(&self, listener: &js_sys::Function) -> Option<js_sys::Function> {
        self.call("subscribe", Some(listener)).and_then(|f| f.dyn_into().ok())
    }
}

thread_local! {
    /// The mounted views and their hosts (the UI unmounts them when their host goes).
    static MOUNTED: RefCell<Vec<(Element, yew::AppHandle<PublishView>)>> = const { RefCell::new(Vec::new()) };
}

/// Mounts the publishing view `what` in `host` (replacing one mounted there before).
pub fn mount(host: Element, what: String, bridge: JsValue) {
    unmount(&host);
    let props = PublishProps { what: what.into(), bridge: Bridge(bridge) };
    let app = yew::Renderer::<PublishView>::with_root_and_props(host.clone(), props).render();
    MOUNTED.with(|m| m.borrow_mut().push((host, app)));
}

/// Unmounts the view mounted in `host`, if any.
pub fn unmount(host: &Element) {
    let found = MOUNTED.with(|m| {
        let mut m = m.borrow_mut();
        m.iter().position(|(h, _)| h == host).map(|i| m.remove(i))
    });
    if let Some((_, app)) = found {
        app.destroy();
    }
}

/// Yew brands each app's root with a number counted from 1 in each wasm module, and finds which
/// app an event belongs to by that number: a view of this module numbered like the UI's root
/// (1) would have its clicks handled by the UI as well. Called once when the module starts, this
/// uses up number 1 on a detached element, so the views mounted here never share the UI's.
pub fn start() {
    let Some(detached) =
        web_sys::window().and_then(|w| w.document()).and_then(|d| d.create_element("div").ok())
    else {
        return;
    };
    yew::Renderer::<Nothing>::with_root(detached).render().destroy();
}

#[component]
fn Nothing() -> Html {
    Html::default()
}

/// Props of [`PublishView`].
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct PublishProps {
    /// Which view.
    pub what: Rc<str>,
    /// The UI's bridge.
    pub bridge: Bridge,
}

/// What the publishing views show: read from IndexedDB, kept up to date by the bridge's
/// events.
#[derive(Debug, Clone, PartialEq)]
struct Data {
    lang: Lang,
    me: Option<Me>,
    views: Vec<(DocId, View)>,
    /// The forms' state (outcomes, the assignment edited, lists asked of the server).
    teach: TeachState,
    /// Where the last publication of a course document is.
    document: Option<Publish>,
}

impl Data {
    /// The views `pick` keeps.
    fn of<'a, T: 'a>(
        &'a self,
        pick: impl Fn(&'a View) -> Option<&'a T> + 'a,
    ) -> impl Iterator<Item = &'a T> + 'a {
        self.views.iter().filter_map(move |(_, v)| pick(v))
    }
}

enum Change {
    Loaded(Option<Me>, Vec<(DocId, View)>),
    View(DocId, Option<View>),
    Lang(Lang),
    Teach(TeachAction),
    Document(Publish),
}

impl Reducible for Data {
    type Action = Change;

    fn reduce(self: Rc<Self>, change: Change) -> Rc<Self> {
        let mut d = Rc::unwrap_or_clone(self);
        match change {
            Change::Loaded(me, views) => {
                d.me = me;
                d.views = views;
            }
            Change::View(doc, None) => d.views.retain(|(id, _)| *id != doc),
            Change::View(doc, Some(v)) => match d.views.iter_mut().find(|(id, _)| *id == doc) {
                Some(slot) => slot.1 = v,
                None => d.views.push((doc, v)),
            },
            Change::Lang(lang) => d.lang = lang,
            Change::Teach(a) => d.teach = std::mem::take(&mut d.teach).reduce(a),
            Change::Document(p) => d.document = Some(p),
        }
        Rc::new(d)
    }
}

/// Reads the signed-in user and the views, or one view when `doc` is given.
async fn read(dispatch: UseReducerDispatcher<Data>, doc: Option<DocId>) {
    let store = match Store::open().await {
        Ok(s) => s,
        Err(e) => return web::warn(&format!("publishing views: {e}")),
    };
    match doc {
        None => match store.snapshot().await {
            Ok(s) => dispatch.dispatch(Change::Loaded(s.me, s.views)),
            Err(e) => web::warn(&format!("publishing views: {e}")),
        },
        Some(doc) => match store.view(&doc).await {
            Ok(v) => dispatch.dispatch(Change::View(doc, v)),
            Err(e) => web::warn(&format!("cannot read view {doc}: {e}")),
        },
    }
}

/// One publishing view.
#[component]
fn PublishView(props: &PublishProps) -> Html {
    let data = {
        let lang = props.bridge.lang();
        use_reducer(move || Data {
            lang,
            me: None,
            views: Vec::new(),
            teach: TeachState::default(),
            document: None,
        })
    };
    {
        let (dispatch, bridge) = (data.dispatcher(), props.bridge.clone());
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(read(dispatch.clone(), None));
            let listener = Closure::<dyn FnMut(String)>::new(move |event: String| {
                if let Some(doc) = event.strip_prefix("view:").and_then(|d| d.parse().ok()) {
                    wasm_bindgen_futures::spawn_local(read(dispatch.clone(), Some(doc)));
                } else if let Some(lang) = event.strip_prefix("lang:").and_then(Lang::from_tag) {
                    dispatch.dispatch(Change::Lang(lang));
                }
            });
            let unsubscribe = bridge.subscribe(listener.as_ref().unchecked_ref());
            move || {
                if let Some(f) = unsubscribe {
                    let _ = f.call0(&JsValue::NULL);
                }
                drop(listener);
            }
        });
    }
    let onintent = {
        let bridge = props.bridge.clone();
        use_memo((), move |_| Callback::from(move |cmd: EngineCommand| bridge.send(&cmd)))
    };
    let d = &*data;
    let user = d.me.as_ref().map(|m| m.user.to_string()).unwrap_or_default();
    // The forms' commands run here; their state changes come back to this view's reducer.
    let onteach = {
        let sinks = TeachSinks {
            state: {
                let dispatch = data.dispatcher();
                Callback::from(move |a| dispatch.dispatch(Change::Teach(a)))
            },
            engine: (*onintent).clone(),
        };
        let author = user.clone();
        use_memo(author, move |author| {
            let author = author.clone();
            Callback::from(move |cmd: TeachCmd| {
                wasm_bindgen_futures::spawn_local(run_teach(sinks.clone(), author.clone(), cmd));
            })
        })
    };
    let onaction = {
        let dispatch = data.dispatcher();
        use_memo((), move |_| {
            Callback::from(move |a: Action| {
                if let Action::Teach(a) = a {
                    dispatch.dispatch(Change::Teach(a));
                }
            })
        })
    };
    let onfile = {
        let dispatch = data.dispatcher();
        use_memo((), move |_| {
            let report = Callback::from(move |p| dispatch.dispatch(Change::Document(p)));
            Callback::from(move |cmd: FileCmd| {
                wasm_bindgen_futures::spawn_local(publish_document(cmd, report.clone()));
            })
        })
    };
    let Some(me) = &d.me else { return Html::default() };
    let lang = d.lang;
    match &*props.what {
        GRADEBOOK => {
            let books: Vec<&Gradebook> =
                d.of(|v| if let View::Gradebook(b) = v { Some(b) } else { None }).collect();
            if books.is_empty() {
                return Html::default();
            }
            gradebook_view(&GradebookViewProps {
                books: &books,
                user: &user,
                lang,
                onintent: &onintent,
            })
        }
        HOMEWORK_FORM => {
            let own: Vec<_> = d
                .of(|v| if let View::Homework(h) = v { Some(h) } else { None })
                .flat_map(|h| {
                    h.assignments.iter().map(move |(id, a)| (h.group.as_str(), id.as_str(), a))
                })
                .filter(|(_, _, a)| a.author == user)
                .collect();
            let editing =
                d.teach.editing.as_ref().and_then(|(g, id)| {
                    own.iter().find(|(og, oid, _)| og == g && oid == id).copied()
                });
            homework_form(&HomeworkFormProps {
                groups: &teaching_groups(me),
                own: &own,
                editing,
                status: d.teach.homework,
                lang,
                onteach: &onteach,
                onaction: &onaction,
            })
        }
        ANNOUNCE_FORM => {
            // A teacher's own announcements; every one for staff and admins.
            let all = manages_all_announcements(me);
            let listed: Vec<_> = d
                .of(|v| if let View::Announcements(a) = v { Some(a) } else { None })
                .flat_map(|a| {
                    a.items.iter().map(move |(id, n)| (a.audience.as_str(), id.as_str(), n))
                })
                .filter(|(_, _, n)| all || n.author == user)
                .collect();
            let editing = d.teach.editing_announcement.as_ref().and_then(|(audience, id)| {
                listed.iter().find(|(a, i, _)| a == audience && i == id).copied()
            });
            announce_form(&AnnounceFormProps {
                audiences: &audiences(me),
                listed: &listed,
                user: &user,
                editing,
                acks: d.teach.acks.as_ref(),
                status: d.teach.announce,
                lang,
                onteach: &onteach,
                onaction: &onaction,
            })
        }
        MESSAGE_FORM => message_form(&MessageFormProps {
            groups: &message_groups(me),
            students: &d.teach.students,
            state: d.teach.send,
            lang,
            onteach: &onteach,
        }),
        PUBLISH_DOCUMENT => publish_form(&PublishFormProps {
            groups: &publish_groups(me),
            state: d.document.as_ref(),
            lang,
            onfile: &onfile,
        }),
        _ => Html::default(),
    }
}
