//! Where a view of the publishing module goes (teachers, staff, admins): an empty host element
//! that the module renders into once loaded (`hooks/publish.rs` mounts it), and, until then, a
//! short loading notice (or why it is not there).

use yew::prelude::*;

use crate::i18n::Lang;
use crate::state::ModuleLoad;

/// Props of [`publish_host`].
#[derive(Debug, Clone, Copy)]
pub struct PublishHostProps {
    /// Which view (`crate::publish::GRADEBOOK`, …): the host's `data-publish`.
    pub what: &'static str,
    /// Where the module's download stands.
    pub load: ModuleLoad,
    /// The interface language.
    pub lang: Lang,
}

/// `div.publish-host[data-publish]`, preceded by `p.publish-loading` (`role=status`) or
/// `p.publish-failed` while the module is not loaded.
pub fn publish_host(props: PublishHostProps) -> Html {
    let t = props.lang.t().teach;
    html! {
        <>
            if matches!(props.load, ModuleLoad::Idle | ModuleLoad::Loading) {
                <p class="publish-loading" role="status" aria-busy="true">{ t.module_loading }</p>
            } else if props.load == ModuleLoad::Failed {
                <p class="publish-failed notice" role="status">{ t.module_failed }</p>
            }
            <div class="publish-host" data-publish={props.what}></div>
        </>
    }
}
