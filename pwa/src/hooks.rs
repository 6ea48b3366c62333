//! Every effect of the UI: reading IndexedDB, calling the API, the engine worker, timers, the
//! service worker. Components only render and call the callbacks these hooks hand out.

mod engine;
mod files;
mod links;
mod publish;
mod session;
mod settings;
mod teach;
mod use_app;
mod use_blocked;
mod use_clock;
mod use_install;
mod use_service_worker;

use std::rc::Rc;

use yew::Reducible;

use crate::state::{Action, AppState};

pub use engine::EngineLink;
pub(crate) use files::publish_document;
pub(crate) use session::prefetch_snapshot;
pub(crate) use teach::{
    ImportFailure, TeachSinks, enc, preview_grades_import, run as run_teach, run_session,
};
pub use use_app::{AppHandle, use_app};

/// The [`AppState`] as a Yew reducer.
#[derive(Debug, Clone, PartialEq)]
pub struct Model(pub AppState);

impl Reducible for Model {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let state = Rc::unwrap_or_clone(self).0;
        Rc::new(Model(state.reduce(action)))
    }
}

/// Dispatches actions to the app's reducer from effects.
pub type Dispatch = yew::UseReducerDispatcher<Model>;
